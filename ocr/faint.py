"""A second look at a page the probe calls blank: faint text (a faded carbon copy, a thermal receipt, a pale photocopy)
is not a blank page.

The probe (ocr.probe) counts as ink only what is clearly darker than its paper (ocr.inkmask.INK_RATIO), which keeps
the back's text showing through from passing for text. A faded page can have no stroke that dark and still read well:
a receipt whose darkest ink was 62 % of its paper (most strokes at 75-80 %) read at 2 % CER by bare `tesseract -l eng`
was called blank, and its text lost without a word. So a page with no clear ink but enough faint marks (darker than
WEAK_RATIO of the paper, isolated noise filtered out) is looked at again with its contrast stretched (its darkest ink
made black), and read; the page keeps that read only when tesseract reads it as text (:func:`is_text`) — mirrored
show-through on a blank back reads as scattered, unsure fragments and the page stays blank. A page of which the probe
saw only a few words (some strokes dark enough, most not) is read stretched when that shows clearly more text.
"""
from __future__ import annotations

import numpy as np
from PIL import Image

from ocr import inkmask, level, orient, tesseract
from ocr.probe import Probe, inked_cells, probe

WEAK_RATIO = 0.9        # a faint mark: darker than this fraction of its paper
MIN_CELLS = 24          # inked analysis cells (probe.CELL px, ≥ 12 % inked) of faint marks: about four letters
DARKEST = 5.0           # percentile of the faint marks' grey levels taken as the page's darkest ink when stretching
# A faint page is text when tesseract reads it at least FAINT_CONFIDENCE sure, in FAINT_WORDS words or more, and
# FAINT_LEAD more sure than upside down. Measured: faded real crops (ink 160 on paper 240) that bare tesseract reads
# at 22-37 % CER read at 41-53 their way up and 0-25 the other; blank backs with the front showing through (strength
# 0.2-0.3) at 23-30 both ways.
FAINT_CONFIDENCE = 38.0
FAINT_WORDS = 5
FAINT_LEAD = 10.0
FEW_WORDS = 12           # = ocr.page.SURE_WORDS: a page the probe measured fewer words on is looked at stretched too


def stretched(image: Image.Image, dpi: int) -> Image.Image | None:
    """The page flattened (white paper) with its darkest ink made black, when it holds enough faint marks to be
    worth reading; None when it is as blank as the probe said (paper, dust, sensor noise)."""
    gray = image if image.mode == "L" else image.convert("L")
    factor = max(1, round(dpi / inkmask.ANALYSIS_DPI))
    small = gray.reduce(factor) if factor > 1 else gray
    flat = np.asarray(level.flatten(small, dpi / factor), dtype=np.uint8)
    # a mark fills part of a cell; a lone noisy pixel does not (a median filter would also erase thin pale strokes)
    marks = Image.fromarray(np.where(flat < round(WEAK_RATIO * 255), 255, 0).astype(np.uint8), mode="L")
    if inked_cells(marks) < MIN_CELLS:
        return None
    full = np.asarray(level.flatten(gray, dpi), dtype=np.float32)
    marks = full[full < WEAK_RATIO * 255]
    if marks.size == 0:
        return None
    darkest = float(np.percentile(marks, DARKEST))   # of the marks: the page may be mostly empty paper
    out = np.clip((full - darkest) * (255.0 / (255.0 - darkest)), 0, 255).astype(np.uint8)
    return Image.fromarray(out, mode="L")


def is_text(text: str, confidence: float | None) -> bool:
    """Whether the read of a stretched faint page is text (else the page is blank, as the probe said)."""
    words = [w for w in text.split() if sum(c.isalpha() or c.isdigit() for c in w) >= 2]
    return confidence is not None and confidence >= FAINT_CONFIDENCE and len(words) >= FAINT_WORDS


def reads_as_text(image: Image.Image, dpi: int, look: Probe, lang: str, *, timeout: float) -> bool:
    """Whether tesseract finds text in the stretched page (its part that holds ink, orient.content_box): read the
    probe's way up and the other way up, text reads clearly better one way (FAINT_LEAD) and well enough
    (:func:`is_text`). Mirrored show-through reads as poorly both ways. The page's own read, when it is text, is made
    afterwards as for any page."""
    text = image.crop(orient.content_box(image))
    reads = [tesseract.recognise(orient.turned(text, turn), lang, dpi=dpi, timeout=timeout)
             for turn in (look.turn, (look.turn + 180) % 360)]
    best, other = sorted(reads, key=lambda r: r.confidence or 0.0, reverse=True)
    return is_text(best.text, best.confidence) and (best.confidence or 0.0) >= (other.confidence or 0.0) + FAINT_LEAD


def paler(image: Image.Image, dpi: int, look: Probe, lang: str, *, timeout: float) -> tuple[Image.Image, Probe] | None:
    """For a page the probe found blank or nearly so: the page stretched and the probe's look at it, when that shows
    clearly more text (at least FEW_WORDS words, twice what the probe saw) — and, for a page the probe called blank,
    tesseract reads it as text (:func:`reads_as_text`). None: the page stays as it is (blank, when it was)."""
    pale = stretched(image, dpi)
    if pale is None:
        return None
    seen = probe(pale, dpi)
    if look.blank:   # nothing clear: whatever tesseract reads as text is the page's
        return (pale, seen) if not seen.blank and reads_as_text(pale, dpi, seen, lang, timeout=timeout) else None
    return (pale, seen) if seen.words >= max(FEW_WORDS, 2 * look.words) else None
