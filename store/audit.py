"""The audit trail: every state-changing action by a person — cutover, register import, user changes, review
assignment, login success and failure — with who, when, what (JSON detail) and from where."""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

import regex
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.models import Audit, utcnow

_CONTROL = regex.compile(r"\p{Cc}")

__all__ = ["ACTIONS", "as_dict", "failures_since", "query", "record"]

ACTIONS = ("login", "login_failed", "login_throttled", "logout", "cutover", "register_import", "user_add",
           "user_disable", "user_enable", "user_passwd", "user_role", "user_remove", "review_assign",
           "document_part")


def record(s: Session, action: str, *, actor: str, detail: dict[str, Any] | None = None,
           document_id: int | None = None, address: str | None = None, office_key: str | None = None) -> Audit:
    """Add one audit row (in the caller's transaction: the action and its record commit together)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    actor = _CONTROL.sub("\ufffd", actor[:100])  # a typed login name: no newline or tab forging the trail's lines
    row = Audit(at=utcnow(), actor=actor, action=action, document_id=document_id,
                detail=json.dumps(detail, ensure_ascii=False, default=str) if detail else None,
                address=(address or None) and address[:64], office_key=office_key)
    s.add(row)
    s.flush()
    return row


def query(s: Session, *, since: dt.datetime | None = None, action: str | None = None, actor: str | None = None,
          limit: int = 500) -> list[Audit]:
    """The newest first, filtered."""
    q = select(Audit).order_by(Audit.at.desc(), Audit.id.desc()).limit(limit)
    if since is not None:
        q = q.where(Audit.at >= since)
    if action:
        q = q.where(Audit.action == action)
    if actor:
        q = q.where(Audit.actor == actor)
    return list(s.scalars(q))


def failures_since(s: Session, since: dt.datetime, *, actor: str | None = None,
                   address: str | None = None) -> tuple[int, dt.datetime | None]:
    """Failed logins after ``since`` for a user name or an address: (count, the oldest one's moment)."""
    q = select(func.count(), func.min(Audit.at)).where(Audit.action == "login_failed", Audit.at >= since)
    if actor is not None:
        q = q.where(Audit.actor == actor)
    if address is not None:
        q = q.where(Audit.address == address)
    count, oldest = s.execute(q).one()
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=dt.UTC)
    return int(count), oldest


def as_dict(row: Audit) -> dict[str, Any]:
    return {"id": row.id, "at": row.at.isoformat(), "actor": row.actor, "action": row.action,
            "document_id": row.document_id, "detail": json.loads(row.detail) if row.detail else None,
            "address": row.address, "office_key": row.office_key}
