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
DARK_BELOW = 110        # a negative's background (its median grey, a white bed or border left out) is darker ...
LIGHT_MIN = 20          # ... its print lighter by this many grey levels at least, or by half the way to its
                        # lightest print (so a low-contrast or blurred negative counts, noise on a black one not) ...
LIGHT_SHARE = (0.005, 0.40)   # ... on this share of the sheet ...
STROKE = 0.06           # ... made of strokes: an opening this many inches wide leaves ...
SOLID_AT_MOST = 0.4     # ... at most this share of the light pixels (a sheet on a dark lid keeps nearly all of them)
LETTER = 0.04           # ... most of them in marks at least this many inches tall or wide (dust specks are not) ...
LETTERS_AT_LEAST = 0.5
DARK_PRINT_AT_MOST = 0.2   # ... and no dark print: thin marks darker than the background than this share of the
                           # light ones (black print on a dark cover card is a positive page)
BED = 0.1               # inches: a light region at least this thick touching the image's edge is a scanner bed
SHEET_AT_LEAST = 0.3    # or a white border around the sheet: judged without it, when the sheet is this share at least
HOLES = 0.4             # inches: lines of print in a positive part of the page (a bed) narrower than this are bed


def _look(image: Image.Image, dpi: float) -> tuple[np.ndarray, float]:
    gray = image if image.mode == "L" else image.convert("L")
    step = max(1, int(dpi / LOOK_DPI))
    small = np.asarray(gray.reduce(step) if step > 1 else gray, dtype=np.uint8)
    # a light blur: dithered or half-toned paper is judged by its grey, not by its dots
    return cv2.GaussianBlur(small, (3, 3), 0), dpi / step


def _square(inches: float, dpi: float) -> np.ndarray:
    k = max(3, round(inches * dpi))
    return np.ones((k, k), np.uint8)


def _sheet(small: np.ndarray, dpi: float) -> tuple[np.ndarray, np.ndarray] | None:
    """The sheet: all but a light bed, border or positive part touching the image's edge (the lines of print in
    such a positive part closed over, HOLES wide, so they are not taken for sheet), and the same with a band along
    its edge left out (what it is judged on). None: too little is left."""
    light = (small >= DARK_BELOW + LIGHT_MIN).astype(np.uint8)
    solid = cv2.morphologyEx(light, cv2.MORPH_OPEN, _square(BED, dpi), borderType=cv2.BORDER_CONSTANT, borderValue=0)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(solid, connectivity=8)
    h, w = small.shape
    x, y, bw, bh = (stats[1:, i] for i in range(4))
    edge = np.zeros(count, bool)
    edge[1:] = (x == 0) | (y == 0) | (x + bw == w) | (y + bh == h)
    bed = edge[labels].astype(np.uint8)
    if not bed.any():
        whole = np.ones_like(bed, dtype=bool)
        return whole, whole
    bed = cv2.morphologyEx(bed, cv2.MORPH_CLOSE, _square(HOLES, dpi))
    sheet = ~bed.astype(bool)
    inner = ~cv2.dilate(bed, _square(STROKE, dpi)).astype(bool)
    return (sheet, inner) if inner.mean() >= SHEET_AT_LEAST else None


def negative_part(image: Image.Image, dpi: float) -> np.ndarray | None:
    """Where the page is a negative (white or light print on a dark page or sheet), as a mask at LOOK_DPI; None
    when it is not one."""
    if image.width < 8 or image.height < 8:
        return None
    small, dpi = _look(image, dpi)
    # a negative sheet is SHEET_AT_LEAST of the page and mostly dark: most pages leave here
    if float((small < DARK_BELOW).mean()) < SHEET_AT_LEAST / 2:
        return None
    found = _sheet(small, dpi)
    if found is None:
        return None
    part, sheet = found
    values = small[sheet]
    background = float(np.median(values))
    if background >= DARK_BELOW:
        return None
    top = float(np.percentile(values, 99.5))
    step = max(LIGHT_MIN, (top - background) / 2)
    light = ((small >= background + step) & sheet).astype(np.uint8)
    share = float(light.sum()) / values.size
    if not LIGHT_SHARE[0] <= share <= LIGHT_SHARE[1]:
        return None
    stroke = _square(STROKE, dpi)
    solid = cv2.morphologyEx(light, cv2.MORPH_OPEN, stroke, borderType=cv2.BORDER_CONSTANT, borderValue=0)
    if float(solid.sum()) > SOLID_AT_MOST * float(light.sum()):
        return None
    _, _, stats, _ = cv2.connectedComponentsWithStats(light, connectivity=8)
    tall = max(2, round(LETTER * dpi))
    lettered = stats[1:, cv2.CC_STAT_AREA][np.maximum(stats[1:, 2], stats[1:, 3]) >= tall].sum()
    if float(lettered) < LETTERS_AT_LEAST * float(light.sum()):
        return None
    dark = ((small <= background - step) & sheet).astype(np.uint8)
    thin = dark - cv2.morphologyEx(dark, cv2.MORPH_OPEN, stroke, borderType=cv2.BORDER_CONSTANT, borderValue=0)
    return part if float(thin.sum()) <= DARK_PRINT_AT_MOST * float(light.sum()) else None


def is_negative(image: Image.Image, dpi: float) -> bool:
    """White (or light) print on a dark page or sheet, on the whole page or part of it."""
    return negative_part(image, dpi) is not None


def positive(image: Image.Image, dpi: float) -> Image.Image:
    """The page as dark print on light paper: its negative part (the whole page, or a negative sheet on a white bed,
    or the negative half of a page) inverted; a page with none is returned as the very same image."""
    part = negative_part(image, dpi)
    if part is None:
        return image
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB" if image.mode in ("RGBA", "P", "CMYK", "LA") else "L")
    inverted = ImageOps.invert(image)
    if part.all():
        return inverted
    mask = Image.fromarray(part.astype(np.uint8) * 255, "L").resize(image.size, Image.Resampling.NEAREST)
    return Image.composite(inverted, image, mask)
