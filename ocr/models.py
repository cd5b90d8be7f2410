"""Which tesseract model(s) read a page: a fixed spec from the config, or `auto` — chosen from the page's scripts.

Measured (tesseract 5.3, Debian models, one thread; bench/ocr_bench.py and DESIGN §4):
- Hindi pages: `Devanagari` is the most accurate and the fastest, and keeps digits; `hin` and `hin+eng` drop the
  digit 1 and `hin+eng`/`eng+hin` double the error on real scans.
- English pages: `eng` is best; `Devanagari` is close; any `hin` first turns English into Devanagari.
- Mixed pages (English words inside Hindi lines): `Devanagari` alone reads `eOffice` as `९01८९`. On the bench's
  mixed letters (upright, 11 pages) `Devanagari+eng` gives 0.86 % CER against 1.38 % for `eng+hin` and 2.25 % for
  `Devanagari`, at three quarters of `eng+hin`'s time, and keeps digits (`eng+hin` lost a digit on 5 of 11 Hindi
  pages).
The probe's Devanagari share (by word width, from shirorekha detection) decides, with generous margins: a page is
called Hindi unless a clear part of it is Latin, because sending a Hindi page to a combined model costs far more than
sending a mixed page to `Devanagari`.
"""
from __future__ import annotations

from ocr.probe import Probe

AUTO = "auto"
HINDI, ENGLISH, MIXED = "Devanagari", "eng", "Devanagari+eng"
HINDI_AT_LEAST = 0.72       # Devanagari share of the words at or above which a page is read as Hindi
ENGLISH_AT_MOST = 0.10      # ... at or below which it is read as English
MIN_WORDS = 8               # fewer measured words than this: too little to judge, read as Hindi


def choose(spec: str, probe: Probe) -> str:
    """The tesseract `-l` argument for this page."""
    if spec.strip().lower() != AUTO:
        return spec
    if probe.words < MIN_WORDS or probe.devanagari >= HINDI_AT_LEAST:
        return HINDI
    if probe.devanagari <= ENGLISH_AT_MOST:
        return ENGLISH
    return MIXED


def needed(spec: str) -> str:
    """Every model a spec can use, for the installation check."""
    if spec.strip().lower() == AUTO:
        return "+".join(dict.fromkeys(f"{HINDI}+{ENGLISH}+{MIXED}".split("+")))
    return spec
