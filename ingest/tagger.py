"""Tags of a done document: file number (path first, then the first pages' text), subject, letter date, the matching
register file, and whether a person must review it (with the reason, English and Hindi).

Called once per document from ``Ingestor._archive`` (``tag_and_index``). Matching to the register and the review
rules live in ``store.matching`` (a register import and a person's assignment use them too). A number assigned by a
person (``file_number_source == "review"``) is never changed.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy.orm import Session

from common.config import Config
from ingest.tagging.fields import letter_date, subject
from ingest.tagging.file_number import FileNumber, best, find_conflict, from_path, from_text
from store.matching import REVIEWED, ReviewReason, flag, match, rematch_branch, review_reasons
from store.models import Branch, Document
from store.register import RegisterIndex
from store.search.index import index_document

__all__ = ["REVIEWED", "ReviewReason", "apply_tags", "rematch_branch", "review_reasons", "tag_and_index"]

log = logging.getLogger("nasti.tags")


def _path_candidate(source: str) -> FileNumber | None:
    """The file number in the path below the branch folder (the branch folder's name is not a file number)."""
    parts = source.split("/")
    return from_path("/".join(parts[1:]) if len(parts) > 1 else source)


def apply_tags(s: Session, doc: Document, texts: Sequence[str], cfg: Config) -> None:
    """Tag ``doc`` from its page texts (page 1 first) and its source path; match it to its branch's register."""
    pages = [t or "" for t in texts[: max(1, cfg.tags.text_pages)]]
    path_candidate = _path_candidate(doc.source)
    text_candidates = [c for i, t in enumerate(pages, start=1) for c in from_text(t, i)]
    chosen = best(path_candidate, text_candidates)
    conflict = find_conflict(path_candidate, text_candidates)
    doc.file_number = chosen.value if chosen else None
    doc.file_number_key = chosen.key if chosen else None
    doc.file_number_source = chosen.source if chosen else None
    doc.file_number_confidence = chosen.confidence if chosen else None
    doc.file_number_alt = conflict.value if conflict else None
    doc.subject = next((x for x in map(subject, pages) if x), None)
    doc.letter_date = next((x for x in map(letter_date, pages) if x), None)
    branch = s.get(Branch, doc.branch_id) if doc.branch_id else None
    match(doc, RegisterIndex(s, branch.id) if branch else None, cfg.tags)
    flag(doc, review_reasons(doc, branch, cfg))


def tag_and_index(s: Session, doc: Document, pages: Sequence[tuple[int, str]], cfg: Config) -> None:
    """The one call of the pipeline: tags from the page texts, then the search index rows of the document.

    A failure here must not lose the archived document: it is logged and the document is flagged for review."""
    try:
        with s.begin_nested():
            apply_tags(s, doc, [t for _, t in sorted(pages)], cfg)
            index_document(s, doc, pages)
    except Exception as e:
        log.exception("tagging %s failed", doc.source)
        flag(doc, [ReviewReason("tagging_failed", f"tagging failed ({type(e).__name__}: {e}); tag it by hand",
                                 "टैग अपने-आप नहीं लग सके — क्रमांक और शाखा हाथ से दर्ज करें")])
