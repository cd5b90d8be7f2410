"""What a person does to the store, once, for the command line and the web alike: find a branch, import a
register (and match the branch's documents to it again), assign a file number under review, set a cutover, add a
user. Callers only translate arguments in and errors out (``CaseError``: exit code or HTTP status).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.text import assigned_number, nfc
from store import audit, queries, repo, review, users
from store.matching import rematch_branch
from store.models import Branch, Division, Document, Event, Office, User
from store.register import ImportResult, RegisterError
from store.register import import_register as read_into

if TYPE_CHECKING:
    from common.config import Config

__all__ = ["CaseError", "Forbidden", "Invalid", "NotFound", "RegisterImport", "add_user", "assign_number",
           "branch", "change_user", "import_register", "office", "set_cutover"]


class CaseError(ValueError):
    """The request cannot be done; the message says why (for a person)."""


class NotFound(CaseError):
    """No such document (CLI: exit 1; web: 404)."""


class Invalid(CaseError):
    """A wrong argument: an unknown branch, a bad number or register file (CLI: exit 2; web: 400)."""


class Forbidden(CaseError):
    """Not this person's to change (web: 403)."""


def office(s: Session, cfg: Config) -> Office:
    """The office row, as the config names it (a date set on the dashboard survives a config without one)."""
    return repo.ensure_office(s, key=repo.OFFICE, name_hi=cfg.office.name_hi, name_en=cfg.office.name_en,
                              cutover=cfg.office.cutover)


def branch(s: Session, cfg: Config, key: str, office_key: str | None = None) -> Branch:
    """The office's branch ``key``: configured ([branches.KEY], created on first use) or already known from the
    share; else ``Invalid`` naming the known ones. ``office_key``: another office of this database (its branch
    is created on first use, named by the config's [branches.KEY] when there is one)."""
    key = nfc(key)
    if office_key and office_key != repo.OFFICE:
        other = s.scalar(select(Office).where(Office.key == office_key))
        if other is None:
            raise Invalid(f"unknown office '{office_key}' (nasti office list)")
        b = cfg.branch(key)
        return queries.branch(s, key, office_key) or repo.ensure_branch(
            s, other.id, key=key, code=b.code, name_hi=b.name_hi, name_en=b.name_en, cutover=b.cutover,
            configured=key in cfg.branches)
    if key in cfg.branches:
        b = cfg.branches[key]
        return repo.ensure_branch(s, office(s, cfg).id, key=key, code=b.code, name_hi=b.name_hi, name_en=b.name_en,
                                  cutover=b.cutover, configured=True)
    found = queries.branch(s, key)
    if found is None:
        mine = select(Branch.key).join(Office, Office.id == Branch.office_id).where(Office.key == repo.OFFICE)
        known = ", ".join(sorted(set(cfg.branches) | set(s.scalars(mine)))) or "none"   # this office's only
        raise Invalid(f"unknown branch '{key}' (known: {known}); add [branches.{key}] to the config")
    return found


@dataclass
class RegisterImport:
    result: ImportResult
    rematched: int      # documents of the branch whose match changed

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self.result), "rematched_documents": self.rematched}

    def summary(self) -> str:
        r = self.result
        return (f"{r.branch}: {r.rows} rows — {r.created} new, {r.updated} updated, {r.unchanged} unchanged; "
                f"{self.rematched} documents matched again")


def import_register(s: Session, cfg: Config, branch_key: str, path: Path,
                    office_key: str | None = None, *, by: str = "cli", address: str | None = None) -> RegisterImport:
    """Upsert the register file into the branch (of ``office_key``; default this deployment's office), then match
    the branch's done documents to it again (so readiness and the review queue are right at once). Audited as
    ``by`` from ``address``."""
    b = branch(s, cfg, branch_key, office_key)
    try:
        result = read_into(s, b, path)
    except RegisterError as e:
        raise Invalid(str(e)) from e
    done = RegisterImport(result, rematch_branch(s, b, cfg))
    audit.record(s, "register_import", actor=by, address=address, office_key=_office_key(s, b),
                 detail={"branch": b.key, "file": path.name, "rows": result.rows, "new": result.created,
                         "updated": result.updated, "unchanged": result.unchanged, "rematched": done.rematched})
    return done


def _office_key(s: Session, b: Branch | None) -> str | None:
    o = s.get(Office, b.office_id) if b is not None else s.scalar(select(Office).limit(1))
    return o.key if o else None


def assign_number(s: Session, cfg: Config, doc_id: int, number: str, *, by: str, branch_key: str | None = None,
                  within: str | None = None, within_office: str | None = None, address: str | None = None) -> Event:
    """A person gives document ``doc_id`` its file number (either digit set, label optional) and optionally moves
    it to ``branch_key``; ``within``: the branch the person may change (a branch head's). The tagger's matching
    rules decide whether it still needs review."""
    doc = s.get(Document, doc_id) if 0 < doc_id <= queries.MAX_ID else None
    if doc is None:
        raise NotFound(f"no document with id {doc_id}")
    if within is not None and (doc.branch is None or doc.branch.key != within):
        raise Forbidden(f"document {doc_id} is not in branch '{within}'")
    home = s.get(Office, doc.office_id).key  # type: ignore[union-attr]
    if within_office is not None and home != within_office:
        raise Forbidden(f"document {doc_id} is not in this office")
    target = None
    if branch_key and home != repo.OFFICE:   # a branch is (office, key): the document's own office's, as it is
        target = queries.branch(s, nfc(branch_key), home)
        if target is None:
            raise Invalid(f"unknown branch '{branch_key}' of office '{home}'")
    elif branch_key:
        target = branch(s, cfg, branch_key)
    value, key = assigned_number(number)
    try:
        event = review.assign(s, doc, review.Assignment(value, key, target), actor=by, cfg=cfg)
    except review.ReviewError as e:
        raise Invalid(str(e)) from e
    audit.record(s, "review_assign", actor=by, address=address, document_id=doc.id,
                 office_key=_office_key(s, doc.branch),
                 detail={"file_number": value, "branch": doc.branch.key if doc.branch else None})
    return event


def set_cutover(s: Session, cfg: Config, branch_key: str | None, day: dt.date | None,
                office_key: str | None = None, *, by: str = "cli", address: str | None = None) -> None:
    """The cutover date of a branch (``branch_key``) or of the whole office (None); None clears it.
    ``office_key``: another office than this deployment's own (its branch must exist). Audited."""
    if office_key and office_key != repo.OFFICE:
        other = s.scalar(select(Office).where(Office.key == office_key))
        found = queries.branch(s, nfc(branch_key), office_key) if branch_key else other
        if found is None:
            raise Invalid(f"unknown branch '{branch_key}' of office '{office_key}'")
        before = found.cutover
        found.cutover = day
        audit.record(s, "cutover", actor=by, address=address, office_key=office_key,
                     detail={"branch": branch_key, "from": before.isoformat() if before else None,
                             "to": day.isoformat() if day else None})
        return
    target: Office | Branch = branch(s, cfg, branch_key) if branch_key else office(s, cfg)
    before = target.cutover
    target.cutover = day
    audit.record(s, "cutover", actor=by, address=address,
                 office_key=_office_key(s, target) if isinstance(target, Branch) else target.key,
                 detail={"branch": branch_key, "from": before.isoformat() if before else None,
                         "to": day.isoformat() if day else None})


def add_user(s: Session, cfg: Config, name: str, role: str, password: str, branch_key: str | None = None,
             office_key: str | None = None, division_key: str | None = None, *, by: str = "cli",
             address: str | None = None) -> User:
    """A web user with an argon2id password hash; a clerk or branch head belongs to a branch, a collector to an
    office (default: this deployment's own), a commissioner to a division. Audited."""
    target = branch(s, cfg, branch_key) if branch_key else None
    home = s.scalar(select(Office).where(Office.key == office_key)) if office_key else None
    if office_key and home is None:
        raise Invalid(f"unknown office '{office_key}' (nasti office list)")
    div = s.scalar(select(Division).where(Division.key == division_key)) if division_key else None
    if division_key and div is None:
        raise Invalid(f"unknown division '{division_key}'")
    if role == "collector" and home is None:
        home = office(s, cfg)
    try:
        user = users.create(s, name, role, password, target, home, div)
    except users.UserError as e:
        raise Invalid(str(e)) from e
    audit.record(s, "user_add", actor=by, address=address, office_key=home.key if home else _office_key(s, target),
                 detail={"user": user.name, "role": user.role, "branch": branch_key, "division": division_key})
    return user


def change_user(s: Session, cfg: Config, name: str, action: str, *, password: str = "", role: str = "",
                branch_key: str | None = None, by: str = "cli", address: str | None = None) -> int:
    """disable | enable | passwd | role | remove a user; every change but enable ends their sessions (the number
    ended is returned). Audited."""
    user = users.get(s, name)
    if user is None:
        raise NotFound(f"no user named '{name}'")
    detail: dict[str, Any] = {"user": user.name}
    try:
        if action in ("disable", "enable"):
            ended = users.set_disabled(s, user, action == "disable")
        elif action == "passwd":
            ended = users.set_password(s, user, password)
        elif action == "role":
            target = branch(s, cfg, branch_key) if branch_key else None
            detail.update({"from": user.role, "role": role, "branch": branch_key})
            ended = users.set_role(s, user, role, target)
        elif action == "remove":
            ended = users.end_sessions(s, user)
            users.remove(s, user)
        else:
            raise Invalid(f"unknown user change '{action}'")
    except users.UserError as e:
        raise Invalid(str(e)) from e
    detail["sessions_ended"] = ended
    audit.record(s, f"user_{action}", actor=by, address=address, office_key=_office_key(s, None), detail=detail)
    return ended
