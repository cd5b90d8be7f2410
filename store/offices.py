"""Offices and divisions: add and list them, a remote office's snapshot key, what a web user may see (their
scope), and the upsert of a readiness snapshot keyed (office, branch, day)."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from common.text import nfc
from store import repo
from store.models import Division, Office, Snapshot, User, utcnow

__all__ = ["KINDS", "OfficeError", "Scope", "add_division", "add_office", "check_key", "divisions", "new_key",
           "offices", "scope", "scope_of", "upsert_snapshot"]

KINDS = ("collectorate", "commissioner", "other")
SNAPSHOT_FIELDS = ("register_files", "digitised_files", "documents", "pages", "rejected", "needs_review",
                   "files_today", "files_week", "pages_week", "files_total")


class OfficeError(ValueError):
    """A wrong office or division argument; the message says why."""


def add_division(s: Session, key: str, name_hi: str, name_en: str) -> Division:
    """A division, or the one with this key (its names updated)."""
    key = nfc(key).strip()
    if not key:
        raise OfficeError("a division needs a key")
    d = s.scalar(select(Division).where(Division.key == key))
    if d is None:
        d = Division(key=key, name_hi=nfc(name_hi), name_en=name_en)
        s.add(d)
    else:
        d.name_hi, d.name_en = nfc(name_hi), name_en
    s.flush()
    return d


def add_office(s: Session, key: str, name_hi: str, name_en: str, *, kind: str | None = None,
               division: str | None = None, cutover: dt.date | None = None, share: str | None = None,
               remote: bool | None = None) -> Office:
    """An office, or the one with this key (updated: its names, and whatever else is given — an argument left
    None keeps what the office has, so renaming never drops it from its division nor makes a remote one local).
    ``division``: a division key (it must exist). A new office: a local collectorate unless told."""
    key = nfc(key).strip()
    if not key:
        raise OfficeError("an office needs a key")
    if kind is not None and kind not in KINDS:
        raise OfficeError(f"kind '{kind}': use one of {', '.join(KINDS)}")
    div = None
    if division:
        div = s.scalar(select(Division).where(Division.key == nfc(division)))
        if div is None:
            known = ", ".join(s.scalars(select(Division.key).order_by(Division.key))) or "none"
            raise OfficeError(f"unknown division '{division}' (known: {known}); add it first")
    o = s.scalar(select(Office).where(Office.key == key))
    if o is None:
        o = Office(key=key, name_hi=nfc(name_hi), name_en=name_en, kind="collectorate", remote=False)
        s.add(o)
    o.name_hi, o.name_en = nfc(name_hi), name_en
    o.kind = kind or o.kind
    o.division_id = div.id if div else o.division_id
    o.cutover = cutover or o.cutover
    o.share = share if share is not None else o.share
    o.remote = remote if remote is not None else o.remote
    s.flush()
    return o


def new_key(s: Session, office: Office) -> str:
    """A fresh snapshot key for ``office`` (shown once; only its sha256 is kept). The old key stops working."""
    key = secrets.token_urlsafe(32)
    office.push_key_hash = hashlib.sha256(key.encode()).hexdigest()
    s.flush()
    return key


def check_key(s: Session, office_key: str, key: str) -> Office | None:
    """The office, if ``key`` is its snapshot key (constant-time comparison); else None."""
    o = s.scalar(select(Office).where(Office.key == nfc(office_key)))
    if o is None or not o.push_key_hash:
        return None
    sent = hashlib.sha256(key.encode()).hexdigest()
    return o if secrets.compare_digest(sent, o.push_key_hash) else None


def offices(s: Session, division: str | None = None) -> list[Office]:
    q = select(Office).options(selectinload(Office.division)).order_by(
        Office.division_id, Office.kind != "commissioner", Office.key)   # the commissioner's own office first
    if division:
        q = q.join(Division, Office.division_id == Division.id).where(Division.key == division)
    return list(s.scalars(q))


def divisions(s: Session) -> list[Division]:
    return list(s.scalars(select(Division).order_by(Division.key)))


@dataclass(frozen=True)
class Scope:
    """What a web user may see: ``offices`` None = every office (state); else those office keys."""

    office: str | None
    division: str | None
    offices: frozenset[str] | None
    role: str | None = None      # the user's role and branch key as the database says now
    branch: str | None = None


def scope(s: Session, user: User) -> Scope:
    """The offices a user may see: state every one; a commissioner their division's; anyone else their own
    (a branch's office, a collector's office; none set: this deployment's own, ``default``)."""
    branch = user.branch.key if user.branch else None
    if user.role == "state":
        return Scope(None, None, None, user.role, branch)
    if user.role == "commissioner":
        div = user.division.key if user.division else None
        keys = frozenset(s.scalars(select(Office.key).where(Office.division_id == user.division_id))) if div else \
            frozenset()
        return Scope(None, div, keys, user.role, branch)
    own = user.branch.office_id if user.branch else user.office_id
    key = s.scalar(select(Office.key).where(Office.id == own)) if own else None
    key = key or repo.OFFICE
    return Scope(key, None, frozenset({key}), user.role, branch)


def scope_of(s: Session, name: str) -> Scope | None:
    """The scope of the user called ``name``; None when there is no such user."""
    user = s.scalar(select(User).options(selectinload(User.branch), selectinload(User.division))
                    .where(User.name == nfc(name).strip()))
    return scope(s, user) if user else None


def upsert_snapshot(s: Session, office: Office, day: dt.date, rows: Iterable[dict[str, Any]],
                    taken_at: dt.datetime | None = None) -> tuple[int, int]:
    """Write one day's per-branch figures of ``office`` (a remote one: a local office is counted from this
    database's documents, so its snapshot would never be read; OfficeError): a (office, branch, day) already
    there is replaced by a snapshot taken at the same time or later, never by an older one (a replay), and never
    duplicated. ``taken_at`` is taken no later than now (a clock ahead must not hide staleness). (created,
    updated)."""
    if not office.remote:
        raise OfficeError(f"office '{office.key}' is not remote: its figures come from this database's documents "
                          f"(nasti office add {office.key} … --remote to take its snapshots)")
    existing = {r.branch: r for r in s.scalars(select(Snapshot).where(Snapshot.office_id == office.id,
                                                                      Snapshot.day == day))}
    created = updated = 0
    now = utcnow()
    taken_at = min(taken_at or now, now)
    for row in rows:
        branch = nfc(str(row["branch"]))
        if branch in existing and existing[branch].taken_at > taken_at:
            continue   # an older capture of this day, replayed: the newer figures stay
        values: dict[str, Any] = {f: max(int(row.get(f) or 0), 0) for f in SNAPSHOT_FIELDS}
        cut = row.get("cutover")
        values.update(name_hi=nfc(str(row.get("name_hi") or branch)), name_en=str(row.get("name_en") or branch),
                      cutover=dt.date.fromisoformat(cut) if isinstance(cut, str) and cut else None,
                      taken_at=taken_at or now, received_at=now)
        snap = existing.get(branch)
        if snap is None:
            snap = Snapshot(office_id=office.id, branch=branch, day=day, **values)
            s.add(snap)
            existing[branch] = snap
            created += 1
        else:
            for k, v in values.items():
                setattr(snap, k, v)
            updated += 1
    s.flush()
    return created, updated


def latest_snapshots(s: Session, office_id: int, as_of: dt.date) -> list[Snapshot]:
    """The office's most recent day of snapshots on or before ``as_of`` (every branch of that day)."""
    day = s.scalar(select(Snapshot.day).where(Snapshot.office_id == office_id, Snapshot.day <= as_of)
                   .order_by(Snapshot.day.desc()).limit(1))
    if day is None:
        return []
    return list(s.scalars(select(Snapshot).where(Snapshot.office_id == office_id, Snapshot.day == day)
                          .order_by(Snapshot.branch)))
