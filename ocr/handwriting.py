"""Is a page that read badly handwriting (a noting sheet) rather than bad print?

Only pages tesseract read at a low mean confidence (below `READ_BELOW`, after the way-up check) whose words show the
probe neither a way up (print has ascenders or headlines on one side) nor Devanagari headlines are looked at, so a
printed page almost never gets here (of 27 real letterpress crops, the four read below 45 all had a flip margin of
0.27 or more). Print is made of straight strokes: the headline (shirorekha) and the
vertical bars of Devanagari, the stems and serifs of Latin type; at 150 dpi a large share of printed ink lies in
horizontal or vertical runs at least `STROKE` inches long. A pen's strokes curve and slant, and few of them survive a
morphological opening with such a line. Measured (ink share in straight runs): generated office letters 0.51-0.67
(24 pages), real 300-dpi letterpress crops 0.06-0.84 (27 pages; the thinnest faces are low), pen-like strokes drawn
in code 0.04-0.05 at 200 dpi, 0.38 at 300 dpi with wavy headlines. The confidence gate does most of the work; this
keeps a badly read page of bold print out of the handwritten pile.
"""
from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from ocr import inkmask
from ocr.probe import Probe

READ_BELOW = 45.0       # mean word confidence under which a page may be handwriting
FLIP_BELOW = 0.15       # ... whose words show no up/down asymmetry to the probe (print: 0.27 and more) ...
HEADLINES_BELOW = 0.05  # ... and next to no straight Devanagari headlines
STROKE = 0.06           # inches: a straight run at least this long is a printed stroke
STRAIGHT_BELOW = 0.15   # share of the ink in straight runs under which the page is handwriting


def straight_share(gray: Image.Image, dpi: int) -> float:
    """Share of the page's text ink that lies in horizontal or vertical runs at least STROKE long."""
    mask = (np.asarray(inkmask.masks(gray, dpi).text) > 0).astype(np.uint8)
    ink = int(mask.sum())
    if not ink:
        return 0.0
    k = max(3, round(STROKE * inkmask.ANALYSIS_DPI))
    vertical = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((k, 1), np.uint8))
    horizontal = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((1, k), np.uint8))
    return float((vertical | horizontal).sum()) / ink


def handwritten(gray: Image.Image, dpi: int, confidence: float | None, look: Probe) -> bool:
    if confidence is not None and confidence >= READ_BELOW:
        return False
    if look.flip_margin >= FLIP_BELOW or look.devanagari >= HEADLINES_BELOW:
        return False
    return straight_share(gray, dpi) < STRAIGHT_BELOW
