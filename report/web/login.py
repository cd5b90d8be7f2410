"""Log in and out: the password check off the event loop, throttled per user name and per address, every attempt
in the audit trail."""
from __future__ import annotations

import datetime as dt
import math
import unicodedata
from typing import Any

import anyio
import anyio.to_thread
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from report.i18n import t
from report.web.auth import SESSION_USER, check_csrf, login
from report.web.render import language, render
from report.web.session_mw import client_address
from store import audit
from store.db import Store
from store.models import utcnow
from store.users import authenticate

WINDOW = dt.timedelta(minutes=15)
HASHING_THREADS = 1   # password checks at once: argon2 takes a core each, pages and assets keep the other
_limiter: anyio.CapacityLimiter | None = None


def _hashing() -> anyio.CapacityLimiter:
    global _limiter
    if _limiter is None:  # made inside the running event loop
        _limiter = anyio.CapacityLimiter(HASHING_THREADS)
    return _limiter

PER_USER = 5          # failed logins for one name within WINDOW (since its last success) before a wait
PER_ADDRESS = 20      # failed logins from one address within WINDOW before a wait


def _last_success(s: Any, name: str) -> dt.datetime | None:
    rows = audit.query(s, action="login", actor=name, limit=1)
    return rows[0].at if rows else None


def wait_seconds(store: Store, name: str, address: str | None) -> int:
    """How long this name or address must wait before another try (0: it may try now)."""
    now = utcnow()
    with store.session() as s:
        since = now - WINDOW
        last = _last_success(s, name)
        count, oldest = audit.failures_since(s, max(since, last) if last else since, actor=name)
        waits = [oldest + WINDOW - now] if count >= PER_USER and oldest else []
        if address:
            count, oldest = audit.failures_since(s, since, address=address)
            if count >= PER_ADDRESS and oldest:
                waits.append(oldest + WINDOW - now)
    return max((math.ceil(w.total_seconds()) for w in waits), default=0)


def _attempt(store: Store, name: str, password: str, address: str | None) -> tuple[Any, int]:
    """(name, role, branch key, user id) or None, and the wait in seconds when throttled (no check is made)."""
    wait = wait_seconds(store, name, address)
    if wait:  # audited, but not counted as a failure: an attacker cannot keep the real user out forever
        with store.session() as s:
            audit.record(s, "login_throttled", actor=name[:100], address=address, detail={"wait_seconds": wait})
        return None, wait
    with store.session() as s:
        user = authenticate(s, name, password)
        found = (user.name, user.role, user.branch.key if user.branch else None, user.id) if user else None
        if found:
            audit.record(s, "login", actor=found[0], address=address)
        else:
            audit.record(s, "login_failed", actor=name[:100], address=address)
    return found, 0


async def login_page(request: Request) -> Response:
    if request.method == "GET":
        return render(request, "login.html")
    form = await check_csrf(request)
    # one spelling per name (NFC, as the user table keeps it; at most what the audit keeps): the throttle counts
    # every spelling of a name together, so the decomposed form is not five more tries
    name = unicodedata.normalize("NFC", str(form.get("name", ""))).strip()[:100]
    password = str(form.get("password", ""))
    lang = language(request)
    found, wait = await anyio.to_thread.run_sync(_attempt, request.app.state.store, name, password,
                                                 client_address(request.scope), limiter=_hashing())
    if wait:
        minutes = max(1, math.ceil(wait / 60))
        return render(request, "login.html", status=429, error=t("login_wait", lang).format(minutes=minutes),
                      headers={"Retry-After": str(wait)})
    if found is None:
        return render(request, "login.html", status=401, error=t("bad_login", lang))
    keep = request.session.get("lang")
    login(request, found[0], found[1], found[2], user_id=found[3])
    if keep:
        request.session["lang"] = keep
    return RedirectResponse("/", 303)


def _record_logout(store: Store, name: str, address: str | None) -> None:
    with store.session() as s:
        audit.record(s, "logout", actor=name, address=address)


async def logout(request: Request) -> Response:
    await check_csrf(request)
    who = request.session.get(SESSION_USER)
    if who:
        await run_in_threadpool(_record_logout, request.app.state.store, who["name"], client_address(request.scope))
    request.session.clear()
    return RedirectResponse("/login", 303)
