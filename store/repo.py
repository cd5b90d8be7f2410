"""Writes that keep the state machine honest: offices, branches, documents and their events."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store.models import Branch, Document, Event, Office, Page, utcnow
from store.parts import DEFAULT as DEFAULT_PART
from store.parts import part_of_source, sequence_of_source

OFFICE = "default"   # the key of the one office a database holds
FINAL = ("done", "rejected", "duplicate", "failed")
ACTIVE = ("received", "processing")
# The document state machine (DESIGN.md §2), declared once: every `transition` is checked against it.
# received → processing → done | rejected | failed; received → rejected | duplicate (no OCR needed) | failed;
# processing → processing (resumed after a crash); failed → processing (a bounded retry) | rejected (the clerk
# replaced or removed the file before the retry).
ALLOWED: dict[str | None, frozenset[str]] = {
    None: frozenset({"received"}),
    "received": frozenset({"processing", "rejected", "duplicate", "failed"}),
    "processing": frozenset({"processing", "done", "rejected", "failed"}),
    "failed": frozenset({"processing", "rejected"}),
    "done": frozenset(),
    "rejected": frozenset(),
    "duplicate": frozenset(),
}


MAX_ATTEMPTS = 3   # unforeseen errors before a `failed` document stays failed for review (ingest/steps.py)


class BadTransition(RuntimeError):
    pass


Row = TypeVar("Row", Office, Branch)


def _add_or_find(s: Session, row: Row, find: Callable[[], Row | None]) -> Row:
    """Insert ``row``; when another process inserted the same key meanwhile (two nasti commands on a new
    database), the row it made."""
    try:
        with s.begin_nested():
            s.add(row)
        return row
    except IntegrityError:
        found = find()
        if found is None:
            raise
        return found


def ensure_office(s: Session, *, key: str, name_hi: str, name_en: str, cutover: dt.date | None) -> Office:
    find = lambda: s.scalar(select(Office).where(Office.key == key))  # noqa: E731
    office = find()
    if office is None:
        office = _add_or_find(s, Office(key=key, name_hi=name_hi, name_en=name_en, cutover=cutover), find)
    else:  # a date set on the dashboard (no date in the config) is kept; a date in the config wins
        office.name_hi, office.name_en = name_hi, name_en
        office.cutover = cutover or office.cutover
    s.flush()
    return office


def office_for_folder(s: Session, key: str) -> Office:
    """The office of a first-level share folder (``[share] per_office``): as added (``nasti office add``), or
    created on first sight named by its key."""
    find = lambda: s.scalar(select(Office).where(Office.key == key))  # noqa: E731
    office = find() or _add_or_find(s, Office(key=key, name_hi=key, name_en=key, kind="other"), find)
    s.flush()
    return office


def ensure_branch(s: Session, office_id: int, *, key: str, code: str, name_hi: str, name_en: str,
                  cutover: dt.date | None, configured: bool) -> Branch:
    find = lambda: s.scalar(select(Branch).where(Branch.office_id == office_id, Branch.key == key))  # noqa: E731
    branch = find()
    if branch is None:
        branch = _add_or_find(s, Branch(office_id=office_id, key=key, code=code, name_hi=name_hi, name_en=name_en,
                                        cutover=cutover, configured=configured), find)
    elif configured:  # as for the office: a dashboard date survives a config without one
        branch.code, branch.name_hi, branch.name_en = code, name_hi, name_en
        branch.cutover = cutover or branch.cutover
        branch.configured = True
    s.flush()
    return branch


def transition(s: Session, doc: Document, to: str, detail: str | None = None, actor: str = "nasti") -> None:
    """Every state change is an event row, written in the same transaction as the change."""
    if to not in ALLOWED.get(doc.status, frozenset()):
        raise BadTransition(f"document {doc.id}: {doc.status} → {to} is not a transition of the state machine")
    s.add(Event(document_id=doc.id, from_state=doc.status if doc.id else None, to_state=to, detail=detail,
                actor=actor, at=utcnow()))
    doc.status = to
    doc.updated_at = utcnow()
    if to == "done":
        doc.done_at = utcnow()


def new_document(s: Session, *, office_id: int, branch_id: int | None, source: str, share_path: str, sha256: str,
                 size: int) -> Document:
    doc = Document(office_id=office_id, branch_id=branch_id, source=source, share_path=share_path, sha256=sha256,
                   size=size,
                   status="received", needs_review=False, settled=False, pages=0, blank_pages=0,
                   received_at=utcnow(), part=part_of_source(source) or DEFAULT_PART,
                   sequence=sequence_of_source(source))
    s.add(doc)
    s.flush()
    s.add(Event(document_id=doc.id, from_state=None, to_state="received", detail=f"{size} bytes", at=utcnow()))
    return doc


def resumable(s: Session, source: str, sha256: str) -> Document | None:
    """The record of this very drop if an earlier run did not finish with it (crash, power cut)."""
    return s.scalar(select(Document).where(Document.source == source, Document.sha256 == sha256,
                                           (Document.status.in_(ACTIVE)) | (Document.settled.is_(False)))
                    .order_by(Document.id.desc()).limit(1))


def original_of(s: Session, sha256: str, exclude_id: int, office_id: int | None = None) -> Document | None:
    """The first document with these bytes that was digitised and archived (never one still in work: copies of
    the same bytes are handled one after the other, so the second waits for the first's outcome)."""
    q = select(Document).where(Document.sha256 == sha256, Document.id != exclude_id, Document.status == "done",
                               Document.archive_path.is_not(None))
    if office_id is not None:  # one share for many offices: the same letter sent to two offices is in both
        q = q.where(Document.office_id == office_id)
    return s.scalar(q.order_by(Document.id).limit(1))


def twin_in_flight(s: Session, sha256: str, office_id: int | None = None) -> bool:
    """Whether another record of these bytes is still received or processing (left by a watcher that stopped or lost
    the lead: the one handling drops now holds the same-bytes lock, so nobody is working on it)."""
    q = select(Document.id).where(Document.sha256 == sha256, Document.status.in_(("received", "processing")))
    if office_id is not None:   # one share for many offices: the same letter sent to two offices is in both
        q = q.where(Document.office_id == office_id)
    return s.scalar(q.limit(1)) is not None


def retryable(s: Session, source: str, sha256: str) -> Document | None:
    """The latest record of this very drop that failed (nasti's own error) and kept its original in the share."""
    return s.scalar(select(Document).where(Document.source == source, Document.sha256 == sha256,
                                           Document.status == "failed")
                    .order_by(Document.id.desc()).limit(1))


def open_rejections(s: Session, source: str, exclude_id: int) -> list[Document]:
    """Earlier rejections of a file under this name that no later good drop has closed yet."""
    return list(s.scalars(select(Document).where(Document.source == source, Document.id != exclude_id,
                                                 Document.status == "rejected",
                                                 Document.resolved_by_id.is_(None))))


def clear_pages(s: Session, doc_id: int) -> None:
    s.execute(delete(Page).where(Page.document_id == doc_id))
