"""Grainy pages: sensor or photocopy grain smoothed away before the page is levelled and read.

A grey typewritten English page (ink 90 on paper 230, a soft 1.2 px blur, grain σ 15 grey levels; perfectly legible)
made tesseract run past the page time-out (180 s) where bare `tesseract -l eng` gave up in 5 s. The cause is the
levelling (ocr.level.flatten): it makes the paper white, so half of the grainy paper's pixels are clipped at 255 and
the rest spread below; tesseract's one global Otsu threshold then falls inside the paper's grain, the page becomes
hundreds of thousands of specks, and its layout analysis does not end.

So the failure is measured as it happens: the page is levelled and binarised at one global Otsu threshold, as
tesseract binarises it, and its specks (connected components of at most SPECK_AREA pixels at 300 dpi) are counted per
megapixel in four strips across the page. Measured (bench/results/showthrough.md), specks per MP: the 53 real 300-dpi
crops of /work/shared/realscans-dev are not even counted (grain 0, below GRAIN_FROM); the grey typewriter layout with
fine grain σ 10 / 12 / 14 / 20: 87 / 878 / 65 011 / 60 192 (σ ≤ 12 read in 3-4 s at 0-0.2 % CER, σ ≥ 14 ran past
40 s); with grain correlated over 0.7 / 1 px, σ 15: 19 064 / 6591, both past 40 s. A page with SPECKS_FROM or more
is smoothed by a 3 × 3 median, which clears fine grain (σ 14-20 then read in seconds at 0.0 % CER where bare
tesseract reads nothing); when specks remain (correlated grain) the page is levelled with white paper around its ink
(:func:`white_paper`), which keeps the read to seconds (its text is poor there, as bare tesseract's).
"""
from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from ocr import level

GRAIN_FROM = 1.0        # median |page − median3(page)| (grey levels) from which a page's specks are counted
SPECKS_FROM = 500.0     # specks per megapixel of the levelled, binarised page from which it is smoothed
SPECK_AREA = 4          # pixels at 300 dpi: a connected component this small is a speck
ROW_STEP = 4            # the grain is measured on every ROW_STEP-th row
STRIPS = 4              # specks are counted in this many evenly spaced horizontal strips ...
STRIP_SHARE = 0.0625    # ... each this share of the page's height (a quarter of the page in all)


def grain(pixels: np.ndarray) -> float:
    """The page's fine grain: median absolute difference between a pixel and the median of its 3 × 3 neighbours."""
    if pixels.shape[0] < 3 or pixels.shape[1] < 3:
        return 0.0
    rows = np.ascontiguousarray(pixels[::ROW_STEP])
    return float(np.median(np.abs(rows.astype(np.int16) - cv2.medianBlur(pixels, 3)[::ROW_STEP].astype(np.int16))))


def specks(pixels: np.ndarray, dpi: int) -> float:
    """Specks per megapixel of the page levelled and binarised at its Otsu threshold (one for the whole page, as
    tesseract's), counted in STRIPS strips across the page."""
    flat = np.asarray(level.flatten(Image.fromarray(pixels, mode="L"), dpi))
    threshold, _ = cv2.threshold(np.ascontiguousarray(flat[::ROW_STEP]), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    h = flat.shape[0]
    band = max(1, round(h * STRIP_SHARE))
    area = max(1, round(SPECK_AREA * (dpi / 300) ** 2))
    count, total = 0, 0
    for i in range(STRIPS):
        top = round(i * (h - band) / max(1, STRIPS - 1))
        ink = (flat[top:top + band] <= threshold).astype(np.uint8)
        n, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
        count += int((stats[1:n, cv2.CC_STAT_AREA] <= area).sum())
        total += ink.size
    return count / (total / 1e6) if total else 0.0


def white_paper(pixels: np.ndarray, dpi: int) -> np.ndarray:
    """The page levelled, its grain taken away (3 × 3 median), and everything outside its ink made white paper: the
    ink is found on the page smoothed 2 px at its Otsu threshold, widened by two pixels; the strokes keep their own
    grey."""
    flat = cv2.medianBlur(np.asarray(level.flatten(Image.fromarray(pixels, mode="L"), dpi)), 3)
    soft = cv2.GaussianBlur(flat, (0, 0), 2.0 * dpi / 300)
    threshold, _ = cv2.threshold(soft, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    ink = cv2.dilate((soft <= threshold).astype(np.uint8), np.ones((5, 5), np.uint8))
    return np.where(ink > 0, flat, 255).astype(np.uint8)


def smoothed(image: Image.Image, dpi: int = 300) -> Image.Image:
    """`image` with its grain taken away when levelling would turn it into specks (SPECKS_FROM): a 3 × 3 median when
    that is enough, else the page levelled with white paper around its ink (:func:`white_paper`); `image` itself
    when it is not grainy."""
    pixels = np.asarray(image if image.mode == "L" else image.convert("L"), dtype=np.uint8)
    if grain(pixels) < GRAIN_FROM or specks(pixels, dpi) < SPECKS_FROM:
        return image
    out = cv2.medianBlur(pixels, 3)
    if specks(out, dpi) >= SPECKS_FROM:
        out = white_paper(pixels, dpi)
    return Image.fromarray(out, mode="L")
