"""Tags of a done document: file number (path first, then the first pages' text), subject, letter date, the matching
register file, and whether a person must review it (with the reason, English and Hindi).

Called once per document from ``Ingestor._archive`` (``tag_and_index``), again for a branch after its register is
imported (``rematch_branch``). A number assigned by a person (``file_number_source == "review"``) is never changed.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from ingest.pages import doubtful_number, page_reason
from ingest.tagging.fields import letter_date, subject
from ingest.tagging.file_number import FileNumber, best, find_conflict, from_path, from_text
from nasti.config import Config
from store.models import Branch, Document, RegisterFile
from store.register import RegisterIndex
from store.review import REVIEWED
from store.search.index import index_document, reindex_meta

__all__ = ["REVIEWED", "ReviewReason", "apply_tags", "rematch_branch", "review_reasons", "tag_and_index"]

log = logging.getLogger("nasti.tags")


@dataclass(frozen=True)
class ReviewReason:
    code: str
    en: str
    hi: str


def _path_candidate(source: str) -> FileNumber | None:
    """The file number in the path below the branch folder (the branch folder's name is not a file number)."""
    parts = source.split("/")
    return from_path("/".join(parts[1:]) if len(parts) > 1 else source)


def _doubtful(doc: Document) -> bool:
    """The file number was read from a page through digits tesseract was unsure of (ingest.pages)."""
    s = object_session(doc)
    return bool(s and doc.file_number and doc.file_number_source
                and doubtful_number(s, doc.id, doc.file_number, doc.file_number_source))


def _match(doc: Document, index: RegisterIndex | None, cfg: Config) -> None:
    if _doubtful(doc):   # a doubtful digit may name another file: a person reads it first
        index = None
    found = index.match(doc.file_number_key, cfg.tags.fuzzy_threshold) if index else None
    doc.register_file_id = found.register_file_id if found else None
    doc.match_score = found.score if found else None
    if found is not None and not found.digits_agree:  # another file's number, not OCR noise: never trust it
        doc.match_score = min(found.score, cfg.tags.review_match_below - 0.1)


def review_reasons(doc: Document, branch: Branch | None, cfg: Config) -> list[ReviewReason]:
    """Why ``doc`` needs a person, from its stored tags (empty: it does not)."""
    if doc.file_number_source == REVIEWED:
        return []
    t = cfg.tags
    out: list[ReviewReason] = []
    if branch is not None and not branch.configured and cfg.watch.unknown_branch == "review":
        out.append(ReviewReason(
            "unknown_branch", f"folder '{branch.key}' is not a configured branch (no [branches.{branch.key}]); "
                              "assign the branch",
            f"फ़ोल्डर '{branch.key}' किसी शाखा से जुड़ा नहीं है — शाखा तय करें"))
    if not doc.file_number:
        out.append(ReviewReason(
            "no_file_number", f"no file number found in the file name or the first {t.text_pages} pages",
            f"फ़ाइल क्रमांक न फ़ाइल के नाम में मिला, न पहले {t.text_pages} पृष्ठों में — क्रमांक दर्ज करें"))
    elif doc.file_number_alt:
        out.append(ReviewReason(
            "file_number_conflict", f"the file name says {doc.file_number} but the page text says "
                                    f"{doc.file_number_alt}",
            f"फ़ाइल के नाम में क्रमांक {doc.file_number} है पर पृष्ठ पर {doc.file_number_alt} — सही क्रमांक चुनें"))
    if doc.register_file_id and doc.match_score is not None and doc.match_score < t.review_match_below:
        s = object_session(doc)
        register = s.get(RegisterFile, doc.register_file_id) if s else None
        shown = register.file_number if register else f"#{doc.register_file_id}"
        out.append(ReviewReason(
            "low_match", f"file number {doc.file_number} matches register file {shown} only approximately "
                         f"(score {doc.match_score:.0f} < {t.review_match_below:.0f})",
            f"क्रमांक {doc.file_number} रजिस्टर की नस्ती {shown} से पूरा मेल नहीं खाता "
            f"(मिलान {doc.match_score:.0f}) — जाँचें"))
    if doc.file_number and _doubtful(doc):
        out.append(ReviewReason(
            "doubtful_digits", f"the digits of file number {doc.file_number} ({doc.file_number_source}) were read "
                               "with low confidence; check it against the page",
            f"फ़ाइल क्रमांक {doc.file_number} के अंक साफ़ नहीं पढ़े गए — पृष्ठ से मिलाकर जाँचें"))
    s = object_session(doc)
    page = page_reason(s, doc.id) if s is not None and doc.id is not None else None
    if page is not None:    # a badly read page keeps the document in review whatever its mean confidence
        out.append(ReviewReason(page.code, page.en, page.hi))
    if doc.confidence is not None and doc.confidence < t.min_confidence:
        out.append(ReviewReason(
            "low_confidence", f"mean OCR confidence {doc.confidence:.1f} is below {t.min_confidence:.0f}",
            f"OCR विश्वसनीयता {doc.confidence:.1f} है, सीमा {t.min_confidence:.0f} से कम — स्कैन जाँचें"))
    return out


def _flag(doc: Document, reasons: Sequence[ReviewReason]) -> None:
    doc.needs_review = bool(reasons)
    doc.reason_code = reasons[0].code if reasons else None
    doc.reason = "; ".join(r.en for r in reasons) or None
    doc.reason_hi = "; ".join(r.hi for r in reasons) or None


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
    _match(doc, RegisterIndex(s, branch.id) if branch else None, cfg)
    _flag(doc, review_reasons(doc, branch, cfg))


def tag_and_index(s: Session, doc: Document, pages: Sequence[tuple[int, str]], cfg: Config) -> None:
    """The one call of the pipeline: tags from the page texts, then the search index rows of the document.

    A failure here must not lose the archived document: it is logged and the document is flagged for review."""
    try:
        with s.begin_nested():
            apply_tags(s, doc, [t for _, t in sorted(pages)], cfg)
            index_document(s, doc, pages)
    except Exception as e:
        log.exception("tagging %s failed", doc.source)
        _flag(doc, [ReviewReason("tagging_failed", f"tagging failed ({type(e).__name__}: {e}); tag it by hand",
                                 "टैग अपने-आप नहीं लग सके — क्रमांक और शाखा हाथ से दर्ज करें")])


def rematch_branch(s: Session, branch: Branch, cfg: Config) -> int:
    """Match the branch's done documents to its (new) register again; returns how many changed match."""
    index = RegisterIndex(s, branch.id)
    changed = 0
    for doc in s.scalars(select(Document).where(Document.branch_id == branch.id, Document.status == "done")):
        before = (doc.register_file_id, doc.match_score)
        _match(doc, index, cfg)
        _flag(doc, review_reasons(doc, branch, cfg))
        if (doc.register_file_id, doc.match_score) != before:
            changed += 1
            reindex_meta(s, doc)
    return changed
