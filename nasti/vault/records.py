"""Keep each searchable PDF's record in step with its document after a person changes the tags (review).

The pipeline writes the record once, when the document is done; `review assign` (and a register import that
matches again) change the database afterwards. :func:`stale` says whether a PDF's record still describes its row;
:func:`refresh` rewrites the records that do not (atomically, see ``ocr.xmp.write_description``).
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ocr.xmp import read_description, write_description
from store.db import Store
from store.describe import describe
from store.models import Branch, Document

# what a person can change after the document was done; the rest of the record never changes
TAGS = ("file_number", "file_number_key", "file_number_source", "file_number_alt", "subject", "letter_date",
        "needs_review", "reason_code", "branch")


def _tags(doc: Document, branch: Branch | None) -> dict[str, Any]:
    return {"file_number": doc.file_number, "file_number_key": doc.file_number_key,
            "file_number_source": doc.file_number_source, "file_number_alt": doc.file_number_alt,
            "subject": doc.subject, "letter_date": doc.letter_date.isoformat() if doc.letter_date else None,
            "needs_review": bool(doc.needs_review), "reason_code": doc.reason_code,
            "branch": branch.key if branch else None}


def stale(record: dict[str, Any], doc: Document, branch: Branch | None) -> list[str]:
    """The tag fields where ``record`` no longer says what the database says."""
    now = _tags(doc, branch)
    return [k for k in TAGS if record.get(k) != now[k]]


def _refresh_one(s: Session, doc: Document, archive: Path) -> bool:
    pdf = archive / (doc.pdf_path or "")
    if doc.status != "done" or not pdf.is_file():
        return False
    record = read_description(pdf)
    branch = s.get(Branch, doc.branch_id) if doc.branch_id else None
    if record is not None and not stale(record, doc, branch):
        return False
    write_description(pdf, describe(s, doc))
    return True


def refresh(store: Store, archive: Path, ids: Iterable[int] | None = None) -> int:
    """Rewrite the records of the given done documents (all when ``ids`` is None) that are stale or missing."""
    n = 0
    with store.session() as s:
        q = select(Document).where(Document.status == "done").order_by(Document.id)
        if ids is not None:
            q = q.where(Document.id.in_(list(ids)))
        for doc in s.scalars(q):
            n += _refresh_one(s, doc, archive)
    return n
