"""Server-side sessions for the dashboard (ASGI middleware): the cookie carries only a random token; the row in
``web_session`` holds the data. A handler uses ``request.session`` as before; ``clear()`` ends the session (a new
token is issued if anything is written afterwards: login never reuses a token — no fixation)."""
from __future__ import annotations

import ipaddress
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from store import sessions
from store.db import Store

COOKIE = "nasti_session"


class ServerSession(dict[str, Any]):
    """The session's data; ``modified`` and ``cleared`` tell the middleware what to write back."""

    def __init__(self, data: dict[str, Any] | None = None, user_id: int | None = None) -> None:
        super().__init__(data or {})
        self.user_id = user_id
        self.modified = False
        self.cleared = False

    def __setitem__(self, key: str, value: Any) -> None:
        self.modified = True
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self.modified = True
        super().__delitem__(key)

    def pop(self, key: str, *default: Any) -> Any:
        self.modified = True
        return super().pop(key, *default)

    def clear(self) -> None:
        self.cleared = self.modified = True
        self.user_id = None
        super().clear()


def client_address(scope: Scope) -> str | None:
    """Where the request came from: the peer, or — when the peer is a trusted proxy (``[web] trusted_proxies``) —
    the last address of X-Forwarded-For that is not a trusted proxy (the hops a client writes itself come first
    and are never believed)."""
    client = scope.get("client")
    peer = str(client[0])[:64] if client else None
    app = scope.get("app")
    trusted = getattr(getattr(getattr(app, "state", None), "cfg", None), "web_trusted_proxies", ())
    if peer is None or peer not in trusted:
        return peer
    forwarded = b",".join(v for k, v in scope.get("headers", []) if k == b"x-forwarded-for")
    for hop in reversed(forwarded.decode("latin-1").split(",")):
        hop = hop.strip()
        if hop and hop not in trusted:
            try:
                return str(ipaddress.ip_address(hop))[:64]
            except ValueError:
                return peer  # not an address: the proxy's word is garbled, count the proxy
    return peer


class ServerSessionMiddleware:
    def __init__(self, app: ASGIApp, store: Store, secure: bool = False) -> None:
        self.app, self.store, self.secure = app, store, secure

    def _load(self, token: str) -> tuple[dict[str, Any], int | None] | None:
        with self.store.session() as s:
            return sessions.load(s, token)

    def _save(self, old: str | None, new: str | None, session: ServerSession, address: str | None) -> None:
        with self.store.session() as s:
            if old and old != new:
                sessions.end(s, old)
            if new:
                sessions.save(s, new, dict(session), session.user_id, address)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if str(scope.get("path", "")).startswith(("/static/", "/font/")):  # assets: no database round trip
            scope["session"] = ServerSession()
            await self.app(scope, receive, send)
            return
        token = HTTPConnection(scope).cookies.get(COOKIE) or None
        loaded = await run_in_threadpool(self._load, token) if token else None
        if loaded is None:
            token_ok = False
            session = ServerSession()
        else:
            token_ok = True
            session = ServerSession(*loaded)
        scope["session"] = session

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start" and session.modified:
                old = token if token_ok else None
                keep = bool(session) and not session.cleared and token_ok
                new = (token if keep else sessions.new_token()) if session else None
                await run_in_threadpool(self._save, old, new, session, client_address(scope))
                headers = MutableHeaders(scope=message)
                if new is None:
                    value = f"{COOKIE}=; Max-Age=0"
                else:
                    value = f"{COOKIE}={new}; Max-Age={int(sessions.LIFETIME.total_seconds())}"
                headers.append("Set-Cookie", f"{value}; Path=/; HttpOnly; SameSite=Lax"
                               + ("; Secure" if self.secure else ""))
            elif message["type"] == "http.response.start" and token and not token_ok:
                MutableHeaders(scope=message).append("Set-Cookie", f"{COOKIE}=; Max-Age=0; Path=/; HttpOnly")
            await send(message)

        await self.app(scope, receive, send_wrapper)
