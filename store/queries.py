"""Read-side queries: document listings, one document, per-branch counts, the register with its matches."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, and_, case, distinct, func, select
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Session, aliased, selectinload

from store import repo
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


def _count(status: str) -> Any:
    return func.sum(case((Document.status == status, 1), else_=0))


def _branch_counts_query() -> Any:
    """Per branch: id, key, names, documents, pages, blank pages, done, open rejections, duplicates, in
    progress, awaiting review; then the office id."""
    count = _count
    return (select(Branch.id, Branch.key, Branch.name_hi, Branch.name_en, func.count(Document.id),
                   func.coalesce(func.sum(Document.pages), 0), func.coalesce(func.sum(Document.blank_pages), 0),
                   count("done"), func.sum(case(((Document.status == "rejected") & Document.resolved_by_id.is_(None),
                                                 1), else_=0)), count("duplicate"),
                   func.sum(case((Document.status.in_(("received", "processing")), 1), else_=0)),
                   func.sum(case((Document.needs_review.is_(True), 1), else_=0)), Branch.office_id)
            .select_from(Branch).outerjoin(Document, Document.branch_id == Branch.id)
            .group_by(Branch.id).order_by(Branch.key))


def status_counts_by_office(s: Session) -> dict[int, list[BranchCounts]]:
    """Office id → its branches' counts (as ``status_counts`` of that office; no share-root row), in one pass
    over the database for every office (the roll-up)."""
    files = _register_counts(s)
    out: dict[int, list[BranchCounts]] = {}
    for r in s.execute(_branch_counts_query()):
        out.setdefault(r[-1], []).append(
            replace(BranchCounts(r[1], r[2], r[3], *(int(x or 0) for x in r[4:-1])), **files.get(r[0], {})))
    return out


def status_counts(s: Session, office: str | None = None) -> list[BranchCounts]:
    """Per branch (of one office, when ``office`` names it): documents by state, pages, register files."""
    def count(status: str) -> Any:
        return func.sum(case((Document.status == status, 1), else_=0))

    q = (select(Branch.id, Branch.key, Branch.name_hi, Branch.name_en, func.count(Document.id),
                func.coalesce(func.sum(Document.pages), 0), func.coalesce(func.sum(Document.blank_pages), 0),
                count("done"), func.sum(case(((Document.status == "rejected") & Document.resolved_by_id.is_(None), 1),
                                             else_=0)), count("duplicate"),
                func.sum(case((Document.status.in_(("received", "processing")), 1), else_=0)),
                func.sum(case((Document.needs_review.is_(True), 1), else_=0)))
         .select_from(Branch).outerjoin(Document, Document.branch_id == Branch.id)
         .group_by(Branch.id).order_by(Branch.key))
    if office:
        q = q.where(Branch.office_id.in_(office_ids(office)))
    files = _register_counts(s, office)
    rows = [replace(BranchCounts(r[1], r[2], r[3], *(int(x or 0) for x in r[4:])), **files.get(r[0], {}))
            for r in s.execute(q)]
    top_q = (select(func.count(Document.id), func.sum(case(((Document.status == "rejected")
                                                          & Document.resolved_by_id.is_(None), 1), else_=0)))
             .where(Document.branch_id.is_(None)))
    if office:
        top_q = top_q.where(Document.office_id.in_(office_ids(office)))
    top = s.execute(top_q).one()
    if top[0]:
        rows.append(BranchCounts("(share root)", "(मुख्य फ़ोल्डर)", "(share root)", int(top[0]), 0, 0, 0,
                                 int(top[1] or 0), 0, 0, 0))
    return rows


def register_counts(s: Session, office: str | None = None) -> dict[str, dict[str, int]]:
    """Per branch key (of one office: keys repeat across offices): see ``_register_counts``."""
    keys = dict(s.execute(select(Branch.id, Branch.key)).all())
    return {keys[i]: v for i, v in _register_counts(s, office).items()}


def _register_counts(s: Session, office: str | None = None) -> dict[int, dict[str, int]]:
    """Per branch id: ``register_files`` and ``digitised_files``. A register file is digitised when a done
    document is matched to it and none of its documents awaits review. A branch with no register counts the
    distinct file-number keys of its done documents (digitised: no document with that key awaits review).
    ``office``: only that office's branches (branch keys repeat across offices)."""
    mine = Branch.office_id.in_(office_ids(office)) if office else sa_true()
    out: dict[int, dict[str, int]] = {}
    totals = s.execute(select(Branch.id, func.count(RegisterFile.id)).join(RegisterFile,
                       RegisterFile.branch_id == Branch.id).where(mine).group_by(Branch.id)).all()
    done = dict(s.execute(
        select(Branch.id, func.count(RegisterFile.id)).join(RegisterFile, RegisterFile.branch_id == Branch.id)
        .where(digitised(RegisterFile.id), mine).group_by(Branch.id)).all())
    for key, n in totals:
        out[key] = {"register_files": int(n), "digitised_files": int(done.get(key, 0))}
    bare = list(s.scalars(select(Branch.id).where(Branch.id.not_in(select(RegisterFile.branch_id)), mine)))
    if not bare:  # every branch has a register: skip the scan of done documents below
        return out
    other = aliased(Document)
    pending = (select(other.id).where(other.branch_id == Document.branch_id,
                                      other.file_number_key == Document.file_number_key,
                                      other.needs_review.is_(True)).exists())
    seen = s.execute(
        select(Branch.id, func.count(distinct(Document.file_number_key)),
               func.count(distinct(case((~pending, Document.file_number_key)))))
        .join(Document, Document.branch_id == Branch.id)
        .where(Document.status == "done", Document.file_number_key.is_not(None), Document.branch_id.in_(bare))
        .group_by(Branch.id)).all()
    for key, n, ok in seen:
        out[key] = {"register_files": int(n), "digitised_files": int(ok)}
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
