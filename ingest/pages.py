"""The page rows of a read document, and what its pages alone say about review.

- A printed page that read badly (not blank, not handwriting, mean word confidence below `POOR_BELOW`; a page with
  ink but no word at all is a stamp or a signature, not a bad read) gets a page-specific reason, Hindi first; any
  such page keeps its document in review whatever the document's mean confidence (issue 10: two good pages lifted a
  page read upside down to a mean of 61 and the document went `done` unflagged).
- A handwritten page (a noting sheet) is stored as such: counted, its image kept in the archived PDF, what tesseract
  made of it kept in `raw_text` only — not in `text`, so neither search nor the tagger sees it — and no review.
- Words with digits that tesseract was unsure of are kept per page (`doubtful`); a file number read from a page
  through such a word is not matched to the register and goes to review (`doubtful_number`).
"""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from ocr.page import BORN_DIGITAL, PageResult
from store.models import Document, Page
from store.pagereview import PageReason, page_reason

POOR_BELOW = 50.0       # mean word confidence of a printed page below which its read is not trusted


def _poor(r: PageResult) -> str | None:
    """Why this page's read is not trusted, as a short English fact (None: it is)."""
    if r.blank or r.handwritten or r.language == BORN_DIGITAL:
        return None
    # a page with ink and no word at all is a stamp, a signature or a rule on a back, not a bad read
    judged = r.trust if r.trust is not None else r.confidence   # ocr.page: a combined read is surer of garbage
    if judged is not None and judged < POOR_BELOW:
        return f"mean OCR confidence {judged:.0f}"
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
    return f"OCR विश्वसनीयता {why.rsplit(' ', 1)[-1]}"


