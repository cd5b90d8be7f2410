"""What a document's page rows say about review (written by ``ingest.pages.record_pages``).

- ``page_reason``: one review reason naming every badly read page; any such page keeps its document in review
  whatever the document's mean confidence.
- ``doubtful_number``: a file number read from a page through a word whose digits tesseract was unsure of is not
  matched to the register and goes to review.
"""
from __future__ import annotations

from typing import NamedTuple

import regex
from sqlalchemy import select
from sqlalchemy.orm import Session

from common.text import fold_digits
from store.models import Page

_DIGITS = regex.compile(r"\p{Nd}+")


class PageReason(NamedTuple):
    code: str
    en: str
    hi: str


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
    return {m for m in _DIGITS.findall(fold_digits(text)) if len(m) >= 2}


def doubtful_number(s: Session, doc_id: int, value: str, source: str) -> bool:
    """Whether a file number read from a page (`source` "page N") came through a word whose digits tesseract was
    unsure of: a doubtful word on that page whose every run of two or more digits is a run of the number (the
    number itself, or a piece of it; not a word that only shares a year with it, like `REV-31/1117/2019-COL`), or a
    word with a digit that stands inside the number as it is."""
    if not source.startswith("page "):
        return False
    try:
        number = int(source.split()[1])
    except (IndexError, ValueError):
        return False
    doubtful = s.scalar(select(Page.doubtful).where(Page.document_id == doc_id, Page.number == number))
    if not doubtful:
        return False
    wanted, whole = _runs(value), _folded(value)
    # a word with one digit (`६(ई)`, read for `६६(ई)`) has no run to compare: it counts when it is a piece of the number
    return any(((runs := _runs(word)) and runs <= wanted) or _piece(_folded(word), whole) for word in doubtful.split())


def _piece(word: str, number: str) -> bool:
    """A word with a digit and something else (`६(ई)`; not a lone `1`, which any year holds) found inside the number."""
    return len(word) >= 3 and any(c.isdigit() for c in word) and not word.isdigit() and word in number


def _folded(text: str) -> str:
    """Digits folded to ASCII, letters lower-cased, spaces dropped (a word as it stands inside a file number)."""
    return "".join(fold_digits(text).lower().split())
