"""The collector's administration: web users (add, disable, enable, new password, new role, remove) and a branch
register import (CSV/XLSX upload). Every change is audited (store.cases)."""
from __future__ import annotations

import logging
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

import regex
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from report.i18n import t
from report.web.auth import OWN_OFFICE, check_csrf, login, require
from report.web.render import language, render
from report.web.session_mw import client_address
from report.web.xlsx_guard import too_big
from store import cases, queries
from store.models import Office
from store.users import get, listing

MAX_UPLOAD = 20 * 1024 * 1024
# rows of one register upload: a branch register has thousands of files; 1 000 000 rows (10 MB of CSV) held the
# database's write lock for minutes (logins and the watcher stalled)
MAX_REGISTER_ROWS = 50_000
ADMIN_ROLES = ("clerk", "branch_head", "collector")   # a collector makes users of their office, never above it
CHANGES = ("disable", "enable", "passwd", "role", "remove")
log = logging.getLogger("nasti.web")


def _render(request: Request, status: int = 200, **ctx: Any) -> Response:
    state = request.app.state
    with state.store.session() as s:  # this deployment's office only: other offices' people and branches are not its
        own = s.scalar(select(Office.id).where(Office.key == OWN_OFFICE))
        users = [{"name": u.name, "role": u.role, "branch": u.branch.key if u.branch else "",
                  "branch_hi": u.branch.name_hi if u.branch else "", "branch_en": u.branch.name_en if u.branch else "",
                  "disabled": u.disabled} for u in listing(s) if u.role in ADMIN_ROLES
                 and (u.branch.office_id if u.branch else u.office_id) in (own, None)]
        branches = [{"branch": b.key, "name_hi": b.name_hi, "name_en": b.name_en}
                    for b in queries.branches(s) if b.office_id == own]
    return render(request, "admin.html", status, users=users, branches=branches, **ctx)


async def admin_page(request: Request) -> Response:
    require(request, roles=("collector",), office=OWN_OFFICE)  # users and registers: this deployment's office
    return _render(request)


_REASONS = (  # the refusals of store.users and store.cases a collector meets here, as catalog messages
    (regex.compile(r"^the password must have at least (?P<n>\d+) characters$"), "why_pw_short"),
    (regex.compile(r"^the password must not be the user name$"), "why_pw_name"),
    (regex.compile(r"^that password is too common: choose another$"), "why_pw_common"),
    (regex.compile(r"^a user needs a name$"), "why_user_needs_name"),
    (regex.compile(r"^a user name has at most (?P<n>\d+) characters$"), "why_name_too_long"),
    (regex.compile(r"^a user name must not contain a line break"), "why_name_control"),
    (regex.compile(r"^a user named '(?P<name>.*)' already exists$"), "why_user_exists"),
    (regex.compile(r"^no user named '(?P<name>.*)'$"), "why_no_user"),
    (regex.compile(r"^'(?P<name>.*)' is not a user of this office$"), "why_not_office_user"),
    (regex.compile(r"^a (?P<role>\w+) belongs to a branch: give --branch KEY$"), "why_role_needs_branch"),
    (regex.compile(r"^a (?P<role>\w+) sees every branch: no --branch$"), "why_role_no_branch"),
    (regex.compile(r"^unknown branch '(?P<key>[^']*)'"), "why_unknown_branch"),
)


def reason(text: str, lang: str) -> tuple[str, bool]:
    """(a refusal's reason in ``lang``, translated?) — anything else is shown as written (marked English)."""
    for pattern, key in _REASONS:
        m = pattern.match(text)
        if m:
            found = m.groupdict()
            if "role" in found:
                found["role"] = t("role_" + found["role"], lang)
            return t(key, lang).format(**found), True
    return text, False


def _refused(request: Request, e: Exception) -> Response:
    lang = language(request)
    detail, translated = reason(str(e), lang)
    return _render(request, 400, error=t("refused", lang), error_detail=detail, detail_translated=translated)


async def add_user(request: Request) -> Response:
    v = require(request, roles=("collector",), office=OWN_OFFICE)  # users and registers: this deployment's office
    form = await check_csrf(request)
    state = request.app.state
    role = str(form.get("role", ""))
    if role not in ADMIN_ROLES:
        return _render(request, 400, error=t("refused", language(request)),
                       error_detail=f"role '{role}': {', '.join(ADMIN_ROLES)}")

    def work() -> tuple[str, str]:
        with state.store.session() as s:
            user = cases.add_user(s, state.cfg, str(form.get("name", "")), role,
                                  str(form.get("password", "")), str(form.get("branch", "")) or None,
                                  by=v.name, address=client_address(request.scope))
            return user.name, user.role

    try:
        name, role = await run_in_threadpool(work)  # argon2 off the event loop
    except cases.CaseError as e:
        return _refused(request, e)
    lang = language(request)
    return _render(request, message=t("user_added", lang).format(name=name, role=t("role_" + role, lang)))


def _own_user(s: Any, name: str) -> None:
    """A collector changes only the people of their own office (a clerk, a branch head, a collector), never a
    commissioner, a state user or another office's people."""
    own = s.scalar(select(Office.id).where(Office.key == OWN_OFFICE))
    u = get(s, name)
    if u is not None and (u.role not in ADMIN_ROLES or (u.branch.office_id if u.branch else u.office_id)
                          not in (own, None)):
        raise cases.Forbidden(f"'{name}' is not a user of this office")


async def change_user(request: Request) -> Response:
    v = require(request, roles=("collector",), office=OWN_OFFICE)
    form = await check_csrf(request)
    # the name as the store reads it (NFC): "not yourself" must not be passed by another spelling of one's own name
    action, name = str(form.get("action", "")), unicodedata.normalize("NFC", str(form.get("name", ""))).strip()
    if action not in CHANGES or not name or (action == "role" and str(form.get("role", "")) not in ADMIN_ROLES):
        raise HTTPException(400, "bad_form")
    if name == v.name and action in ("disable", "remove", "role"):
        return _render(request, 400, error=t("not_yourself", language(request)))
    state = request.app.state

    def work() -> int:
        with state.store.session() as s:
            _own_user(s, name)
            return cases.change_user(s, state.cfg, name, action, password=str(form.get("password", "")),
                                     role=str(form.get("role", "")), branch_key=str(form.get("branch", "")) or None,
                                     by=v.name, address=client_address(request.scope))

    try:
        ended = await run_in_threadpool(work)
    except cases.CaseError as e:
        return _refused(request, e)
    if name == v.name:  # their own new password ended every session, this one too: a fresh one here (new token)
        keep = request.session.get("lang")
        login(request, v.name, v.role, v.branch, user_id=getattr(request.session, "user_id", None))
        if keep:
            request.session["lang"] = keep
    return _render(request, message=t("user_" + action + "_done", language(request)).format(name=name, n=ended))


async def import_register_upload(request: Request) -> Response:
    v = require(request, roles=("collector",), office=OWN_OFFICE)  # users and registers: this deployment's office
    form = await check_csrf(request, MAX_UPLOAD)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise HTTPException(400, "no_file")
    suffix = Path(upload.filename).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise HTTPException(400, "bad_register_kind")
    key = str(form.get("branch", ""))
    if not key:
        raise HTTPException(400, "which_branch")
    data = await upload.read()
    if suffix == ".csv" and data.count(b"\n") > MAX_REGISTER_ROWS + 1:  # the header, then at most this many rows
        raise HTTPException(400, "register_too_long")
    if suffix == ".xlsx":  # what the sheets declare, before a reader unfolds them (title rows: a few more)
        why = await run_in_threadpool(too_big, data, MAX_REGISTER_ROWS + 100)
        if why:
            raise HTTPException(400, why)
    state = request.app.state

    def work() -> Any:
        with tempfile.TemporaryDirectory() as tmp, state.store.session() as s:
            path = Path(tmp) / f"register{suffix}"
            path.write_bytes(data)
            return cases.import_register(s, state.cfg, key, path, by=v.name, address=client_address(request.scope))

    try:
        done = await run_in_threadpool(work)
    except cases.NotFound as e:
        return _refused(request, e)
    except cases.CaseError as e:  # the reader's reason (which row, which column) follows the translated one
        return _render(request, 400, error=t("why_bad_register", language(request)), error_detail=str(e))
    except Exception as e:  # a damaged spreadsheet: the reader's own error is no reason to show a 500
        log.warning("register upload %r unreadable: %s", upload.filename, e)
        raise HTTPException(400, "bad_register") from e
    r = done.result
    message = t("register_imported", language(request)).format(rows=r.rows, new=r.created, updated=r.updated,
                                                                unchanged=r.unchanged, skipped=len(r.warnings),
                                                                rematched=done.rematched)
    return _render(request, message=message, warnings=r.warnings[:20])
