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
A dark region that holds print is a sheet (a brown envelope or coloured card on a white bed, paper under a hard
shadow, a gutter over line ends) and is read, never painted. Print is judged against the region's own noise, not a
fixed step: enough pixels darker than their neighbourhood and than the region's median by INK_FLOOR grey levels and
INK_SIGMAS times the region's noise (a robust sigma), so faint print under a shadow counts while sensor noise and
JPEG on a plain lid do not. A band of EDGE_BAND inches next to the sheet's edge is not looked at (the sheet's soft
edge and the shadow line along it look like print). A textured surround (wood grain, cloth, carpet, dust) passes the
print test; it is still painted when the sheet's margin next to it (EDGE_BAND to MARGIN inches away) is blank, or
nearly (a tenth of the sheet's density), while the sheet beyond holds print.
The rest of the image's edge must be paper: a sheet photographed on an unevenly lit table has a surround that is
only partly dark, and painting that part would cut a new edge into the picture; such a page is read as it is.

The surround is looked for on a copy at LOOK_DPI, whatever the scan's resolution, made with an antialiasing filter
(so a thin line's grey does not depend on where the grid cuts it). Every step is a global threshold or a square,
centred morphology, and the copy's grid is symmetric: the same pixels come out whichever way up the scan was turned
(ocr.page reads a turned page as the very same pixels as its upright twin). Most pages have nothing dark at their
edge; they leave after reading the image's four edges and a sparse sample, without copying the page.
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
PAPER_PERCENTILE = 90   # the paper's grey: the brightest tenth of the image ...
SAMPLE_DPI = 50         # ... in a sample of the image's pixels this far apart
FILL_DPI = 25           # the resolution the surround's fill is worked out at
LOOK_DPI = 100          # ... and the resolution it is looked for at
INK_SIZE = 0.04         # inches: print is what is darker than the grey around it within this distance ...
INK_FLOOR = 10          # ... and than the region's median, by this many grey levels at least ...
INK_SIGMAS = 5          # ... and this many times the region's noise (robust sigma of its fine detail) ...
INK_SHARE = 0.002       # ... and a region with this share of such pixels holds print (a lid, a table or a gutter
                        # beyond the text carries none: sensor noise and JPEG stay far under it)
EDGE_BAND = 0.06        # inches of a dark region next to the sheet's edge not looked at for print
MARGIN = 0.15           # inches: the sheet's margin next to a textured surround, which must be blank to paint it:
MARGIN_SHARE = 0.1      # print on no more than INK_SHARE of it, or this share of the sheet's print density (a
                        # tight crop's first letters reach in; a shadow's lit side carries the sheet's density)


def _grey(image: Image.Image) -> Image.Image:
    return image if image.mode in ("L", "RGB") else image.convert("L")


def _paper_and_rim(image: Image.Image, dpi: float) -> tuple[float, np.ndarray] | None:
    """The paper's grey and the image's outermost pixels, or None when nothing dark reaches the image's edge —
    worked out from the four edges and a sparse sample, without a copy of the page."""
    image = _grey(image)
    w, h = image.size
    strips = [image.crop(box) for box in ((0, 0, w, 1), (0, h - 1, w, h), (0, 0, 1, h), (w - 1, 0, w, h))]
    rim = np.concatenate([np.asarray(s.convert("L"), np.uint8).ravel() for s in strips])
    if rim.min() >= DARK_SHARE * 255:
        return None
    size = (max(1, min(w, round(w * SAMPLE_DPI / dpi))), max(1, min(h, round(h * SAMPLE_DPI / dpi))))
    sample = np.asarray(image.resize(size, Image.Resampling.NEAREST).convert("L"), np.uint8)
    counts = np.cumsum(np.bincount(sample.ravel(), minlength=256))
    paper = float(np.searchsorted(counts, PAPER_PERCENTILE / 100 * counts[-1]))
    if not (rim < DARK_SHARE * paper).any():
        return None
    return paper, rim


def _look(image: Image.Image, dpi: float) -> np.ndarray:
    """`image` at LOOK_DPI, grey, through a triangle filter as wide as the scale (PIL's antialiasing bilinear;
    above 300 dpi after a box reduction to no less than three times LOOK_DPI)."""
    image = _grey(image)
    w, h = image.size
    size = (max(1, round(w * LOOK_DPI / dpi)), max(1, round(h * LOOK_DPI / dpi)))
    small = image if size == image.size else image.resize(size, Image.Resampling.BILINEAR, reducing_gap=3.0)
    return np.asarray(small.convert("L"), np.uint8)


def _square(inches: float) -> np.ndarray:
    size = max(3, round(inches * LOOK_DPI) | 1)
    return np.ones((size, size), np.uint8)


def _inked(pixels: np.ndarray, darker: np.ndarray, where: np.ndarray) -> float:
    """The share of `where` that is print: darker than its neighbourhood (`darker`, a black-hat) and than the
    area's median by INK_FLOOR grey levels and INK_SIGMAS times the area's noise at least."""
    n = int(where.sum())
    if n == 0:
        return 0.0
    values = pixels[where].astype(np.float32)
    detail = values - cv2.medianBlur(pixels, 5)[where].astype(np.float32)   # fine detail: no slopes, no shading
    sigma = 1.4826 * float(np.median(np.abs(detail - np.median(detail))))
    step = max(INK_FLOOR, INK_SIGMAS * sigma)
    ink = (darker[where] >= step) & (values <= float(np.median(values)) - step)
    return float(ink.sum()) / n


def surround(image: Image.Image, dpi: float) -> np.ndarray | None:
    """A boolean mask (at the image's size) of the dark surround of the sheet in `image`, or None when there is
    none. Looked for on a copy at LOOK_DPI (a surround is a tenth of an inch thick at least)."""
    found = _paper_and_rim(image, dpi)
    if found is None:                            # nothing dark reaches the edge: no surround (most pages)
        return None
    paper, _ = found
    pixels = _look(image, dpi)
    dark = (pixels < DARK_SHARE * paper).astype(np.uint8)
    solid = cv2.morphologyEx(dark, cv2.MORPH_OPEN, _square(SOLID))
    if not solid.any():
        return None
    count, labels, stats, _ = cv2.connectedComponentsWithStats(solid, connectivity=8)
    h, w = solid.shape
    darker = cv2.morphologyEx(pixels, cv2.MORPH_BLACKHAT, _square(INK_SIZE))
    near = cv2.dilate(1 - solid, _square(2 * EDGE_BAND)).astype(bool)     # the sheet's edge and a band along it
    free = ~cv2.dilate(solid, _square(2 * EDGE_BAND)).astype(bool)        # the sheet, its soft edge left out
    sheet_print: float | None = None
    keep = np.zeros(count, bool)
    for i in range(1, count):
        x, y, bw, bh = (int(v) for v in stats[i, :4])
        if not (x == 0 or y == 0 or x + bw == w or y + bh == h):
            continue
        region = labels == i
        if _inked(pixels, darker, region & ~near) <= INK_SHARE:
            keep[i] = True
            continue
        # print, or a textured surround: it is the surround when the sheet's margin beside it is (nearly) blank
        # while the sheet beyond holds print (a dark card on a white bed has a blank bed all round: it is the sheet)
        margin = cv2.dilate(region.astype(np.uint8), _square(2 * MARGIN)).astype(bool) & free
        if margin.sum() < 4 * MARGIN * LOOK_DPI:
            continue
        if sheet_print is None:
            sheet_print = _inked(pixels, darker, free)
        keep[i] = sheet_print > INK_SHARE and _inked(pixels, darker, margin) <= max(INK_SHARE,
                                                                                   MARGIN_SHARE * sheet_print)
    if not keep.any():
        return None
    mask = cv2.dilate(keep[labels].astype(np.uint8), _square(2 * EDGE))
    if mask.mean() > MOST:
        return None
    rim = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    covered = np.concatenate([mask[0], mask[-1], mask[:, 0], mask[:, -1]]).astype(bool)
    rest = rim[~covered]
    if rest.size and np.mean(rest < OPEN_EDGE * paper) > OPEN_DARKER:
        return None
    if mask.shape != (image.height, image.width):
        mask = np.asarray(Image.fromarray(mask * 255).resize(image.size, Image.Resampling.NEAREST)) > 0
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
