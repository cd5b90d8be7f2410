"""How a document meets its branch register, and when a person must look at it: one set of rules for the tagger
(``ingest.tagger``), a register import (re-matching) and a person's assignment (``store.review``).

A fuzzy match whose digits differ from the register file's is another file, not OCR noise: it is never trusted —
its score is held below ``review_match_below`` so the document is flagged, whoever gave the number.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from common.text import digit_groups
from store.models import Branch, Document, RegisterFile
from store.pagereview import doubtful_number, page_reason
from store.register import RegisterIndex, digits
from store.search.index import reindex_meta

if TYPE_CHECKING:
    from common.config import Config, TagsConfig

__all__ = ["REVIEWED", "ReviewReason", "flag", "match", "rematch_branch", "review_reasons"]

REVIEWED = "review"   # document.file_number_source of a number a person assigned


@dataclass(frozen=True)
class ReviewReason:
    code: str
    en: str
    hi: str


def _doubtful(doc: Document) -> bool:
    """The file number was read from a page through digits tesseract was unsure of (store.pagereview)."""
    s = object_session(doc)
    return bool(s and doc.id and doc.file_number and doc.file_number_source
                and doubtful_number(s, doc.id, doc.file_number, doc.file_number_source))


def match(doc: Document, index: RegisterIndex | None, tags: TagsConfig) -> None:
    """Set the document's register file and match score from its file-number key. A number read through doubtful
    digits is not matched: a doubtful digit may name another file, so a person reads it first."""
    if doc.file_number_source != REVIEWED and _doubtful(doc):
        index = None
    found = index.match(doc.file_number_key, tags.fuzzy_threshold, doc.file_number) if index else None
    doc.register_file_id = found.register_file_id if found else None
    doc.match_score = found.score if found else None
    if found is not None and not found.digits_agree:  # another file's number, not OCR noise: never trust it
        doc.match_score = min(found.score, tags.review_match_below - 0.1)


def _low_match(doc: Document, cfg: Config) -> ReviewReason | None:
    t = cfg.tags
    if not doc.register_file_id or doc.match_score is None or doc.match_score >= t.review_match_below:
        return None
    s = object_session(doc)
    register = s.get(RegisterFile, doc.register_file_id) if s else None
    shown = register.file_number if register else f"#{doc.register_file_id}"
    if register is not None and (digits(register.key) != digits(doc.file_number_key or "")
                                 or digit_groups(register.file_number) != digit_groups(doc.file_number or "")):
        return ReviewReason(
            "low_match", f"file number {doc.file_number} is not in the register: the closest, register file "
                         f"{shown}, has other digits (another file); correct the number or the register",
            f"क्रमांक {doc.file_number} रजिस्टर में नहीं है — निकटतम नस्ती {shown} के अंक अलग हैं (दूसरी नस्ती); "
            "क्रमांक या रजिस्टर सुधारें")
    return ReviewReason(
        "low_match", f"file number {doc.file_number} matches register file {shown} only approximately "
                     f"(score {doc.match_score:.0f} < {t.review_match_below:.0f})",
        f"क्रमांक {doc.file_number} रजिस्टर की नस्ती {shown} से पूरा मेल नहीं खाता "
        f"(मिलान {doc.match_score:.0f}) — जाँचें")


def review_reasons(doc: Document, branch: Branch | None, cfg: Config) -> list[ReviewReason]:
    """Why ``doc`` needs a person, from its stored tags (empty: it does not). A number a person assigned is
    questioned only when it does not match the register well."""
    low = _low_match(doc, cfg)
    if doc.file_number_source == REVIEWED:
        return [low] if low else []
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
    if low:
        out.append(low)
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


def flag(doc: Document, reasons: Sequence[ReviewReason]) -> None:
    doc.needs_review = bool(reasons)
    doc.reason_code = reasons[0].code if reasons else None
    doc.reason = "; ".join(r.en for r in reasons) or None
    doc.reason_hi = "; ".join(r.hi for r in reasons) or None


def rematch_branch(s: Session, branch: Branch, cfg: Config) -> int:
    """Match the branch's done documents to its (new) register again; returns how many changed match."""
    index = RegisterIndex(s, branch.id)
    changed = 0
    for doc in s.scalars(select(Document).where(Document.branch_id == branch.id, Document.status == "done")):
        before = (doc.register_file_id, doc.match_score)
        match(doc, index, cfg.tags)
        flag(doc, review_reasons(doc, branch, cfg))
        if (doc.register_file_id, doc.match_score) != before:
            changed += 1
            reindex_meta(s, doc)
    return changed
