"""Synthetic MP collectorate letters with ground truth, for the demo, the tests and the OCR benchmark.

    letter = make_letter(7, "hi", devanagari_digits=True)
    pages = render_letter(letter)                       # or render_page(letter.lines, lang=letter.lang)
    save_document([degrade(p, skew=1.5, noise=0.01) for p in pages], Path("x.pdf"), "pdf")
"""
from __future__ import annotations

from nasti.samples.documents import FORMATS, demo_share, save_document
from nasti.samples.fonts import HAS_RAQM, FontMissing, font_path
from nasti.samples.letters import LANGS, Letter, make_letter
from nasti.samples.numbers import to_ascii_digits, to_devanagari_digits
from nasti.samples.render import (
    blank_page,
    degrade,
    lines_per_page,
    page_size,
    render_letter,
    render_page,
    stamp_page,
)

__all__ = [
    "FORMATS",
    "HAS_RAQM",
    "LANGS",
    "FontMissing",
    "Letter",
    "blank_page",
    "degrade",
    "demo_share",
    "font_path",
    "lines_per_page",
    "make_letter",
    "page_size",
    "render_letter",
    "render_page",
    "save_document",
    "stamp_page",
    "to_ascii_digits",
    "to_devanagari_digits",
]
