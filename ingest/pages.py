"""The page rows of a read document, and what its pages alone say about review.

- A printed page that read badly (not blank, not handwriting, mean word confidence below `POOR_BELOW`, or next to no
  words read from a page with ink) gets a page-specific reason, Hindi first; any such page keeps its document in
  review whatever the document's mean confidence (issue 10: two good pages lifted a page read upside down to a mean
  of 61 and the document went `done` unflagged).
- A handwritten page (a noting sheet) is stored as such: counted, its image kept in the archived PDF, what tesseract
  made of it kept in `raw_text` only — not in `text`, so neither search nor the tagger sees it — and no review.
- Words with digits that tesseract was unsure of are kept per page (`doubtful`); a file number read from a page
  through such a word is not matched to the register and goes to review (`doubtful_number`).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import regex
from sqlalchemy import select
from sqlalchemy.orm import Session

from ocr.page import BORN_DIGITAL, PageResult
from store.models import Document, Page

POOR_BELOW = 50.0       # mean word confidence of a printed page below which its read is not trusted
_DIGITS = regex.compile(r"\p{Nd}+")
_DEVANAGARI_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")


class PageReason(NamedTuple):
    code: str
    en: str
    hi: str


def _poor(r: PageResult) -> str | None:
    """Why this page's read is not trusted, as a short English fact (None: it is)."""
    if r.blank or r.handwritten or r.language == BORN_DIGITAL:
        return None
    if r.confidence is None:
        return "no text could be read from a page with ink on it"
    if r.confidence < POOR_BELOW:
        return f"mean OCR confidence {r.confidence:.0f}"
    return None


def record_pages(s: Session, doc: Document, results: Sequence[PageResult]) -> PageReason | None:
    """Add the document's page rows; the review reason its pages give (None: they give none)."""
    for r in results:
        why = _poor(r)
        page = Page(document_id=doc.id, number=r.number, text=r.text, confidence=r.confidence, blank=r.blank,
                    language=r.language, rotation=r.rotation, seconds=r.seconds, turned_by=r.turned_by,
                    turn_margin=r.turn_margin, skew=r.skew, handwritten=r.handwritten, raw_text=r.raw_text,
                    doubtful=" ".join(r.doubtful) or None)
        if why:
            page.review_code = "poor_page"
            page.review_reason = f"page {r.number} reads poorly ({why}); check the scan, rescan it if it is faint, " \
                                 "skewed or upside down"
            page.review_reason_hi = f"पृष्ठ {r.number} ठीक से नहीं पढ़ा गया ({_hindi(why)}) — स्कैन जाँचें; " \
                                    "धुँधला, तिरछा या उल्टा हो तो दोबारा स्कैन करें"
        s.add(page)
    s.flush()
    return page_reason(s, doc.id)


def _hindi(why: str) -> str:
    if why.startswith("mean OCR confidence"):
        return f"OCR विश्वसनीयता {why.rsplit(' ', 1)[-1]}"
    return "स्याही है पर कोई शब्द नहीं पढ़ा गया"


def page_reason(s: Session, doc_id: int) -> PageReason | None:
    """One review reason for all the document's badly read pages, naming them (None: there are none)."""
    rows = s.scalars(select(Page).where(Page.document_id == doc_id, Page.review_code.is_not(None))
                     .order_by(Page.number)).all()
    if not rows:
        return None
    if len(rows) == 1:
        return PageReason(rows[0].review_code or "poor_page", rows[0].review_reason or "",
                          rows[0].review_reason_hi or "")
    numbers = ", ".join(str(p.number) for p in rows)
    return PageReason("poor_page", f"pages {numbers} read poorly; check their scans and rescan the faint, skewed or "
                                   "upside-down ones",
                      f"पृष्ठ {numbers} ठीक से नहीं पढ़े गए — इनके स्कैन जाँचें; धुँधले, तिरछे या उल्टे पृष्ठ "
                      "दोबारा स्कैन करें")


def _runs(text: str) -> set[str]:
    return {m for m in _DIGITS.findall(text.translate(_DEVANAGARI_DIGITS)) if len(m) >= 2}


def doubtful_number(s: Session, doc_id: int, value: str, source: str) -> bool:
    """Whether a file number read from a page (`source` "page N") came through a word whose digits tesseract was
    unsure of: a run of two or more digits of a doubtful word on that page is a run of the number."""
    if not source.startswith("page "):
        return False
    try:
        number = int(source.split()[1])
    except (IndexError, ValueError):
        return False
    doubtful = s.scalar(select(Page.doubtful).where(Page.document_id == doc_id, Page.number == number))
    if not doubtful:
        return False
    wanted = _runs(value)
    return any(_runs(word) & wanted for word in doubtful.split())
