"""Find a nasti QR code (a cover or divider sheet) on a page, cheaply, before any OCR.

The page is looked at reduced (its long side at most ``REDUCED`` pixels, about 100 dpi for A4): a cover's code has
modules of about 1.3 mm, 5 pixels there. zxing-cpp reads it; OpenCV's detector is the fallback when zxing-cpp is
not installed. This module only finds text that starts like a nasti code: what it means (which register file) is
ingest's business (common.cover parses it, the register resolves it). ``ocr`` never imports ``store``.
"""
from __future__ import annotations

import io
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pikepdf
from PIL import Image, ImageOps

from common.cover import MAGIC
from ocr import poppler, raster
from ocr.pdfimage import scanned_page

REDUCED = 1200          # long side in pixels of the image searched first
AGAIN_SMALLER = 1000    # searched again at these sizes when the first look saw a code it could not read
FULLER = 1800
DRAFT_LONG = 800        # a JPEG is decoded reduced, its long side at least this (about 70 dpi for A4)
RENDER_DPI = 100        # a PDF page that is not one scanned image is rendered at this resolution

try:  # pragma: no cover - which branch runs depends on the installation
    import zxingcpp

    _FORMATS = zxingcpp.BarcodeFormat.QRCode
    _BINARIZERS = (zxingcpp.Binarizer.LocalAverage, zxingcpp.Binarizer.FixedThreshold,
                   zxingcpp.Binarizer.GlobalHistogram)
except ImportError:  # pragma: no cover
    zxingcpp = None


@dataclass(frozen=True)
class QrTask:
    source: Path
    kind: str           # pdf | tiff | jpeg | png
    index: int          # 0-based
    timeout: float
    max_pixels: int


@dataclass(frozen=True)
class QrResult:
    index: int
    payload: str | None     # the text of the first nasti code found
    seconds: float
    error: str | None = None


def reduce(image: Image.Image, long_side: int = REDUCED) -> Image.Image:
    """Grayscale, long side near ``long_side``: an integer box reduction by the nearest factor (3 ms for a 300-dpi
    A4, where a free resize costs 15); a free resize only when that leaves it far too large."""
    img = image if image.mode == "L" else image.convert("L")
    factor = round(max(img.size) / long_side)
    if factor >= 2:
        img = img.reduce(factor)
    if max(img.size) > long_side * 1.25:
        scale = long_side / max(img.size)
        img = img.resize((max(1, round(img.width * scale)), max(1, round(img.height * scale))),
                         Image.Resampling.BOX)
    return img


def _zxing(img: Image.Image, binarizer: int, harder: bool) -> tuple[list[str], bool]:
    found = zxingcpp.read_barcodes(np.asarray(img), formats=_FORMATS, try_rotate=False, try_downscale=harder,
                                   try_invert=False, binarizer=_BINARIZERS[binarizer], return_errors=True)
    return [b.text for b in found if b.valid and b.text], any(not b.valid for b in found)


def _opencv(img: Image.Image) -> tuple[list[str], bool]:
    import cv2

    ok, texts, _, _ = cv2.QRCodeDetector().detectAndDecodeMulti(np.asarray(img))
    read = [t for t in texts if t] if ok else []
    return read, bool(ok) and len(read) < len(texts)


def codes(image: Image.Image, binarizer: int = 0, harder: bool = False) -> tuple[list[str], bool]:
    """Texts of the QR codes readable in ``image`` (already reduced), and whether a code was seen that could not
    be read. ``binarizer``: 0 local average, 1 fixed threshold, 2 global histogram (zxing-cpp's); ``harder``: also
    search smaller copies."""
    return _zxing(image, binarizer, harder) if zxingcpp is not None else _opencv(image)


def _ours(texts: list[str]) -> set[str]:
    return {t for t in texts if t.startswith(MAGIC + "|")}


def _one(found: set[str]) -> str | None:
    """The page's nasti code; None when it holds two different ones (two covers copied 2-up onto one sheet: which
    file follows is not for the first code read to decide — the page is OCR'd and its headings go to review)."""
    return next(iter(found)) if len(found) == 1 else None


def nasti_code(image: Image.Image) -> str | None:
    """The text of the first nasti code in ``image`` (any size: it is reduced here), or None.

    The reduced page is read with zxing-cpp's three binarisers (1-3 ms each: toner grain, a stain and a bitonal
    scan each defeat a different one). Only a page where a code was seen but not read is looked at again, smaller
    and larger; a page with no code at all costs the one reduction and the three quick reads."""
    small = reduce(image)
    seen = False
    found: set[str] = set()
    for binarizer in (0, 1, 2):
        texts, unread = codes(small, binarizer)
        found |= _ours(texts)     # a page with a code goes on through the other binarisers: a second, other code?
        seen = seen or unread    # a code that read and is not ours (UPI, eOffice) is no reason to look again
        if zxingcpp is None:
            break
    if found:
        return _one(found)
    if not seen:
        return None
    for size in (AGAIN_SMALLER, FULLER):
        if size >= max(image.size) * 1.1:
            continue
        attempt = reduce(image, size)
        for binarizer in (0, 1, 2):
            found |= _ours(codes(attempt, binarizer, harder=True)[0])
        if found:
            return _one(found)
    return None


def page_image(task: QrTask) -> Image.Image | None:
    """The page's pixels at about the size searched, as cheaply as they come: a JPEG decoded at a fraction of its
    size, a PDF page's single scanned image taken out as it is, else poppler at ``RENDER_DPI``. None for a PDF
    page without any image: nasti's sheets are pictures (printed and scanned, or the generated PDF itself), so a
    typed page cannot be one, and is not rendered just to look."""
    if task.kind == "pdf":
        images, jpeg = _pdf_images(task)
        if images == 0:
            return None
        if jpeg is not None:
            return jpeg
        scanned = scanned_page(task.source, task.index, task.max_pixels, (50, 1200))
        if scanned is not None:
            return scanned[0]
        img = poppler.render(task.source, task.index, dpi=RENDER_DPI, timeout=task.timeout)
        return img
    with raster.open_image(task.source, task.max_pixels) as img:
        img.seek(task.index)
        if img.format == "JPEG":
            img.draft("L", _draft_size(img.size, 1 / 4))
        page = ImageOps.exif_transpose(img)
        page.load()
        return page.convert("L")


def _draft_size(size: tuple[int, int], fraction: float) -> tuple[int, int]:
    """The size to ask libjpeg for (it decodes at 1/2, 1/4 or 1/8, never below what is asked): ``fraction`` of the
    image, but the long side at least ``DRAFT_LONG`` pixels (a fixed fraction left a 100-dpi cover's code 2 pixels
    a module, unreadable)."""
    scale = min(1.0, max(fraction, DRAFT_LONG / max(size)))
    return max(1, int(size[0] * scale)), max(1, int(size[1] * scale))


def _pdf_images(task: QrTask) -> tuple[int, Image.Image | None]:
    """How many images the PDF page draws, and the page itself when it is one JPEG image (most scanners' PDFs),
    decoded at a third of its size (libjpeg's DCT scaling: 3 ms instead of 30 for a 300-dpi A4)."""
    with pikepdf.open(task.source) as pdf:
        page = pikepdf.Page(pdf.pages[task.index])
        # the page's own images (Page.images is deprecated: once removed, every page would silently be no cover)
        images = list((page.get_images(recursive=False) if hasattr(page, "get_images") else page.images).values())
        if len(images) != 1 or images[0].get("/Filter") != pikepdf.Name.DCTDecode:
            return len(images), None
        raw = images[0].read_raw_bytes()
    img = Image.open(io.BytesIO(raw))
    if img.width * img.height > task.max_pixels:
        return 1, None
    img.draft("L", _draft_size(img.size, 1 / 3))
    img.load()
    return 1, img


def check_page(task: QrTask) -> QrResult:
    """Run in a pool worker: the nasti code on page ``task.index``, if any. Never raises: a page that cannot be
    looked at is simply not a cover here (OCR will say what is wrong with it)."""
    started = time.perf_counter()
    try:
        image = page_image(task)
        payload = nasti_code(image) if image is not None else None
        return QrResult(task.index, payload, time.perf_counter() - started)
    except Exception as e:  # a damaged page: OCR reports it with its own reason
        return QrResult(task.index, None, time.perf_counter() - started, f"{type(e).__name__}: {e}")
