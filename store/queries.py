"""Read-side queries: document listings, one document, per-branch counts."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, selectinload

from store.models import Branch, Document, Page


def _iso(t: dt.datetime | None) -> str | None:
    if t is None:
        return None
    return (t if t.tzinfo else t.replace(tzinfo=dt.UTC)).isoformat()


def document_dict(doc: Document, archive: Path) -> dict[str, Any]:
    """The contract shape of DESIGN.md §3 (plus a few helpful extras)."""
    return {
        "id": doc.id,
        "source": doc.source,
        "sha256": doc.sha256,
        "status": doc.status,
        "needs_review": bool(doc.needs_review),
        "reason": doc.reason,
        "reason_hi": doc.reason_hi,
        "reason_code": doc.reason_code,
        "branch": doc.branch.key if doc.branch else None,
        "file_number": doc.file_number,
        "pages": doc.pages or 0,
        "blank_pages": doc.blank_pages or 0,
        "confidence": doc.confidence,
        "pdf": str(archive / doc.pdf_path) if doc.pdf_path else None,
        "archive": str(archive / doc.archive_path) if doc.archive_path else None,
        "rejected_path": doc.rejected_path,
        "duplicate_of": doc.duplicate_of_id,
        "received_at": _iso(doc.received_at),
        "done_at": _iso(doc.done_at),
    }


def page_dict(p: Page) -> dict[str, Any]:
    return {"number": p.number, "text": p.text, "confidence": p.confidence, "blank": bool(p.blank),
            "language": p.language, "rotation": p.rotation}


def documents(s: Session, *, branch: str | None = None, status: str | None = None,
              limit: int | None = None) -> list[Document]:
    q = select(Document).options(selectinload(Document.branch)).order_by(Document.id)
    if branch:
        q = q.join(Branch, Document.branch_id == Branch.id).where(Branch.key == branch)
    if status:
        q = q.where(Document.status == status)
    if limit:
        q = q.limit(limit)
    return list(s.scalars(q))


def document(s: Session, doc_id: int) -> Document | None:
    return s.scalar(select(Document).options(selectinload(Document.branch), selectinload(Document.page_rows))
                    .where(Document.id == doc_id))


@dataclass(frozen=True)
class BranchCounts:
    branch: str
    name_hi: str
    name_en: str
    documents: int
    pages: int
    blank_pages: int
    done: int
    rejected: int
    duplicate: int
    in_progress: int
    needs_review: int


def status_counts(s: Session) -> list[BranchCounts]:
    def count(status: str) -> Any:
        return func.sum(case((Document.status == status, 1), else_=0))

    q = (select(Branch.key, Branch.name_hi, Branch.name_en, func.count(Document.id),
                func.coalesce(func.sum(Document.pages), 0), func.coalesce(func.sum(Document.blank_pages), 0),
                count("done"), count("rejected"), count("duplicate"),
                func.sum(case((Document.status.in_(("received", "processing")), 1), else_=0)),
                func.sum(case((Document.needs_review.is_(True), 1), else_=0)))
         .select_from(Branch).outerjoin(Document, Document.branch_id == Branch.id)
         .group_by(Branch.id).order_by(Branch.key))
    rows = [BranchCounts(r[0], r[1], r[2], *(int(x or 0) for x in r[3:])) for r in s.execute(q)]
    top = s.execute(select(func.count(Document.id), func.sum(case((Document.status == "rejected", 1), else_=0)))
                    .where(Document.branch_id.is_(None))).one()
    if top[0]:
        rows.append(BranchCounts("(share root)", "(मुख्य फ़ोल्डर)", "(share root)", int(top[0]), 0, 0, 0,
                                 int(top[1] or 0), 0, 0, 0))
    return rows
