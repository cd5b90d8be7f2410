"""Born-digital PDF pages: does this page already carry text (a text layer, or real text), and what is it?"""
from __future__ import annotations

import subprocess
import unicodedata
from pathlib import Path

import regex

from ocr.errors import EngineMissing, PageTimeout

MIN_LETTERS = 20        # fewer letters than this is a stray label or a page number, not a text layer
_LETTER = regex.compile(r"\p{L}")


def page_text(path: Path, index: int, *, timeout: float) -> str:
    """pdftotext of page `index` (0-based), NFC; '' when poppler finds no text."""
    cmd = ["pdftotext", "-q", "-enc", "UTF-8", "-f", str(index + 1), "-l", str(index + 1), str(path), "-"]
    try:
        out = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False).stdout
    except FileNotFoundError as e:
        raise EngineMissing("poppler is not installed (apt-get install poppler-utils)") from e
    except subprocess.TimeoutExpired as e:
        raise PageTimeout(f"pdftotext took longer than {timeout:.0f} s on page {index + 1}") from e
    return unicodedata.normalize("NFC", out.decode("utf-8", errors="replace")).replace("\f", "").strip()


def existing_text(path: Path, index: int, *, timeout: float) -> str | None:
    """The page's own text when it has real text, else None (a scan, or a page with a stray label)."""
    text = page_text(path, index, timeout=timeout)
    return text if len(_LETTER.findall(text)) >= MIN_LETTERS else None
