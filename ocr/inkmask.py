"""The ink of a scanned page at ~150 dpi, with what is not text taken out, for the probe to measure.

Legacy office scans are not black text on white paper: the paper is yellowed or grey and unevenly lit, the scanner
lid leaves dark strips along the edges, punch holes show as dark discs, toner leaves specks, and stamps, signatures
and table rules sit among the lines. A single global threshold turns the dark strips into the strongest "lines" on the
page, and the probe then turns the page sideways or misses its skew. So:

- ink is what is clearly darker than the paper *around it* (the page divided by a coarse local paper level), which
  takes out tint, uneven light and faint show-through from the back;
- connected specks of ink that touch the edge of the image (lid strips, shadows, the dark fill of a tilted scan) or
  are specks (toner) are dropped from both masks;
- blobs thicker than any line of text (stamps, signatures, table rules, long rules) or solid discs (punch holes) are
  dropped from the *text* mask, which orientation, skew and script are measured on. They stay in the *ink* mask, so a
  page with only a stamp on it is not blank.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from ocr import level

ANALYSIS_DPI = 150
PAPER_WINDOW = 0.4          # inches: the local paper level is the brightest grey within about this distance
INK_RATIO = 0.72            # ink is darker than this fraction of the local paper level
SPECK = 2                   # components of fewer pixels (at half ANALYSIS_DPI) are specks
THICKEST_TEXT = 0.4         # inches: a component thicker than this both ways is no letter or word (stamp, signature)
LONGEST_TEXT = 0.5          # fraction of the page's short side: longer is a rule or a table border
SOLID = 0.65                # fill of its box above which a component at least SOLID_SIZE across is a disc or a blot
SOLID_SIZE = 0.12           # inches


@dataclass(frozen=True)
class Masks:
    ink: Image.Image        # 255 = ink (mode L), at ~ANALYSIS_DPI
    text: Image.Image       # the ink that can be text


def masks(gray: Image.Image, dpi: int) -> Masks:
    factor = dpi / ANALYSIS_DPI
    if abs(factor - round(factor)) < 0.1:               # 300, 600 dpi: Pillow's box reduce, the fastest
        factor = max(1, round(factor))
        small = gray.reduce(factor) if factor > 1 else gray
    else:                                               # 200, 400 dpi: area-averaged to ANALYSIS_DPI
        small = gray.resize((max(1, round(gray.width / factor)), max(1, round(gray.height / factor))),
                            Image.Resampling.BOX)
    pixels = np.asarray(small, dtype=np.uint8)
    at = dpi / factor
    paper = level.paper_level(small, at, PAPER_WINDOW)
    ink = (pixels.astype(np.uint16) * 100 < paper.astype(np.uint16) * round(INK_RATIO * 100)).astype(np.uint8)
    # components are sorted out at half this resolution (a quarter of the pixels), a 2 × 2 cell inked when any of
    # its pixels is, so thin faded strokes survive the halving
    height, width = ink.shape
    half = (cv2.resize(ink, (max(1, width // 2), max(1, height // 2)), interpolation=cv2.INTER_AREA) > 0)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(half.astype(np.uint8), connectivity=8)
    x, y, w, h, area = (stats[:, i] for i in range(5))
    hh, hw = half.shape
    edge = (x == 0) | (y == 0) | (x + w >= hw) | (y + h >= hh)
    keep_ink = ~edge & (area >= SPECK)
    solid = (area > SOLID * w * h) & (np.minimum(w, h) >= SOLID_SIZE * at / 2)
    # either way round: on a sideways page a word is tall and thin
    keep_text = (keep_ink & (np.minimum(w, h) <= THICKEST_TEXT * at / 2)
                 & (np.maximum(w, h) <= LONGEST_TEXT * min(hw, hh)) & ~solid)
    keep_ink[0] = keep_text[0] = False                  # label 0 is the paper

    def kept(keep: np.ndarray) -> Image.Image:
        cells = np.take(np.where(keep, 255, 0).astype(np.uint8), labels)
        full = cv2.resize(cells, (width, height), interpolation=cv2.INTER_NEAREST)
        return Image.fromarray(cv2.bitwise_and(full, ink * 255), mode="L")

    return Masks(ink=kept(keep_ink), text=kept(keep_text))
