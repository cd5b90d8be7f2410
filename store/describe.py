"""A done document as a plain record (written into its searchable PDF), and back again.

:func:`describe` is what the pipeline embeds with ``ocr.xmp.write_description``; :func:`attach` is how ``nasti
rebuild`` and ``nasti restore`` put a record from the archive back into the database (with an event naming the
actor), reindexing its pages for search.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from store import repo
from store.models import Branch, Document, Event, Page, RegisterFile, utcnow
from store.search.index import index_document

__all__ = ["DOC_FIELDS", "attach", "describe"]

# Document columns copied as they are (the rest — dates, branch, pages — are converted below)
DOC_FIELDS = ("id", "source", "share_path", "sha256", "size", "kind", "status", "needs_review", "reason_code",
              "reason", "reason_hi", "file_number", "file_number_key", "file_number_source",
              "file_number_confidence", "file_number_alt", "subject", "blank_pages", "confidence", "archive_path",
              "pdf_path", "match_score", "batch_seq", "part")
PAGE_FIELDS = ("number", "text", "confidence", "blank", "language", "rotation", "seconds", "kind", "part")


def _iso(t: dt.datetime | dt.date | None) -> str | None:
    if isinstance(t, dt.datetime) and t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)       # the database keeps naive UTC
    return t.isoformat() if t is not None else None


def describe(s: Session, doc: Document) -> dict[str, Any]:
    """Everything needed to recreate ``doc`` (status done) with its pages, tags and index rows."""
    rec: dict[str, Any] = {k: getattr(doc, k) for k in DOC_FIELDS}
    rec["status"] = "done"
    branch = s.get(Branch, doc.branch_id) if doc.branch_id else None
    if branch is not None:
        rec.update(branch=branch.key, branch_code=branch.code, branch_name_hi=branch.name_hi,
                   branch_name_en=branch.name_en, branch_configured=bool(branch.configured))
    register = s.get(RegisterFile, doc.register_file_id) if doc.register_file_id else None
    rec["register_file_number"] = register.file_number if register else None
    rec["batch_id"] = doc.batch_id   # the drop a cover split it from (restored by attach when that drop is there)
    rec["letter_date"] = _iso(doc.letter_date)
    rec["received_at"] = _iso(doc.received_at)
    rec["done_at"] = _iso(doc.done_at or utcnow())
    pages = s.scalars(select(Page).where(Page.document_id == doc.id).order_by(Page.number))
    rec["pages"] = [{k: getattr(p, k) for k in PAGE_FIELDS} for p in pages]
    return rec


def _date(v: Any) -> dt.date | None:
    return dt.date.fromisoformat(v) if isinstance(v, str) and v else None


def _time(v: Any) -> dt.datetime | None:
    if not isinstance(v, str) or not v:
        return None
    t = dt.datetime.fromisoformat(v)
    return t.astimezone(dt.UTC).replace(tzinfo=None) if t.tzinfo else t


def _branch_id(s: Session, office_id: int, rec: dict[str, Any], known: dict[str, int]) -> int | None:
    key = rec.get("branch")
    if not key:
        return None
    if key not in known:
        found = s.scalar(select(Branch).where(Branch.office_id == office_id, Branch.key == key))
        known[key] = found.id if found is not None else repo.ensure_branch(
            s, office_id, key=key, code=rec.get("branch_code") or key[:8].upper(),
            name_hi=rec.get("branch_name_hi") or key, name_en=rec.get("branch_name_en") or key, cutover=None,
            configured=bool(rec.get("branch_configured"))).id
    return known[key]


def attach(s: Session, rec: dict[str, Any], *, office_id: int, actor: str, detail: str,
           doc: Document | None = None, branches: dict[str, int] | None = None) -> Document:
    """Insert the record as document ``rec["id"]`` — or complete ``doc``, an unfinished row of the same drop —
    with its pages and search rows, status done, and one event by ``actor``. ``branches`` caches branch ids by key
    across calls."""
    fields = {k: rec.get(k) for k in DOC_FIELDS if k not in ("id", "status")}
    fields["needs_review"] = bool(fields["needs_review"])
    fields["size"] = int(fields["size"] or 0)
    fields["blank_pages"] = int(fields["blank_pages"] or 0)
    pages = [p for p in rec.get("pages") or [] if isinstance(p, dict)]
    fresh = doc is None
    if doc is None:
        doc = Document(id=int(rec["id"]), office_id=office_id, status="done", settled=True,
                       received_at=_time(rec.get("received_at")) or utcnow())
        s.add(doc)
        s.add(Event(document_id=doc.id, from_state=None, to_state="done", detail=detail, actor=actor, at=utcnow()))
    else:
        repo.clear_pages(s, doc.id)
        repo.transition(s, doc, "done", detail, actor=actor)
    for k, v in fields.items():
        setattr(doc, k, v)
    doc.branch_id = _branch_id(s, office_id, rec, {} if branches is None else branches)
    doc.letter_date = _date(rec.get("letter_date"))
    doc.done_at = _time(rec.get("done_at")) or utcnow()
    doc.pages = sum(not p.get("kind") for p in pages) if pages else int(rec.get("page_count") or 0)  # no covers
    doc.part = doc.part or "receipts"   # a record written before migration 0009 has none
    doc.register_file_id = None   # the register is imported separately; `register import` matches again
    batch = rec.get("batch_id")   # attached in id order: a batch's drop (its smallest id) is there before the rest
    doc.batch_id = int(batch) if isinstance(batch, int) and (batch == doc.id or s.get(Document, batch)) else None
    doc.match_score = None
    s.flush()
    for p in pages:
        s.add(Page(document_id=doc.id, **{k: p.get(k) for k in PAGE_FIELDS if k != "text"},
                   text=p.get("text") or ""))
    s.flush()
    index_document(s, doc, [(int(p["number"]), p.get("text") or "") for p in pages], fresh=fresh)
    return doc
