"""Digits tesseract was unsure of, judged symbol by symbol.

The page read (TSV) gives a confidence per word, and a word mixing scripts or split at a slash can come out at a
confidence of 11 with every digit right (`378/राज./`, `2017` on a clean page). So each word with a digit that the page
read left below `tsv.DOUBTFUL_BELOW` is read again alone, from its box on the very image tesseract read, as one word
(`--psm 8`; as a line, a clean `२०१७` lost its last digit) with per-symbol confidences (hOCR `x_conf`,
`hocr_char_boxes=1`): it stays doubtful when the re-read gives other digits, or any digit below `SYMBOL_BELOW`. The
words are small and read by the worker's resident engine (ocr.tesseract.hocr_text: no process and model load per
word, which made a digit-heavy receipt spend most of its time here), and only pages with such words pay it.
"""
from __future__ import annotations

import unicodedata

import regex
from PIL import Image

from ocr import tesseract
from ocr.errors import EngineMissing, OcrError

SYMBOL_BELOW = 90.0     # per-symbol confidence (tesseract's 0-100 scale; clean digits read at 97-99.9)
PAD = 0.3               # of the word's height, added round its box
_DIGIT = regex.compile(r"\p{Nd}")
_CHAR = regex.compile(r"<span class='ocrx_cinfo' title='x_bboxes [^;']*; x_conf ([\d.]+)'>([^<]*)</span>")
_FOLD = str.maketrans("०१२३४५६७८९", "0123456789")


def _digits(text: str) -> str:
    return "".join(_DIGIT.findall(unicodedata.normalize("NFC", text))).translate(_FOLD)


def symbols(image: Image.Image, lang: str, *, dpi: int, timeout: float) -> list[tuple[str, float]]:
    """(character, confidence) of one word, read alone."""
    hocr = tesseract.hocr_text(image, lang, dpi=dpi, timeout=timeout, psm=8)
    return [(ch, float(conf)) for conf, ch in _CHAR.findall(hocr)]


def still_doubtful(image: Image.Image, words: tuple[tuple[str, tuple[int, int, int, int]], ...], lang: str, *,
                   dpi: int, timeout: float) -> tuple[str, ...]:
    """The words (as the page read them) whose digits stay doubtful when read alone symbol by symbol."""
    out: list[str] = []
    for word, (left, top, right, bottom) in words:
        pad = max(2, round((bottom - top) * PAD))
        box = (max(0, left - pad), max(0, top - pad), min(image.width, right + pad), min(image.height, bottom + pad))
        if box[2] <= box[0] or box[3] <= box[1]:
            out.append(word)
            continue
        try:
            chars = symbols(image.crop(box), lang, dpi=dpi, timeout=timeout)
        except EngineMissing:
            raise
        except (OcrError, OSError):
            out.append(word)    # not confirmed: stays doubtful
            continue
        digits = [(c, conf) for c, conf in chars if _DIGIT.search(c)]
        if _digits("".join(c for c, _ in digits)) != _digits(word) or any(conf < SYMBOL_BELOW for _, conf in digits):
            out.append(word)
    return tuple(out)
