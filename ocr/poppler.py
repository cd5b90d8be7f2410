"""poppler-utils, in one place: the command lines nasti runs (pdfinfo, pdftoppm through pdf2image, pdftotext), their
time-outs, a version probe and start-up check, and one mapping of their failures to nasti's errors (ocr.errors).

Every caller gets `EngineMissing` (an operator problem: poppler is not installed), `PageTimeout` (the file kept poppler
busy past the page time-out) or `OcrError` with code ``corrupt_pdf`` (the file is damaged); raw poppler output only
ever travels in an error's technical detail, never into a reason a clerk reads.
"""
from __future__ import annotations

import subprocess
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from pdf2image import convert_from_path, pdfinfo_from_path
from pdf2image.exceptions import PDFInfoNotInstalledError, PDFPageCountError, PDFSyntaxError
from PIL import Image

from ocr.errors import EngineMissing, OcrError, PageTimeout

INSTALL = "poppler is not installed (apt-get install poppler-utils)"
TOOLS = ("pdfinfo", "pdftoppm", "pdftotext")


@contextmanager
def _errors(what: str, timeout: float) -> Iterator[None]:
    """poppler's failures while reading `what` ("this PDF", "page 3") as nasti's errors."""
    try:
        yield
    except (FileNotFoundError, PDFInfoNotInstalledError) as e:
        raise EngineMissing(INSTALL) from e
    except subprocess.TimeoutExpired as e:
        raise PageTimeout(f"poppler took longer than {timeout:.0f} s on {what}") from e
    except (PDFPageCountError, PDFSyntaxError) as e:
        raise OcrError(f"poppler cannot read {what}: {str(e).strip()[:200]}", code="corrupt_pdf") from e
    except Exception as e:  # pdf2image wraps its own time-out in other exception types
        if "timeout" in type(e).__name__.lower() or "timed out" in str(e).lower():
            raise PageTimeout(f"poppler took longer than {timeout:.0f} s on {what}") from e
        raise


@cache
def version(tool: str = "pdftoppm") -> str:
    """The version of a poppler program ("22.12.0"); EngineMissing when it is not installed."""
    try:
        out = subprocess.run([tool, "-v"], capture_output=True, text=True, timeout=30, check=False)
    except (FileNotFoundError, subprocess.TimeoutExpired) as e:
        raise EngineMissing(INSTALL) from e
    line = (out.stderr or out.stdout).strip().splitlines()
    return line[0].split()[-1] if line else "unknown"


def check() -> None:
    """The start-up check, as for tesseract: every program nasti runs is there."""
    for tool in TOOLS:
        version(tool)


def page_count(path: Path, *, timeout: float) -> int:
    with _errors("this PDF", timeout):
        info = pdfinfo_from_path(str(path), timeout=timeout)
    return int(info.get("Pages", 0))


def render(path: Path, index: int, *, dpi: int, timeout: float) -> Image.Image:
    """Page `index` (0-based) rasterised at `dpi`, grayscale (pdftoppm)."""
    with _errors(f"page {index + 1}", timeout):
        pages = convert_from_path(str(path), dpi=dpi, first_page=index + 1, last_page=index + 1, grayscale=True,
                                  timeout=timeout)
    if not pages:
        raise OcrError(f"poppler produced no image for page {index + 1}", code="corrupt_pdf")
    return pages[0]


def text(path: Path, index: int, *, timeout: float, bbox: bool = False) -> str:
    """pdftotext of page `index` (0-based), NFC: the text, or its words' boxes as XHTML with `bbox`."""
    fmt = ["-bbox"] if bbox else ["-enc", "UTF-8"]
    cmd = ["pdftotext", "-q", *fmt, "-f", str(index + 1), "-l", str(index + 1), str(path), "-"]
    with _errors(f"page {index + 1}", timeout):
        out = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False).stdout
    return unicodedata.normalize("NFC", out.decode("utf-8", errors="replace"))
