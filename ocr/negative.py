"""A negative — white print on a black page (a microfilm or photostat negative, an inverted scan) — turned positive
before the page is read.

nasti reads with tesseract's own inversion off (`tessedit_do_invert=0`: legacy letters carry no white-on-black
lines, and re-reading every doubtful line inverted costs CPU for nothing), and its probe looks for dark ink on light
paper. So a whole negative page came out **blank**: 4 real letterpress crops (realscans-dev) inverted read at
100 % CER in nasti, against 6.5-14.9 % for bare `tesseract -l Devanagari`, which inverts the lines itself.

A page is a negative when its background — the median grey — is dark, a small share of it is much lighter, and
that lighter part is made of strokes: an opening the size of a thick stroke removes most of it. A sheet lying on a
dark lid or table is the opposite (its light part is one solid region) and is left to `ocr.frame`; a dark photo has
no such sparse light strokes. The whole page is inverted (the stored PDF keeps the scan as it was: only what is read
changes). Global statistics and a square opening only: a page turned a quarter turn is judged the same.
"""
from __future__ import annotations

import cv2
import numpy as np
from PIL import Image, ImageOps

LOOK_DPI = 100          # the page is judged on a copy at about this resolution
DARK_BELOW = 110        # a negative's background (its median grey) is darker than this ...
LIGHT_STEP = 60         # ... its print lighter than the background by this many grey levels at least ...
LIGHT_SHARE = (0.005, 0.40)   # ... on this share of the page ...
STROKE = 0.06           # ... and made of strokes: an opening this many inches wide leaves ...
SOLID_AT_MOST = 0.25    # ... at most this share of the light pixels (a sheet on a dark lid keeps nearly all of them)


def _look(image: Image.Image, dpi: float) -> np.ndarray:
    gray = image if image.mode == "L" else image.convert("L")
    step = max(1, int(dpi / LOOK_DPI))
    small = gray.reduce(step) if step > 1 else gray
    return np.asarray(small, dtype=np.uint8)


def is_negative(image: Image.Image, dpi: float) -> bool:
    """White (or light) print on a dark page."""
    if image.width < 8 or image.height < 8:
        return False
    small = _look(image, dpi)
    background = float(np.median(small))
    if background >= DARK_BELOW:
        return False
    light = (small >= background + LIGHT_STEP).astype(np.uint8)
    share = float(light.mean())
    if not LIGHT_SHARE[0] <= share <= LIGHT_SHARE[1]:
        return False
    k = max(3, round(STROKE * dpi / max(1, int(dpi / LOOK_DPI))))
    solid = cv2.morphologyEx(light, cv2.MORPH_OPEN, np.ones((k, k), np.uint8))
    return float(solid.sum()) <= SOLID_AT_MOST * float(light.sum())


def positive(image: Image.Image, dpi: float) -> Image.Image:
    """The page as dark print on light paper: inverted when it is a negative, else the very same image."""
    if not is_negative(image, dpi):
        return image
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB" if image.mode in ("RGBA", "P", "CMYK", "LA") else "L")
    return ImageOps.invert(image)
