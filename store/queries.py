"""Read-side queries: document listings, one document, per-branch counts, the register with its matches."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session, selectinload

from store import repo
from store.counts import BranchTally, tallies
from store.models import Branch, Document, Event, Office, Page, RegisterFile, User


def digitised(register_file_id: Any) -> ColumnElement[bool]:
    """The one definition of a digitised register file, as a condition on a register-file id column: a done
    document is matched to it and none of its documents awaits review."""
    done = select(Document.register_file_id).where(Document.status == "done", Document.register_file_id.is_not(None))
    waiting = select(Document.register_file_id).where(Document.needs_review.is_(True),
                                                      Document.register_file_id.is_not(None))
    return and_(register_file_id.in_(done), register_file_id.not_in(waiting))


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
        "file_number_source": doc.file_number_source,
        "file_number_confidence": doc.file_number_confidence,
        "file_number_alt": doc.file_number_alt,
        "subject": doc.subject,
        "letter_date": doc.letter_date.isoformat() if doc.letter_date else None,
        "register_file_id": doc.register_file_id,
        "match_score": doc.match_score,
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


def office_ids(office: str) -> Any:
    """The ids of the office with key ``office`` (a subquery: empty when there is none yet)."""
    return select(Office.id).where(Office.key == office).scalar_subquery()


def documents(s: Session, *, branch: str | None = None, status: str | None = None,
              limit: int | None = None, office: str | None = None) -> list[Document]:
    """Documents (of one branch, of one office: a branch key names a branch within an office)."""
    q = select(Document).options(selectinload(Document.branch)).order_by(Document.id)
    if branch:
        q = q.join(Branch, Document.branch_id == Branch.id).where(Branch.key == branch)
    if office:
        q = q.where(Document.office_id.in_(office_ids(office)))
    if status:
        q = q.where(Document.status == status)
    if limit:
        q = q.limit(limit)
    return list(s.scalars(q))


MAX_ID = 2**63 - 1  # the largest id a database row can have; a larger one is no document, not a driver error


def document(s: Session, doc_id: int) -> Document | None:
    if not 0 < doc_id <= MAX_ID:
        return None
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
    register_files: int = 0      # files in the branch register; without a register, distinct numbers seen
    digitised_files: int = 0     # of those: a done document matched, none of its documents awaiting review


def _branch_counts(t: BranchTally) -> BranchCounts:
    files, digitised_ = t.files
    return BranchCounts(t.key, t.name_hi, t.name_en, t.documents, t.pages, t.blank_pages, t.done, t.rejected_open,
                        t.duplicates, t.in_progress, t.needs_review, files, digitised_)


def status_counts_by_office(s: Session) -> dict[int, list[BranchCounts]]:
    """Office id → its branches' counts (as ``status_counts`` of that office; no share-root row), read from the
    summary tables for every office at once (the roll-up)."""
    out: dict[int, list[BranchCounts]] = {}
    for t in tallies(s):
        if t.branch_id:
            out.setdefault(t.office_id, []).append(_branch_counts(t))
    return out


def status_counts(s: Session, office: str | None = None) -> list[BranchCounts]:
    """Per branch (of one office, when ``office`` names it): documents by state, pages, register files; then a
    share-root row when documents lie outside every branch. Read from the summary tables (store.counts)."""
    rows, top, rejected = [], 0, 0
    for t in tallies(s, office):
        if t.branch_id:
            rows.append(_branch_counts(t))
        else:
            top, rejected = top + t.documents, rejected + t.rejected_open
    if top:
        rows.append(BranchCounts("(share root)", "(मुख्य फ़ोल्डर)", "(share root)", top, 0, 0, 0, rejected, 0, 0, 0))
    return rows


def register_counts(s: Session, office: str | None = None) -> dict[str, dict[str, int]]:
    """Per branch key (of one office: keys repeat across offices): ``register_files`` and ``digitised_files``. A
    register file is digitised when a done document is matched to it and none of its documents awaits review. A
    branch with no register counts the distinct file-number keys of its done documents (digitised: no document
    with that key awaits review); a branch with neither is left out."""
    out: dict[str, dict[str, int]] = {}
    for t in tallies(s, office):
        files, done = t.files
        if t.branch_id and files:
            out[t.key] = {"register_files": files, "digitised_files": done}
    return out


def register_dicts(s: Session, branch: str | None = None, office: str | None = None) -> list[dict[str, Any]]:
    """The register files (of one branch) with their matched documents and digitised state."""
    done = digitised(RegisterFile.id)
    q = (select(RegisterFile, Branch.key, func.count(Document.id), done)
         .join(Branch, RegisterFile.branch_id == Branch.id)
         .outerjoin(Document, Document.register_file_id == RegisterFile.id)
         .group_by(RegisterFile.id, Branch.key).order_by(Branch.key, RegisterFile.id))
    if branch:
        q = q.where(Branch.key == branch)
    if office:
        q = q.where(Branch.office_id.in_(office_ids(office)))
    return [{"id": r.id, "branch": key, "file_number": r.file_number, "key": r.key, "subject": r.subject,
             "year": r.year, "category": r.category, "expected_pages": r.expected_pages, "location": r.location,
             "documents": int(n), "digitised": bool(ok)}
            for r, key, n, ok in s.execute(q)]


def unmatched_documents(s: Session, branch: str | None = None) -> list[Document]:
    """Done documents of branches that have a register, whose file number matched no register file."""
    q = (select(Document).options(selectinload(Document.branch)).join(Branch, Document.branch_id == Branch.id)
         .where(Document.status == "done", Document.register_file_id.is_(None),
                Document.branch_id.in_(select(RegisterFile.branch_id)))
         .order_by(Document.id))
    if branch:
        q = q.where(Branch.key == branch)
    return list(s.scalars(q))


def branch(s: Session, key: str, office: str | None = None) -> Branch | None:
    """The branch ``key`` of the office (default: this deployment's own, ``repo.OFFICE``) as stored (no config:
    ``store.cases.branch`` also creates a configured one). A branch is (office, key): never the key alone."""
    return s.scalar(select(Branch).join(Office, Branch.office_id == Office.id)
                    .where(Office.key == (office or repo.OFFICE), Branch.key == key))


def branches(s: Session) -> list[Branch]:
    return list(s.scalars(select(Branch).order_by(Branch.key)))


def users(s: Session) -> list[User]:
    return list(s.scalars(select(User).options(selectinload(User.branch)).order_by(User.name)))


def events(s: Session, doc_id: int) -> list[Event]:
    """The document's history, oldest first."""
    return list(s.scalars(select(Event).where(Event.document_id == doc_id).order_by(Event.id)))


def visible(s: Session, ids: list[int], offices: frozenset[str] | None, branch: str | None, office: str | None,
            *, wide: bool) -> set[int]:
    """Of the documents ``ids``, those a person may see: ``offices`` None = every one; ``wide`` (collector,
    commissioner, state) = every branch of those offices; else only ``branch`` of ``office``."""
    if not ids:
        return set()
    q = select(Document.id).join(Office, Office.id == Document.office_id).where(Document.id.in_(ids))
    if offices is not None:
        q = q.where(Office.key.in_(offices))
    if not wide:
        q = q.join(Branch, Branch.id == Document.branch_id).where(Branch.key == branch, Office.key == office)
    return set(s.scalars(q))
