"""Who is asking, what they may see, and the CSRF token every POST must carry."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

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


MAX_FORM = 1024 * 1024


def _same_origin(request: Request) -> bool:
    """The Origin (else Referer) header, when the browser sent one, names this server's host (the scheme is not
    compared: behind an HTTPS proxy the server itself sees plain HTTP)."""
    sent = request.headers.get("origin") or request.headers.get("referer")
    if not sent or sent == "null":
        return True
    return urlsplit(sent).netloc.lower() == request.headers.get("host", "").lower()


async def check_csrf(request: Request, max_part_size: int = MAX_FORM) -> FormData:
    """The submitted form (read once: it may carry a file), if its ``csrf`` field matches the session's token;
    else 403. Before the body is read: a session with a token, a same-origin request, and a declared size within
    the limit (else 413) — so a forged or oversized upload is refused without being read."""
    token = request.session.get(SESSION_CSRF, "")
    if not token or not _same_origin(request):
        raise HTTPException(403, "csrf")
    length = request.headers.get("content-length", "")
    if length.isascii() and length.isdigit() and int(length) > max_part_size + 64 * 1024:
        raise HTTPException(413, "too_large")
    try:
        form = await request.form(max_part_size=max_part_size)
    except HTTPException:
        raise
    except Exception as e:  # a malformed multipart body
        raise HTTPException(400, "bad_form") from e
    sent = str(form.get("csrf", ""))
    if not secrets.compare_digest(sent.encode(), token.encode()):
        raise HTTPException(403, "csrf")
    return form


def viewer(request: Request) -> Viewer:
    data = request.session.get(SESSION_USER)
    if not data:
        raise LoginRequired
    return Viewer(data["name"], data["role"], data.get("branch"))


def login(request: Request, name: str, role: str, branch: str | None, user_id: int | None = None) -> None:
    """A fresh server-side session (new token, new CSRF token) for the user: no fixation. ``user_id`` ties the
    session to the user so that disabling them, a new password or a new role ends it."""
    request.session.clear()
    request.session[SESSION_USER] = {"name": name, "role": role, "branch": branch}
    if user_id is not None:
        request.session.user_id = user_id  # type: ignore[attr-defined]
    csrf_token(request)


def require(request: Request, *, roles: tuple[str, ...] = (), branch: str | None = None) -> Viewer:
    """The viewer, if their role is one of ``roles`` (any when empty) and they may see ``branch``; else 403."""
    v = viewer(request)
    if roles and v.role not in roles:
        raise HTTPException(403, "role")
    if branch is not None and not v.may_see(branch):
        raise HTTPException(403, "branch")
    return v
