"""The collector's administration: manage web users and import a branch register (CSV/XLSX upload)."""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import select
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from report.web.auth import OWN_OFFICE, check_csrf, require
from report.web.render import render
from store import cases, queries
from store.models import Office

MAX_UPLOAD = 20 * 1024 * 1024
ADMIN_ROLES = ("clerk", "branch_head", "collector")   # a collector makes users of their office, never above it


def _render(request: Request, status: int = 200, **ctx: Any) -> Response:
    state = request.app.state
    with state.store.session() as s:  # this deployment's office only: other offices' people and branches are not its
        own = s.scalar(select(Office.id).where(Office.key == OWN_OFFICE))
        users = [{"name": u.name, "role": u.role, "branch": u.branch.key if u.branch else ""}
                 for u in queries.users(s) if u.role in ADMIN_ROLES
                 and (u.branch.office_id if u.branch else u.office_id) in (own, None)]
        branches = [{"branch": b.key, "name_hi": b.name_hi, "name_en": b.name_en}
                    for b in queries.branches(s) if b.office_id == own]
    return render(request, "admin.html", status, users=users, branches=branches, **ctx)


async def admin_page(request: Request) -> Response:
    require(request, roles=("collector",), office=OWN_OFFICE)  # users and registers: this deployment's office
    return _render(request)


async def add_user(request: Request) -> Response:
    require(request, roles=("collector",), office=OWN_OFFICE)  # users and registers: this deployment's office
    form = await check_csrf(request, MAX_UPLOAD)
    state = request.app.state
    role = str(form.get("role", ""))
    if role not in ADMIN_ROLES:
        return _render(request, 400, error=f"role '{role}': a collector adds a {', '.join(ADMIN_ROLES)}")
    try:
        with state.store.session() as s:
            user = cases.add_user(s, state.cfg, str(form.get("name", "")), role,
                                  str(form.get("password", "")), str(form.get("branch", "")) or None)
            message = f"user {user.name} ({user.role}) created"
    except cases.CaseError as e:
        return _render(request, 400, error=str(e))
    return _render(request, message=message)


async def import_register_upload(request: Request) -> Response:
    require(request, roles=("collector",), office=OWN_OFFICE)  # users and registers: this deployment's office
    form = await check_csrf(request, MAX_UPLOAD)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise HTTPException(400, "choose a CSV or XLSX file")
    suffix = Path(upload.filename).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise HTTPException(400, "the register must be a .csv or .xlsx file")
    key = str(form.get("branch", ""))
    if not key:
        raise HTTPException(400, "choose a branch")
    data = await upload.read()
    state = request.app.state
    try:
        with tempfile.TemporaryDirectory() as tmp, state.store.session() as s:
            path = Path(tmp) / f"register{suffix}"
            path.write_bytes(data)
            done = cases.import_register(s, state.cfg, key, path)
    except cases.CaseError as e:
        return _render(request, 400, error=str(e))
    warnings = done.result.warnings
    message = done.summary() + (f"; {len(warnings)} skipped" if warnings else "")
    return _render(request, message=message, warnings=warnings[:20])
