"""A scanned PDF page is usually one image drawn over the whole page: decode that image directly (its own pixels at
its own resolution) instead of asking poppler to render the page — a fifth of the work, and the true scan DPI.

Anything else (text, vector drawing, several images, masks, odd colour spaces) returns None and goes to poppler.
"""
from __future__ import annotations

import zlib
from pathlib import Path

import pikepdf
from PIL import Image

from ocr import raster

_ALLOWED_OPS = {"q", "Q", "cm", "Do"}
MAX_CONTENT = 4096      # bytes: a scanned page draws its image in about 50; a longer stream is not parsed here
_FILTERS = {"/DCTDecode", "/CCITTFaxDecode", "/FlateDecode", "/LZWDecode", "/RunLengthDecode"}
_TRANSPOSE = {90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_90}


def _full_page_matrix(cms: list[list[float]], box: tuple[float, float, float, float]) -> bool:
    """The product of the cm operators maps the unit square onto the page box, unrotated (1 pt of slack)."""
    a, b, c, d, e, f = 1.0, 0.0, 0.0, 1.0, 0.0, 0.0
    for a2, b2, c2, d2, e2, f2 in cms:   # each new cm is applied before the current matrix
        a, b, c, d, e, f = (a2 * a + b2 * c, a2 * b + b2 * d, c2 * a + d2 * c, c2 * b + d2 * d,
                            e2 * a + f2 * c + e, e2 * b + f2 * d + f)
    x0, y0, x1, y1 = box
    return (abs(b) < 1e-6 and abs(c) < 1e-6 and abs(e - x0) <= 1 and abs(f - y0) <= 1
            and abs(a - (x1 - x0)) <= 1 and abs(d - (y1 - y0)) <= 1)


def _content_bytes(page: pikepdf.Page) -> int:
    """The page's content stream length once decoded, counted only up to MAX_CONTENT + 1 (a few compressed bytes can
    hold megabytes of operators)."""
    contents = page.obj.get("/Contents")
    streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents] if contents is not None else []
    total = 0
    for stream in streams:
        if not isinstance(stream, pikepdf.Stream):
            return MAX_CONTENT + 1
        raw, filters = stream.read_raw_bytes(), stream.get("/Filter")
        if filters is None:
            total += len(raw)
        elif str(filters) == "/FlateDecode":
            inflate = zlib.decompressobj()
            try:
                total += len(inflate.decompress(raw, MAX_CONTENT + 1)) + (MAX_CONTENT if inflate.unconsumed_tail else 0)
            except zlib.error:
                return MAX_CONTENT + 1
        else:
            return MAX_CONTENT + 1
        if total > MAX_CONTENT:
            break
    return total


def _single_image(page: pikepdf.Page) -> pikepdf.Object | None:
    if _content_bytes(page) > MAX_CONTENT:   # a page of text or drawing (or a hostile stream): poppler renders it
        return None
    cms: list[list[float]] = []
    names: list[str] = []
    for operands, op in pikepdf.parse_content_stream(page):
        name = str(op)
        if name not in _ALLOWED_OPS:
            return None
        if name == "cm":
            cms.append([float(v) for v in operands])
        elif name == "Do":
            names.append(str(operands[0]))
    if len(names) != 1:
        return None
    xobjects = page.resources.get("/XObject", {})
    image = xobjects.get(names[0])
    if image is None or image.get("/Subtype") != "/Image" or "/SMask" in image or "/Mask" in image:
        return None
    filters = image.get("/Filter")
    filters = list(filters) if isinstance(filters, pikepdf.Array) else [filters] if filters is not None else []
    if any(str(f) not in _FILTERS for f in filters) or "/Decode" in image:
        return None
    if str(image.get("/ColorSpace", "")) not in ("/DeviceGray", "/DeviceRGB") or image.get("/ImageMask"):
        return None
    x0, y0, x1, y1 = (float(v) for v in page.cropbox)
    box = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
    return image if _full_page_matrix(cms, box) else None


def scanned_page(path: Path, index: int, max_pixels: int, dpi_range: tuple[int, int]) -> tuple[Image.Image, int] | None:
    """(grayscale image as displayed, its DPI) when page `index` is a single full-page scan; else None."""
    try:
        with pikepdf.open(path) as pdf:
            page = pikepdf.Page(pdf.pages[index])
            image = _single_image(page)
            if image is None:
                return None
            w, h = int(image.Width), int(image.Height)
            if w * h > max_pixels:
                return None   # poppler's path reports the size problem with its own message
            decoded = pikepdf.PdfImage(image).as_pil_image()
            x0, _, x1, _ = (float(v) for v in page.cropbox)
            rotate = int(page.obj.get("/Rotate", 0)) % 360
    except (pikepdf.PdfError, NotImplementedError, ValueError, KeyError, OSError, TypeError):
        return None
    dpi = round(w / (abs(x1 - x0) / 72))
    if max(w, h) / dpi > raster.PAGE_INCHES[1]:   # a sheet over 24 inches: the page box is not the paper (Pillow
        dpi = raster.image_dpi(decoded, dpi)      # writes 72 dpi boxes): the pixels' size says the DPI, as for images
    if not dpi_range[0] <= dpi <= dpi_range[1]:
        return None
    gray = decoded.convert("L")
    if rotate in _TRANSPOSE:
        gray = gray.transpose(_TRANSPOSE[rotate])
    return gray, dpi
