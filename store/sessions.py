"""Server-side dashboard sessions: the browser holds only a random token; the row (keyed by the token's SHA-256)
holds the language, the CSRF token and who is logged in. Deleting the row ends the session at once."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from store.models import WebSession, utcnow

__all__ = ["LIFETIME", "end", "end_for_user", "load", "new_token", "save"]

LIFETIME = dt.timedelta(hours=12)
# sessions of no one (a login page's CSRF token, a language): every cookie-less request makes one, so they are
# capped, the oldest going first — anonymous GETs in a loop cannot grow the table without bound
MAX_ANONYMOUS = 5000


def _key(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def load(s: Session, token: str) -> tuple[dict[str, Any], int | None] | None:
    """The session's data and user id, or None if the token is unknown or the session has expired."""
    if not token or len(token) > 100:
        return None
    row = s.get(WebSession, _key(token))
    if row is None or row.expires_at <= utcnow():
        return None
    try:
        data = json.loads(row.data)
    except ValueError:
        return None
    return (data if isinstance(data, dict) else {}), row.user_id


def save(s: Session, token: str, data: dict[str, Any], user_id: int | None, address: str | None) -> None:
    """Create or update the session ``token``; the first save also sweeps expired sessions."""
    key, now = _key(token), utcnow()
    row = s.get(WebSession, key)
    if row is None:
        s.execute(delete(WebSession).where(WebSession.expires_at <= now))
        if user_id is None:
            _cap_anonymous(s, MAX_ANONYMOUS - 1)
        row = WebSession(id=key, created_at=now, expires_at=now + LIFETIME)
        s.add(row)
    row.data, row.user_id, row.address, row.seen_at = json.dumps(data, ensure_ascii=False), user_id, address, now


def _cap_anonymous(s: Session, keep: int) -> None:
    """At most ``keep`` sessions without a user: the oldest beyond that end."""
    anonymous = WebSession.user_id.is_(None)
    if (s.scalar(select(func.count()).select_from(WebSession).where(anonymous)) or 0) <= keep:
        return
    newest = select(WebSession.id).where(anonymous).order_by(WebSession.created_at.desc()).limit(max(keep, 0))
    s.execute(delete(WebSession).where(anonymous, WebSession.id.not_in(newest)))


def end(s: Session, token: str) -> None:
    s.execute(delete(WebSession).where(WebSession.id == _key(token)))


def end_for_user(s: Session, user_id: int) -> int:
    """End every session of the user (logout everywhere); the number ended."""
    ids = list(s.scalars(select(WebSession.id).where(WebSession.user_id == user_id)))
    if ids:
        s.execute(delete(WebSession).where(WebSession.id.in_(ids)))
    return len(ids)
