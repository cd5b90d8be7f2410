"""Levelling a page before tesseract reads it: its light (uneven, tinted paper made white) and its tilt.

Tesseract binarises a page with one global Otsu threshold. On yellowed or unevenly lit paper with the back's text
showing through, that threshold can fall between the light and the dark parts of the paper itself, and tesseract then
reads paper texture and mirrored show-through as text (measured: 12 % → 81 % CER on one office scan after a 0.8°
levelling added white corners to a tinted page). Dividing the page by its local paper level first makes the paper
white everywhere; the threshold then falls between paper and ink, and a rotation's white corners match the paper.

A soft scan (out of focus, a copy of a copy, a page pressed away from the glass) is read worse than a crisp one:
tesseract's threshold thins or merges its blurred strokes. `prepare` finds such a page by how steep its ink edges are
(`sharpness`) and sharpens it (an unsharp mask of `SHARPEN_RADIUS` pixels) before it is read; a crisp page is left as
it was (sharpening it changes single pages by ±1-3 CER points and gains nothing on the mean). Measured on the tuning
half of the real 300-dpi crops (bench/results/blur.md): Gaussian blur 0.8 px → sharpness 0.34-0.38, blur 1.2 px
0.27-0.30, the crops as scanned 0.46-0.49, with grain (σ 25) 0.45-0.47, bitonal 0.53-0.56, rescanned at 200 dpi
0.45-0.49; generated office and book pages (blur 0-0.6 px, 96-300 dpi) 0.40-0.56. A scan above 300 dpi spreads the
same optics over more pixels, so its steepness counts in 300-dpi pixels (a crop enlarged to 600 dpi: 0.24 per pixel,
0.48 as counted); one below SHARPEN_FROM_DPI is not sharpened (its strokes are a pixel or two wide: they look soft
and are not, and sharpening them before raster.upscale cost 2.5 CER points on the crops at 96 dpi).

OpenCV's fixed-point bilinear warp does an A4 page at 300 dpi in ~25 ms where Pillow's `rotate` takes ~110 ms — on
tilted scans (most real ones) that was a tenth of the page's OCR time. Nearest-neighbour rotation is as cheap but
its stair-stepped strokes cost tesseract 1-2 CER points (measured), so the interpolation stays.
"""
from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from ocr import frame, raster

cv2.setNumThreads(1)   # one thread per process: parallelism comes from the pool

PAPER_WINDOW = 0.5     # inches: the paper level at a point is the brightest grey within about this distance
# Off by default: on the held-out half of the real crops it won on blur 1.2 and 1.6 px (0.895 → 0.800 and
# 1.088 → 0.847 × bare Devanagari) but lost on blur 0.8 px (0.831 → 0.869) and one page became 42.7 points worse than
# bare Devanagari (two others stopped being), which the shipping rule of bench/results/blur.md does not allow.
SHARPEN = False
SHARPEN_FROM_DPI = raster.UPSCALE_BELOW   # below (the page is enlarged before it is read), never sharpened
SOFT_BELOW = 0.40      # a page whose ink edges are less steep than this (`sharpness`) is sharpened before reading,
SMEARED_BELOW = 0.11   # ... unless they are less steep than this: a smear no mask brings letters back from
SHARPEN_RADIUS = 1.0   # pixels (the Gaussian's sigma) of the unsharp mask ...
SHARPEN_AMOUNT = 1.0   # ... and how much of the difference is added back (1.0: Pillow's percent=100)
INK_STEP = 40          # solid_dark: print is darker than the grey around it (frame.INK_SIZE) by this much at least
INK_BELOW = 200        # grey level (flattened page: white paper) under which a pixel is ink
SHARPNESS_PIXELS = 2_000_000   # pixels of a page its sharpness is measured on (bands across a bigger page)
MIN_INK = 2000         # ink pixels under which a page's sharpness is not judged (a blank or near-blank page)
# What flattening would leave grey: a solid dark region (a table or lid around a photographed slip, that ocr.frame
# leaves alone when it is lit unevenly) comes out of the division as a grey halo along the sheet's edge, as grey as
# faint print, and tesseract's Otsu threshold then lands between paper and halo (a faint thermal receipt on a
# table: threshold 227, a quarter of the page "ink"). Such a region — darker than SOLID_DARK of the paper, at least
# SOLID_INCHES thick everywhere (print never is), holding no print (ocr.frame's test) — is made paper white after
# the division. Pages without one (every real crop and generated letter measured) are unchanged.
SOLID_DARK = 0.8
SOLID_INCHES = 0.1
LOOK_DPI = 100         # the resolution solid regions are looked for at
FAINT_STEP = 12        # grey levels: a mark this much darker than around it may be faint print ...
CLEAR_INCHES = 0.12    # ... and nothing within this distance of one is made white ...
CLEAR_PIXELS = 24      # ... nor within this many pixels (a file's DPI can be 4 times too low: JFIF 72)
BLACK = 0.5            # ... unless it lies on something this dark (a band of black lid left around a slip reads as
                       # a picture's frame: tesseract then read nothing inside it)


def paper_level(image: Image.Image, dpi: float, window: float = PAPER_WINDOW) -> np.ndarray:
    """The paper's grey level around each pixel of `image` (mode L): the brightest of coarse (~20 dpi) cells within
    `window` inches, smoothed, at the image's size (ink narrower than the window does not darken it)."""
    cell = max(1, round(dpi / 20))
    small = np.asarray(image.reduce(cell) if cell > 1 else image, dtype=np.uint8)   # box average, fast
    k = max(3, round(window * dpi / cell) | 1)
    paper = cv2.blur(cv2.dilate(small, np.ones((k, k), np.uint8)), (k, k))
    return cv2.resize(paper, image.size, interpolation=cv2.INTER_LINEAR)


def solid_dark(pixels: np.ndarray, dpi: float) -> np.ndarray | None:
    """A boolean mask of the unprinted solid dark regions of a page (see SOLID_DARK), or None when it has none."""
    counts = np.cumsum(np.bincount(pixels[::4, ::4].ravel(), minlength=256))
    paper = float(np.searchsorted(counts, 0.9 * counts[-1]))
    step = max(1, round(dpi / LOOK_DPI))
    small = pixels if step == 1 else cv2.resize(pixels, (max(1, pixels.shape[1] // step),
                                                         max(1, pixels.shape[0] // step)), interpolation=cv2.INTER_AREA)
    dark = (small < SOLID_DARK * paper).astype(np.uint8)
    size = max(3, round(SOLID_INCHES * dpi / step) | 1)
    solid = cv2.morphologyEx(dark, cv2.MORPH_OPEN, np.ones((size, size), np.uint8))
    if not solid.any():
        return None
    count, labels, stats, _ = cv2.connectedComponentsWithStats(solid, connectivity=8)
    ink_size = max(3, round(frame.INK_SIZE * dpi / step) | 1)
    ink = cv2.morphologyEx(small, cv2.MORPH_BLACKHAT, np.ones((ink_size, ink_size), np.uint8)) > INK_STEP
    printed = np.bincount(labels[ink], minlength=count) > frame.INK_SHARE * stats[:, cv2.CC_STAT_AREA]
    keep = ~printed
    keep[0] = False
    if not keep.any():
        return None
    # never within CLEAR_INCHES of anything that looks like a stroke, however faint (print on a dimly lit part of
    # the sheet, where it joins the table, is no more than 15-30 grey levels darker than around it)
    around = cv2.morphologyEx(small, cv2.MORPH_CLOSE, np.ones((ink_size, ink_size), np.uint8))
    faint = (around.astype(np.int16) - small > FAINT_STEP) \
        & (around >= BLACK * paper)   # a black lid's own grain is no print (its band would stay a black frame)
    clear = max(3, round(max(CLEAR_INCHES * dpi, CLEAR_PIXELS) / step) | 1)
    near = cv2.dilate(faint.astype(np.uint8), np.ones((clear, clear), np.uint8)).astype(bool)
    # black (a lid, a scanner's border strip, a punch hole) is never the paper print lies on: made white whole; a
    # left-over band or dashes of it read as a frame or as letters (a letter's border strip: 14.7 -> 47.4 %)
    mask = (keep[labels] & (~near | (small < BLACK * paper))).astype(np.uint8)
    if not mask.any():
        return None
    if step > 1:
        mask = cv2.resize(mask, (pixels.shape[1], pixels.shape[0]), interpolation=cv2.INTER_NEAREST)
    return mask.astype(bool)


def flatten(image: Image.Image, dpi: float) -> Image.Image:
    """`image` divided by its local paper level: white paper, ink as dark as it was against its paper."""
    image = image if image.mode == "L" else image.convert("L")
    pixels = np.asarray(image, dtype=np.uint8)
    return Image.fromarray(cv2.divide(pixels, paper_level(image, dpi), scale=255), mode="L")


def whitened(image: Image.Image, flat: Image.Image, dpi: float) -> Image.Image:
    """`flat` (the flattened `image`) with `image`'s solid dark regions without print (solid_dark) paper white."""
    mask = solid_dark(np.asarray(image if image.mode == "L" else image.convert("L"), dtype=np.uint8), dpi)
    if mask is None:
        return flat
    pixels = np.array(flat, dtype=np.uint8)
    pixels[mask] = 255
    return Image.fromarray(pixels, mode="L")


def sharpness(flat: Image.Image, dpi: float = 300) -> float | None:
    """How steep the ink's edges are on a flattened page (white paper): the 90th percentile of the grey step per
    pixel (Sobel) over its edges, as a share of the ink's contrast (paper 255 against its darkest 5 % of ink), per
    300-dpi pixel above 300 dpi. A crisp scan's edges span a pixel or two: about 0.45-0.56; a blurred one 0.2-0.38.
    None when the page holds too little ink to tell."""
    a = np.asarray(flat if flat.mode == "L" else flat.convert("L"), dtype=np.uint8)
    hist = np.bincount(a.ravel(), minlength=256)
    ink = hist[:INK_BELOW]
    if int(ink.sum()) < MIN_INK:
        return None
    dark = int(np.searchsorted(np.cumsum(ink), 0.05 * ink.sum()))
    contrast = 255 - dark
    if contrast < 40:
        return None
    edges = np.zeros(256, np.int64)
    for band in _bands(a):
        gx = cv2.Sobel(band, cv2.CV_32F, 1, 0, ksize=3)
        gy = cv2.Sobel(band, cv2.CV_32F, 0, 1, ksize=3)
        step = cv2.magnitude(gx, gy) / 8           # Sobel's 3 × 3 weights sum to 8 per unit step
        edges += np.bincount(np.minimum(step, 255).astype(np.uint8).ravel(), minlength=256)
    edges = edges[max(1, round(0.1 * contrast)):]
    if int(edges.sum()) == 0:
        return None
    p90 = int(np.searchsorted(np.cumsum(edges), 0.9 * edges.sum())) + max(1, round(0.1 * contrast))
    return p90 / contrast * max(1.0, dpi / 300)


def _bands(a: np.ndarray, pixels: int = SHARPNESS_PIXELS, rows: int = 64) -> list[np.ndarray]:
    """The whole page when it is small, else evenly spaced bands of `rows` rows, about `pixels` in all (an edge's
    steepness is the same all over a scan; an A4 page at 300 dpi is measured in ~30 ms instead of ~150)."""
    if a.size <= pixels:
        return [a]
    count = max(1, pixels // (rows * a.shape[1]))
    starts = np.linspace(0, a.shape[0] - rows, count).astype(int)
    return [a[y:y + rows] for y in starts]


def sharpen(image: Image.Image, radius: float = SHARPEN_RADIUS, amount: float = SHARPEN_AMOUNT) -> Image.Image:
    """An unsharp mask: `image` + amount × (image − its Gaussian blur of sigma `radius` pixels)."""
    a = np.asarray(image if image.mode == "L" else image.convert("L"), dtype=np.uint8)
    soft = cv2.GaussianBlur(a, (0, 0), radius)
    return Image.fromarray(cv2.addWeighted(a, 1 + amount, soft, -amount, 0), mode="L")


def prepare(image: Image.Image, dpi: float) -> Image.Image:
    """The page as tesseract should get it, before turning and levelling: flattened (`flatten`) with its solid dark
    regions made white (`whitened`), and (when SHARPEN
    is on) sharpened when its ink edges are soft (`sharpness` below SOFT_BELOW) and it was scanned at
    SHARPEN_FROM_DPI or more.
    A page smeared past SMEARED_BELOW is left as it is: a generated letter blurred 4.7 px (sharpness 0.10) read
    sharpened at 51.6 % CER instead of 53.6, but the first model's confidence rose from 35 to 50 — a garbage read
    made sure enough to escape review (tests/test_ocr_page_review.py); blurred 3.5 px (0.12) it reads at 0.7 % either
    way. The real crops blurred 0.8-1.6 px measure 0.22-0.38."""
    flat = whitened(image, flatten(image, dpi), dpi)
    if not SHARPEN or dpi < SHARPEN_FROM_DPI:
        return flat
    soft = sharpness(flat, dpi)
    return sharpen(flat) if soft is not None and SMEARED_BELOW <= soft < SOFT_BELOW else flat


def rotate(image: Image.Image, degrees: float) -> Image.Image:
    """`image` (mode L) turned `degrees` counter-clockwise about its centre, as Pillow's
    `image.rotate(degrees, resample=BILINEAR, fillcolor=255)` would, without expanding."""
    if image.mode != "L":
        image = image.convert("L")
    pixels = np.asarray(image)
    h, w = pixels.shape
    # Pillow rotates about (w/2, h/2) in pixel-edge coordinates; OpenCV's pixel centres sit at integers
    matrix = cv2.getRotationMatrix2D(((w - 1) / 2, (h - 1) / 2), degrees, 1.0)
    out = cv2.warpAffine(pixels, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                         borderValue=255)
    return Image.fromarray(out, mode="L")
