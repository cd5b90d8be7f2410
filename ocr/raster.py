"""Pages out of files: poppler (ocr.poppler) for PDF, Pillow for TIFF/JPEG/PNG — one page at a time."""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ocr import poppler, textsize
from ocr.errors import ImageTooLarge, UnreadableImage

MIN_DPI, MAX_DPI = 70, 1200
# the long side of a scanned sheet, in inches: from a half-sheet note (A5, 8.3) to an A3 register (16.5), with room
PAGE_INCHES = (5.0, 24.0)
# an embedded DPI is believed down to this long side: a cropped slip or a clipped paragraph scanned at 300 dpi is
# still 300 dpi (read as an A4 sheet it was taken for 76 dpi, enlarged four times and turned sideways by the probe)
EMBEDDED_MIN_INCHES = 1.5
# the long side assumed when the file carries no believable DPI: A4 (11.7 in) and legal/foolscap (13-14 in) dominate
ASSUMED_INCHES = 11.69
COMMON_DPI = (100, 150, 200, 240, 300, 400, 600)
MAX_IMPLIED_DPI = 600    # a page of headings only implies more; it is big text either way
TARGET_DPI = 300        # what very low resolutions are upscaled to
# Measured on realistic office scans (Devanagari, psm 3; bench/results/scanlike.md and the closing note of issue 4):
# enlarging 200-dpi pages to 300 costs 1-3 CER points (20 pages: 13.4 vs 12.3 %), 150-dpi pages too (12 pages: 13.6
# vs 12.0 %) — tesseract scales each text line itself — while 100-dpi pages gain (12 pages: 27.6 vs 33.6 %).
UPSCALE_BELOW = 140
MAX_UPSCALED = 60_000_000   # pixels: a low DPI that would enlarge a page past this is not the scan's (a 72-dpi box)


def sane_dpi(info: dict, fallback: int) -> int:
    """The embedded DPI when it is believable, else the fallback (scanners write 1, 72 or nothing)."""
    raw = info.get("dpi")
    try:
        x = float(raw[0]) if isinstance(raw, tuple | list) else float(raw)
    except (TypeError, ValueError, IndexError):
        return fallback
    return round(x) if MIN_DPI <= x <= MAX_DPI else fallback


def _plausible(size: tuple[int, int], dpi: float, shortest: float = PAGE_INCHES[0]) -> bool:
    return shortest <= max(size) / dpi <= PAGE_INCHES[1]


def image_dpi(img: Image.Image, fallback: int) -> int:
    """The DPI to read an image frame at: the embedded one when it is believable and gives a sheet-sized page; else
    inferred from the pixel size as an A4 sheet, snapped to a common scanner setting; else the DPI its text size
    implies (ocr.textsize: a crop saved without one); else the A4 guess, else the fallback. The text is asked only
    when nothing else tells: a line pitch can be a multiple of the real one (regular paragraphs) or a halftone
    photo's dots, and was measured to turn right guesses wrong both ways (round-3 attack)."""
    size = img.size
    embedded = sane_dpi(img.info, 0)
    if embedded and _plausible(size, embedded, EMBEDDED_MIN_INCHES):
        return embedded
    guess = max(size) / ASSUMED_INCHES
    near = min(COMMON_DPI, key=lambda d: abs(d - guess))
    if abs(near - guess) <= 0.08 * near:
        return near
    implied = textsize.implied_dpi(textsize.line_pitch(img))
    if implied is not None:
        return min(MAX_IMPLIED_DPI, max(MIN_DPI, implied))
    return round(guess) if MIN_DPI <= guess <= MAX_DPI else fallback


def upscale(image: Image.Image, dpi: int) -> tuple[Image.Image, int]:
    """Scans below UPSCALE_BELOW dpi (fax-grade, 72-120 dpi photos) are enlarged to TARGET_DPI before OCR; the
    150-200 dpi that eOffice asks for are read as they are."""
    if dpi >= UPSCALE_BELOW:
        return image, dpi
    factor = TARGET_DPI / dpi
    if image.width * image.height * factor * factor > MAX_UPSCALED:
        return image, dpi
    size = (round(image.width * factor), round(image.height * factor))
    return image.resize(size, Image.Resampling.BICUBIC), TARGET_DPI


WIDE_MODES = ("I", "I;16", "I;16B", "I;16L", "I;16N", "F")   # 16- and 32-bit greyscale (archival scanners)


def grey(page: Image.Image) -> Image.Image:
    """The frame as 8-bit grey. A 16-bit (or 12-bit in 16) scan is scaled to 8 bits by the depth its brightest
    pixel implies: Pillow's `convert("L")` clips it at 255 instead, which made a 16-bit page all white (read blank)."""
    if page.mode not in WIDE_MODES:
        return page.convert("L")
    values = np.asarray(page, dtype=np.float64)
    top = float(values.max()) if values.size else 0.0
    if top > 255:
        values = values * (255 / (2 ** int(np.ceil(np.log2(top + 1))) - 1))
    return Image.fromarray(np.clip(np.rint(values), 0, 255).astype(np.uint8), "L")


def pdf_page_count(path: Path, *, timeout: float) -> int:
    return poppler.page_count(path, timeout=timeout)


def image_page_count(path: Path, max_pixels: int) -> int:
    with open_image(path, max_pixels) as img:
        return int(getattr(img, "n_frames", 1))


def open_image(path: Path, max_pixels: int) -> Image.Image:
    """Open lazily and refuse decompression bombs before any pixel is decoded."""
    Image.MAX_IMAGE_PIXELS = None  # we check ourselves, with a clearer message
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(path)
    except UnidentifiedImageError as e:
        raise UnreadableImage("the image cannot be decoded") from e
    except OSError as e:
        raise UnreadableImage(f"the image cannot be read: {e}") from e
    w, h = img.size
    if w * h > max_pixels:
        img.close()
        raise ImageTooLarge(f"the image is {w} × {h} pixels; the limit is {max_pixels:,} pixels per page")
    return img


def image_page(path: Path, index: int, *, max_pixels: int, default_dpi: int) -> tuple[Image.Image, int]:
    """Frame `index` (0-based) of an image file as grayscale, and its DPI."""
    try:
        with open_image(path, max_pixels) as img:
            img.seek(index)
            w, h = img.size
            if w * h > max_pixels:
                raise ImageTooLarge(f"page {index + 1} is {w} × {h} pixels; the limit is {max_pixels:,}")
            dpi = image_dpi(img, default_dpi)
            page = grey(ImageOps.exif_transpose(img))
            page.load()
            return page, dpi
    except (EOFError, OSError, ValueError, SyntaxError) as e:
        raise UnreadableImage(f"page {index + 1} of the image cannot be decoded: {e}") from e


def render_pdf_page(path: Path, index: int, *, dpi: int, timeout: float, max_pixels: int) -> tuple[Image.Image, int]:
    """Page `index` (0-based) rasterised by poppler at `dpi`, grayscale."""
    page = poppler.render(path, index, dpi=dpi, timeout=timeout)
    if page.width * page.height > max_pixels:
        raise ImageTooLarge(f"page {index + 1} would be {page.width} × {page.height} pixels at {dpi} dpi")
    return page.convert("L"), dpi
