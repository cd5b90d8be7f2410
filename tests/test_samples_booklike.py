"""nasti.samples.booklike: a seeded corpus of worn letters and dense book pages, with ground truth."""
from __future__ import annotations

import random
import unicodedata

import pytest

from nasti.samples.booklike import CATEGORIES, Sheet, corpus, devanagari_fonts, sheet
from nasti.samples.prose import paragraphs

CYCLE = 10


def test_the_same_seed_gives_the_same_page_and_another_seed_another(pages: list[Sheet]) -> None:
    a, b, c = pages[3], sheet(3), sheet(3, seed=1)
    assert a.image.tobytes() == b.image.tobytes() and a.truth == b.truth
    assert a.truth != c.truth


@pytest.fixture(scope="module")
def pages() -> list[Sheet]:
    return list(corpus(2 * CYCLE))


def test_two_cycles_have_every_category_worn_the_ways_real_scans_are(pages: list[Sheet]) -> None:
    assert {p.category for p in pages} == set(CATEGORIES)
    assert all(p.truth and unicodedata.is_normalized("NFC", p.truth) for p in pages)
    deva = {p.font for p in pages if p.lang != "en"}
    assert deva <= {f.name for f in devanagari_fonts()}
    assert len(deva) >= min(6, len(devanagari_fonts())), "every Devanagari font installed takes its turn"
    assert {p.lang for p in pages} >= {"hi", "en", "mixed"}
    assert {p.layout for p in pages} >= {"letter", "book", "book 2 columns"}
    degraded = [p for p in pages if p.category == "degraded"]
    assert all(96 <= p.dpi <= 150 for p in degraded)
    assert {p.image.mode for p in pages} == {"L", "1"}, "greyscale and bitonal scans"
    tilts = [abs(p.wear.scan.skew) for p in pages if p.wear.scan.skew]
    assert tilts and all(0.5 <= t <= 3.0 for t in tilts)
    seen = {a.split()[0] for p in pages for a in p.wear.artefacts()}
    assert seen >= {"yellowed", "uneven", "grain", "toner", "show-through", "bleed", "speckle", "bitonal", "tilt"}


def test_a_turned_page_is_the_same_page_a_quarter_turn_counter_clockwise(pages: list[Sheet]) -> None:
    s = pages[1]
    w, h = s.image.size
    assert s.turned(0) is s.image
    assert s.turned(90).size == (h, w) and s.turned(180).size == (w, h)
    # counter-clockwise: the top left corner goes to the bottom left
    assert s.turned(90).getpixel((0, w - 1)) == s.image.getpixel((0, 0))


def test_book_text_is_sentences_in_hindi_marathi_sanskrit_and_english() -> None:
    rng = random.Random(3)
    for lang in ("hi", "mr", "sa", "en"):
        text = " ".join(paragraphs(rng, lang, 3))
        assert unicodedata.is_normalized("NFC", text) and len(text) > 40
    assert "॥" in " ".join(paragraphs(rng, "sa", 2))
