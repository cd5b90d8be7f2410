"""Who is asking, what they may see, and the CSRF token every POST must carry."""
from __future__ import annotations

import secrets
from dataclasses import dataclass

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request

SESSION_USER = "user"
SESSION_CSRF = "csrf"


@dataclass(frozen=True)
class Viewer:
    name: str
    role: str                 # clerk | branch_head | collector
    branch: str | None        # branch key (None for a collector)

    @property
    def is_collector(self) -> bool:
        return self.role == "collector"

    def may_see(self, branch: str | None) -> bool:
        return self.is_collector or (branch is not None and branch == self.branch)


class LoginRequired(Exception):
    """No session: the handler sends the browser to the login page."""


def csrf_token(request: Request) -> str:
    token = request.session.get(SESSION_CSRF)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[SESSION_CSRF] = token
    return token


async def check_csrf(request: Request, max_part_size: int = 1024 * 1024) -> FormData:
    """The submitted form (read once: it may carry a file), if its ``csrf`` field matches the session's token;
    else 403."""
    form = await request.form(max_part_size=max_part_size)
    sent = str(form.get("csrf", ""))
    token = request.session.get(SESSION_CSRF, "")
    if not token or not secrets.compare_digest(sent, token):
        raise HTTPException(403, "CSRF token missing or wrong")
    return form


def viewer(request: Request) -> Viewer:
    data = request.session.get(SESSION_USER)
    if not data:
        raise LoginRequired
    return Viewer(data["name"], data["role"], data.get("branch"))


def login(request: Request, name: str, role: str, branch: str | None) -> None:
    request.session.clear()  # a fresh session (and CSRF token) at login: no fixation
    request.session[SESSION_USER] = {"name": name, "role": role, "branch": branch}
    csrf_token(request)


def require(request: Request, *, roles: tuple[str, ...] = (), branch: str | None = None) -> Viewer:
    """The viewer, if their role is one of ``roles`` (any when empty) and they may see ``branch``; else 403."""
    v = viewer(request)
    if roles and v.role not in roles:
        raise HTTPException(403, "forbidden")
    if branch is not None and not v.may_see(branch):
        raise HTTPException(403, "forbidden")
    return v
