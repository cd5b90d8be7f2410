"""The review queue: done documents a person must look at, and the audited assignment that resolves one."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from store.matching import REVIEWED, flag, match, review_reasons
from store.models import Branch, Document, Event, utcnow
from store.register import RegisterIndex
from store.search.index import reindex_meta

if TYPE_CHECKING:
    from common.config import Config

__all__ = ["REVIEWED", "Assignment", "ReviewError", "assign", "queue"]


class ReviewError(ValueError):
    """The assignment cannot be made; the message says why."""


def queue(s: Session, branch: str | None = None, office: str | None = None) -> list[Document]:
    """Done documents flagged ``needs_review`` (of one branch; of one office), oldest first."""
    q = (select(Document).options(selectinload(Document.branch))
         .where(Document.status == "done", Document.needs_review.is_(True)).order_by(Document.id))
    if branch:
        q = q.join(Branch, Document.branch_id == Branch.id).where(Branch.key == branch)
    if office:
        from store.queries import office_ids

        q = q.where(Document.office_id.in_(office_ids(office)))
    return list(s.scalars(q))


@dataclass(frozen=True)
class Assignment:
    file_number: str     # as printed, digits folded, label stripped
    key: str             # its matching key
    branch: Branch | None = None


def assign(s: Session, doc: Document, what: Assignment, *, actor: str, cfg: Config) -> Event:
    """Set the document's file number (and branch), match it to the register with the tagger's rules, re-index it,
    and record who did it as an event (state unchanged). The review flag clears unless the number only matches the
    register approximately (a register file with other digits is another file: the document stays flagged)."""
    if doc.status != "done":
        raise ReviewError(f"document {doc.id} is {doc.status}; only done documents can be assigned")
    if not any(c.isdigit() for c in what.key):  # a label (क्रमांक, F.No.) or a word alone is no file number
        raise ReviewError(f"'{what.file_number}' is not a file number (it has no digits)")
    if not actor.strip():
        raise ReviewError("say who assigns it (--by NAME)")
    changes = []
    if doc.file_number != what.file_number:
        changes.append(f"file number {doc.file_number or '(none)'} → {what.file_number}")
    if what.branch is not None and what.branch.id != doc.branch_id:
        old = s.get(Branch, doc.branch_id).key if doc.branch_id else "(none)"
        changes.append(f"branch {old} → {what.branch.key}")
        doc.branch_id, doc.branch = what.branch.id, what.branch
    doc.file_number, doc.file_number_key = what.file_number, what.key
    doc.file_number_source, doc.file_number_confidence, doc.file_number_alt = REVIEWED, 1.0, None
    branch = doc.branch
    match(doc, RegisterIndex(s, branch.id) if branch else None, cfg.tags)
    before = doc.reason if doc.needs_review else None
    flag(doc, review_reasons(doc, branch, cfg))
    if before and before != doc.reason:
        changes.append(f"resolved: {before}")
    if doc.needs_review:
        changes.append(f"still needs review: {doc.reason}")
    doc.updated_at = utcnow()
    event = Event(document_id=doc.id, from_state=doc.status, to_state=doc.status, actor=actor.strip(), at=utcnow(),
                  detail="review: " + ("; ".join(changes) or "confirmed"))
    s.add(event)
    s.flush()
    reindex_meta(s, doc)
    return event
