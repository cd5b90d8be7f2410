"""Born-digital PDF pages: does this page already carry text (a text layer, or real text), and what is it?"""
from __future__ import annotations

from pathlib import Path

import regex

from ocr import poppler

MIN_LETTERS = 20        # fewer letters than this is a stray label or a page number, not a text layer
# The text must cover the page: the lines' heights together span at least this share of the page height. A phone
# scanner's footer ("Scanned with CamScanner") or a stamp over a full-page image covers 1-3 %; four lines of 12 pt
# text on A4 cover 5.7 %, a typed page 30-60 %.
MIN_COVER = 0.05
_LETTER = regex.compile(r"\p{L}")
_PAGE = regex.compile(r'<page width="([\d.]+)" height="([\d.]+)"')
_WORD = regex.compile(r'<word xMin="[\d.-]+" yMin="([\d.-]+)" xMax="[\d.-]+" yMax="([\d.-]+)"')


def page_text(path: Path, index: int, *, timeout: float) -> str:
    """pdftotext of page `index` (0-based), NFC; '' when poppler finds no text."""
    return poppler.text(path, index, timeout=timeout).replace("\f", "").strip()


def text_cover(path: Path, index: int, *, timeout: float) -> float:
    """The share of the page's height its words' lines cover (0..1), from pdftotext's word boxes."""
    out = poppler.text(path, index, timeout=timeout, bbox=True)
    page = _PAGE.search(out)
    if page is None or float(page.group(2)) <= 0:
        return 0.0
    spans = sorted((float(a), float(b)) for a, b in _WORD.findall(out))
    covered, end = 0.0, float("-inf")
    for lo, hi in spans:          # the union of the words' vertical extents
        lo = max(lo, end)
        if hi > lo:
            covered += hi - lo
            end = hi
    return min(1.0, covered / float(page.group(2)))


def existing_text(path: Path, index: int, *, timeout: float) -> str | None:
    """The page's own text when it has real text that covers the page, else None (a scan, a page with a stray
    label, or a scan whose only text is a footer or a stamp)."""
    text = page_text(path, index, timeout=timeout)
    if len(_LETTER.findall(text)) < MIN_LETTERS:
        return None
    return text if text_cover(path, index, timeout=timeout) >= MIN_COVER else None
