"""Look at a dropped file before any OCR: is it something we can and should digitise?"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pikepdf

from ingest.filetype import sniff
from ocr import raster
from ocr.errors import OcrError


class Rejected(Exception):
    """The file is bad input. `code` picks the bilingual reason; `detail` fills it in."""

    def __init__(self, code: str, detail: str = "", technical: str = "") -> None:
        super().__init__(f"{code}: {detail or technical}")
        self.code = code
        self.detail = detail
        self.technical = technical


@dataclass(frozen=True)
class Inspected:
    kind: str
    pages: int
    has_text: bool = False   # a born-digital PDF that already carries text


def _pdf(path: Path, timeout: float) -> Inspected:
    with open(path, "rb") as fh:
        fh.seek(max(0, path.stat().st_size - 2048))
        tail = fh.read()
    if b"%%EOF" not in tail:
        raise Rejected("truncated_pdf", technical="no %%EOF marker at the end of the file")
    try:
        with pikepdf.open(path) as pdf:
            n = len(pdf.pages)
    except pikepdf.PasswordError as e:
        raise Rejected("encrypted_pdf", technical=str(e)) from e
    except pikepdf.PdfError as e:
        raise Rejected("corrupt_pdf", "qpdf cannot parse it", technical=str(e)[:300]) from e
    if n == 0:
        raise Rejected("no_pages")
    try:
        n_poppler = raster.pdf_page_count(path, timeout=timeout)
    except OcrError as e:
        raise Rejected(e.code if e.code != "ocr_failed" else "corrupt_pdf", "poppler cannot read it",
                       technical=e.detail) from e
    if n_poppler == 0:
        raise Rejected("no_pages")
    return Inspected("pdf", n)


def inspect(path: Path, *, max_file_bytes: int, max_pixels: int, max_pages: int, timeout: float) -> Inspected:
    if path.is_symlink():
        raise Rejected("symlink")
    size = path.stat().st_size
    if size == 0:
        raise Rejected("empty_file")
    if size > max_file_bytes:
        raise Rejected("file_too_large", f"{size / 2**20:.0f} MB; limit {max_file_bytes / 2**20:.0f} MB")
    sniffed = sniff(path)
    if sniffed.kind is None:
        raise Rejected("unsupported_type", sniffed.name)
    if sniffed.kind == "pdf":
        found = _pdf(path, timeout)
    else:
        try:
            found = Inspected(sniffed.kind, raster.image_page_count(path, max_pixels))
        except OcrError as e:
            raise Rejected(e.code, e.detail) from e
    if found.pages > max_pages:
        raise Rejected("too_many_pages", str(found.pages))
    return found
