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


OWN_OFFICE = "default"   # store.repo.OFFICE: a branch named without its office is this deployment's own
WIDE = ("collector", "commissioner", "state")   # roles that see every branch of the offices they see


@dataclass(frozen=True)
class Viewer:
    name: str
    role: str                 # clerk | branch_head | collector | commissioner | state
    branch: str | None        # branch key (None for a collector, commissioner, state)
    office: str | None = OWN_OFFICE     # the office of a clerk, branch head, collector (None: commissioner, state)
    offices: frozenset[str] | None = frozenset({OWN_OFFICE})  # the offices they may see; None: every one (state)
    division: str | None = None         # a commissioner's division

    @property
    def is_collector(self) -> bool:
        return self.role == "collector"

    def may_see_office(self, office: str | None) -> bool:
        return self.offices is None or (office or OWN_OFFICE) in self.offices

    def may_see(self, branch: str | None, office: str | None = None) -> bool:
        """A branch is (office, key): ``office`` None is this deployment's own. A branch head or clerk sees their
        branch of their office; a collector every branch of their office; a commissioner every branch of their
        division's offices; state everything."""
        office = office or OWN_OFFICE
        if not self.may_see_office(office):
            return False
        if self.role in WIDE:
            return True
        return branch is not None and branch == self.branch and office == self.office


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
    """The logged-in person, with the offices they may see as the database says now (an office added to a
    commissioner's division counts at once; a deleted user is logged out)."""
    data = request.session.get(SESSION_USER)
    if not data:
        raise LoginRequired
    from store.offices import scope_of
    from store.users import get

    with request.app.state.store.session() as s:
        found = scope_of(s, data["name"])
        user = get(s, data["name"]) if found is not None else None
        # disabled: a login that passed its password check while the user was being disabled saved its session
        # after the disable had ended the others
        tied = getattr(request.session, "user_id", None)
        gone = user is None or user.disabled or tied not in (None, user.id)
    if found is None or gone:
        request.session.clear()
        raise LoginRequired
    # role and branch as the database says now too (a demoted user is not what they were at login)
    return Viewer(data["name"], found.role or data["role"], found.branch if found.role else data.get("branch"),
                  found.office, found.offices, found.division)


def login(request: Request, name: str, role: str, branch: str | None, user_id: int | None = None) -> None:
    """A fresh server-side session (new token, new CSRF token) for the user: no fixation. ``user_id`` ties the
    session to the user so that disabling them, a new password or a new role ends it."""
    request.session.clear()
    request.session[SESSION_USER] = {"name": name, "role": role, "branch": branch}
    if user_id is not None:
        request.session.user_id = user_id  # type: ignore[attr-defined]
    csrf_token(request)


def require(request: Request, *, roles: tuple[str, ...] = (), branch: str | None = None,
            office: str | None = None) -> Viewer:
    """The viewer, if their role is one of ``roles`` (any when empty) and they may see ``branch`` of ``office``
    (None: this deployment's own) — or, with no branch, the office; else 403."""
    v = viewer(request)
    if roles and v.role not in roles:
        raise HTTPException(403, "role")
    if branch is not None and not v.may_see(branch, office):
        raise HTTPException(403, "branch")
    if office is not None and not v.may_see_office(office):
        raise HTTPException(403, "office")
    return v
