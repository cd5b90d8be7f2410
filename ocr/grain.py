"""Grainy pages: sensor or photocopy grain smoothed away before the page is levelled and read.

A grey typewritten English page (ink 90 on paper 230, a soft 1.2 px blur, grain σ 15 grey levels; perfectly legible)
made tesseract run past the page time-out (180 s) where bare `tesseract -l eng` gave up in 5 s. The cause is the
levelling (ocr.level.flatten): it makes the paper white, so half of the grainy paper's pixels are clipped at 255 and
the other half spread below it; tesseract's one global Otsu threshold then falls inside the paper's grain, the page
becomes hundreds of thousands of specks, and its layout analysis does not end. Measured on that layout
(bench/results/showthrough.md): grain σ 4-12 read the levelled page in 3-4 s at 0-0.2 % CER; σ 14, 16 and 20 ran
past 40 s (killed). A 3 × 3 median filter first takes the grain away and keeps the strokes: every one of those pages
then read in 2-4 s at 0.0 % CER, also where bare tesseract reads nothing.

The grain is measured as the median of |page − its 3 × 3 median| (grey levels): the 53 real 300-dpi crops of
/work/shared/realscans-dev measure 0 (their paper is clean), pale generated pages with sensor noise σ 2-6 measure
1-3; the time-outs began at 8 (σ 14). Pages from GRAIN_FROM on are smoothed.
"""
from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

GRAIN_FROM = 6.0        # median |page − median3(page)| at which a page is smoothed (σ ≈ 10 grey levels)
ROW_STEP = 4            # the grain is measured on every ROW_STEP-th row (the median of millions of pixels)


def grain(image: Image.Image) -> float:
    """The page's grain: median absolute difference between a pixel and the median of its 3 × 3 neighbourhood."""
    pixels = np.asarray(image if image.mode == "L" else image.convert("L"), dtype=np.uint8)
    if pixels.shape[0] < 3 or pixels.shape[1] < 3:
        return 0.0
    smooth = cv2.medianBlur(pixels, 3)
    diff = np.abs(pixels[::ROW_STEP].astype(np.int16) - smooth[::ROW_STEP].astype(np.int16))
    return float(np.median(diff))


def smoothed(image: Image.Image) -> Image.Image:
    """`image` with its grain taken away (3 × 3 median) when it is grainy (GRAIN_FROM), else `image` itself."""
    if grain(image) < GRAIN_FROM:
        return image
    gray = image if image.mode == "L" else image.convert("L")
    return Image.fromarray(cv2.medianBlur(np.asarray(gray, dtype=np.uint8), 3), mode="L")
