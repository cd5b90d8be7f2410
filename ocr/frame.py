"""The dark surround of a scanned sheet — a scanner's open lid, the table under a photographed letter, a book's
gutter shadow — made the colour of the paper before the page is read.

Tesseract lays a page out on one global Otsu threshold. A wide dark frame around the sheet pulls that threshold
down, so faint ink (a matra's dot, a small running head) falls on the paper's side of it; the levelling
(`ocr.level.flatten`) then leaves a grey halo along the sheet's edge that pulls it the other way on faint print.
Measured on the tuning half of the real crops (realscans-dev, odd pages) framed by 0.3-0.9 in of grey 20-110:
nasti's CER went from 9.89 % unframed to 13.29 %, 3 of 27 pages more than 10 points worse than bare `Devanagari`.

What counts as surround: dark (below DARK_SHARE of the paper's grey), at least SOLID inches thick everywhere (an
opening of that size removes every stroke of print, bold headings included), and touching the image's edge. Print
never meets those three; a black photo or banner touching the edge does, and is not text tesseract reads anyway.
The rest of the image's edge must be paper: a sheet photographed on an unevenly lit table has a surround that is
only partly dark, and painting that part would cut a new edge into the picture; such a page is read as it is.
Every step is a global threshold or a square, centred morphology: the same pixels come out whichever way up the
scan was turned (ocr.page reads a turned page as the very same pixels as its upright twin).
"""
from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

DARK_SHARE = 0.6        # surround is darker than this share of the paper's grey
SOLID = 0.1             # inches: the least thickness of a surround (print strokes are 0.005-0.06 in)
EDGE = 0.03             # inches the surround is widened by, over its soft edge
MOST = 0.85             # a "surround" covering more of the image than this is the page itself (a dark page)
OPEN_EDGE = 0.8         # the image's edge outside the surround must be paper: this share of its grey at least ...
OPEN_DARKER = 0.1       # ... on all but this share of it (else the sheet lies on a lit table: painting part of
                        # the table would cut a new edge into the page, measured to cost up to 27 CER points)
PAPER_PERCENTILE = 90   # the paper's grey: the brightest tenth of the image
FILL_DPI = 25           # the resolution the surround's fill is worked out at
LOOK_DPI = 100          # ... and the resolution it is looked for at
INK_SIZE = 0.04         # inches: print is what is darker than the grey around it within this distance ...
INK_STEP = 40           # ... by this many grey levels at least ...
INK_SHARE = 0.002       # ... and a dark region with this share of such pixels holds print: a dark or coloured sheet
                        # on a white bed, or a shadow falling over text, which is read, never painted (a lid, a
                        # table or a gutter beyond the text carries no print: sensor noise and JPEG stay under 0.1 %)


def surround(image: Image.Image, dpi: float) -> np.ndarray | None:
    """A boolean mask (at the image's size) of the dark surround of the sheet in `image` (mode L), or None when there
    is none. Looked for on a copy reduced to about LOOK_DPI (a surround is a tenth of an inch thick at least)."""
    full = np.asarray(image if image.mode == "L" else image.convert("L"), dtype=np.uint8)
    counts = np.cumsum(np.bincount(full[::4, ::4].ravel(), minlength=256))
    paper = float(np.searchsorted(counts, PAPER_PERCENTILE / 100 * counts[-1]))
    rim = np.concatenate([full[0], full[-1], full[:, 0], full[:, -1]])
    if not (rim < DARK_SHARE * paper).any():     # nothing dark reaches the edge: no surround (most pages)
        return None
    step = max(1, round(dpi / LOOK_DPI))
    pixels = full if step == 1 else cv2.resize(full, (max(1, full.shape[1] // step), max(1, full.shape[0] // step)),
                                               interpolation=cv2.INTER_AREA)
    dpi /= step
    dark = (pixels < DARK_SHARE * paper).astype(np.uint8)
    size = max(3, round(SOLID * dpi) | 1)
    solid = cv2.morphologyEx(dark, cv2.MORPH_OPEN, np.ones((size, size), np.uint8))
    if not solid.any():
        return None
    count, labels, stats, _ = cv2.connectedComponentsWithStats(solid, connectivity=8)
    h, w = solid.shape
    x, y, bw, bh, area = (stats[1:, i] for i in range(5))
    edge = (x == 0) | (y == 0) | (x + bw == w) | (y + bh == h)
    ink_size = max(3, round(INK_SIZE * dpi) | 1)
    ink = cv2.morphologyEx(pixels, cv2.MORPH_BLACKHAT, np.ones((ink_size, ink_size), np.uint8)) > INK_STEP
    printed = np.bincount(labels[ink], minlength=count)[1:] > INK_SHARE * area
    keep = np.zeros(count, bool)
    keep[1:] = edge & ~printed
    if not keep.any():
        return None
    mask = keep[labels].astype(np.uint8)
    grow = max(1, round(EDGE * dpi))
    mask = cv2.dilate(mask, np.ones((2 * grow + 1, 2 * grow + 1), np.uint8))
    if mask.mean() > MOST:
        return None
    rim = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    covered = np.concatenate([mask[0], mask[-1], mask[:, 0], mask[:, -1]]).astype(bool)
    rest = rim[~covered]
    if rest.size and np.mean(rest < OPEN_EDGE * paper) > OPEN_DARKER:
        return None
    if step > 1:
        mask = cv2.resize(mask, (full.shape[1], full.shape[0]), interpolation=cv2.INTER_NEAREST)
    return mask.astype(bool)


def unframed(image: Image.Image, dpi: float) -> Image.Image:
    """`image` with its dark surround (if any) painted the grey of the paper next to it: the surround is filled in
    from the sheet's edge (OpenCV's inpainting at FILL_DPI), so a sheet lit unevenly meets no new edge."""
    mask = surround(image, dpi)
    if mask is None:
        return image
    pixels = np.array(image if image.mode == "L" else image.convert("L"), dtype=np.uint8)
    h, w = pixels.shape
    step = max(1, round(dpi / FILL_DPI))
    size = (max(1, w // step), max(1, h // step))
    small = cv2.resize(pixels, size, interpolation=cv2.INTER_AREA)
    hole = cv2.resize(mask.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST)
    hole = cv2.dilate(hole, np.ones((3, 3), np.uint8))
    fill = cv2.resize(cv2.inpaint(small, hole, 3, cv2.INPAINT_TELEA), (w, h), interpolation=cv2.INTER_LINEAR)
    pixels[mask] = fill[mask]
    return Image.fromarray(pixels, mode="L")
