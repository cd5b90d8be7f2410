"""Look at a dropped file before any OCR: is it something we can and should digitise?

Every page's pixel size is bounded here, from headers only, before anything is decoded or rasterised: an image's
own size, a PDF page's size at the OCR resolution.
"""
from __future__ import annotations

import os
import stat
import zlib
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from PIL import Image, UnidentifiedImageError

from ingest.filetype import sniff
from ingest.reasons import TYPE_HI
from ocr import raster
from ocr.errors import OcrError

MIN_SIDE_PX = 100       # a page image narrower than this holds no readable line (a 1×1 px PNG, an icon)
MAX_ASPECT = 10.0       # long receipts reach 1:5; a 1:66 strip is not a page (img2pdf and OSD fail on it)
MAX_PDF_POINTS = 14400  # the largest page a PDF may have (200 inches)


class Rejected(Exception):
    """The file is bad input. `code` picks the bilingual reason; `detail`/`detail_hi` fill it in; `technical` goes
    to the event only."""

    def __init__(self, code: str, detail: str = "", technical: str = "", detail_hi: str = "") -> None:
        super().__init__(f"{code}: {technical or detail}")
        self.code = code
        self.detail = detail
        self.detail_hi = detail_hi or detail
        self.technical = technical


@dataclass(frozen=True)
class Inspected:
    kind: str
    pages: int


def _check_page(w: float, h: float, page: int, max_pixels: int) -> None:
    """Refuse a page (its pixel size, as rendered) that is too large, too small, or not shaped like a page."""
    dims = f"{w:.0f} × {h:.0f}"
    where_en, where_hi = (f"page {page}: ", f"पृष्ठ {page}: ") if page > 1 else ("", "")
    if w * h > max_pixels:
        raise Rejected("image_too_large", f"{where_en}{dims} pixels", f"limit {max_pixels} pixels",
                       f"{where_hi}{dims} पिक्सेल")
    if min(w, h) < MIN_SIDE_PX:
        raise Rejected("image_too_small", f"{where_en}{dims} pixels", detail_hi=f"{where_hi}{dims} पिक्सेल")
    if max(w, h) / max(min(w, h), 1) > MAX_ASPECT:
        raise Rejected("image_odd_shape", f"{where_en}{dims} pixels", detail_hi=f"{where_hi}{dims} पिक्सेल")


MAX_CONTENT_BYTES = 64 * 2**20   # a page's drawing instructions, decompressed (a scanned page has ~100 bytes)


def _content_bytes(page: pikepdf.Page, cap: int) -> int:
    """How many bytes the page's content streams decompress to, counted in chunks and stopped past `cap` (a 1 MB
    PDF can hold gigabytes of instructions that a parser would turn into objects in memory)."""
    contents = page.obj.get("/Contents")
    streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents] if contents is not None else []
    total = 0
    for stream in streams:
        if not isinstance(stream, pikepdf.Stream):
            continue
        raw = stream.read_raw_bytes()
        filters = stream.get("/Filter")
        if filters is None:
            total += len(raw)
        elif filters == pikepdf.Name.FlateDecode:
            inflate, buf = zlib.decompressobj(), raw
            while buf and total <= cap:
                total += len(inflate.decompress(buf, 2**20))
                buf = inflate.unconsumed_tail
        else:
            total += len(raw)
        if total > cap:
            break
    return total


def _pdf(path: Path, timeout: float, dpi: int, max_pixels: int) -> Inspected:
    with open(path, "rb") as fh:
        fh.seek(max(0, path.stat().st_size - 2048))
        tail = fh.read()
    if b"%%EOF" not in tail:
        raise Rejected("truncated_pdf", technical="no %%EOF marker at the end of the file")
    try:
        with pikepdf.open(path) as pdf:
            n = len(pdf.pages)
            for i, page in enumerate(pdf.pages):
                x0, y0, x1, y1 = (float(v) for v in page.mediabox)
                unit = float(page.obj.get("/UserUnit", 1))
                w, h = abs(x1 - x0) * unit, abs(y1 - y0) * unit
                if max(w, h) > MAX_PDF_POINTS * unit or min(w, h) <= 0:
                    raise Rejected("image_too_large", f"page {i + 1}: {w:.0f} × {h:.0f} points",
                                   detail_hi=f"पृष्ठ {i + 1}: {w:.0f} × {h:.0f} पॉइंट")
                _check_page(w / 72 * dpi, h / 72 * dpi, i + 1, max_pixels)
                if (n_bytes := _content_bytes(page, MAX_CONTENT_BYTES)) > MAX_CONTENT_BYTES:
                    raise Rejected("page_too_complex", f"page {i + 1}", f"more than {n_bytes} bytes of content",
                                   f"पृष्ठ {i + 1}")
    except pikepdf.PasswordError as e:
        raise Rejected("encrypted_pdf", technical=str(e)) from e
    except pikepdf.PdfError as e:
        raise Rejected("corrupt_pdf", technical=f"qpdf: {str(e)[:300]}") from e
    if n == 0:
        raise Rejected("no_pages")
    try:
        n_poppler = raster.pdf_page_count(path, timeout=timeout)
    except OcrError as e:
        raise Rejected(e.code if e.code != "ocr_failed" else "corrupt_pdf", technical=e.detail) from e
    if n_poppler == 0:
        raise Rejected("no_pages")
    return Inspected("pdf", n)


def _image(path: Path, max_pixels: int) -> int:
    """The number of frames, each checked from its header (nothing is decoded)."""
    Image.MAX_IMAGE_PIXELS = None   # we check ourselves, with a clearer message
    try:
        with Image.open(path) as img:
            n = int(getattr(img, "n_frames", 1))
            for i in range(n):
                img.seek(i)
                _check_page(*img.size, i + 1, max_pixels)
            return n
    except Rejected:
        raise
    except (UnidentifiedImageError, OSError, ValueError, EOFError, SyntaxError) as e:
        raise Rejected("unreadable_image", technical=f"{type(e).__name__}: {e}") from e


def refusal(path: Path, max_file_bytes: int) -> Rejected | None:
    """What the file system alone says against a drop, before a byte of it is read: a link, something that is not
    a file (a FIFO, a device: reading it would block or never end), a file too large to read (a sparse 1 TB file)."""
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        return Rejected("symlink")
    if not stat.S_ISREG(st.st_mode):
        return Rejected("not_a_file", technical=f"file mode {stat.S_IFMT(st.st_mode):o}")
    if st.st_size > max_file_bytes:
        mb, limit = f"{st.st_size / 2**20:.0f}", f"{max_file_bytes / 2**20:.0f}"
        return Rejected("file_too_large", f"{mb} MB; limit {limit} MB", detail_hi=f"{mb} MB; सीमा {limit} MB")
    return None


def inspect(path: Path, *, max_file_bytes: int, max_pixels: int, max_pages: int, timeout: float,
            dpi: int = 300) -> Inspected:
    if (bad := refusal(path, max_file_bytes)) is not None:
        raise bad
    if path.stat().st_size == 0:
        raise Rejected("empty_file")
    sniffed = sniff(path)
    if sniffed.kind is None:
        raise Rejected("unsupported_type", sniffed.name, detail_hi=TYPE_HI.get(sniffed.name, "अन्य प्रकार की फ़ाइल"))
    found = _pdf(path, timeout, dpi, max_pixels) if sniffed.kind == "pdf" else \
        Inspected(sniffed.kind, _image(path, max_pixels))
    if found.pages > max_pages:
        raise Rejected("too_many_pages", str(found.pages))
    return found
