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

import regex

from ocr.probe import Probe

AUTO = "auto"
HINDI, ENGLISH, MIXED = "Devanagari", "eng", "Devanagari+eng"
# A page read with `Devanagari` is also read with `Devanagari+hin` when the hin model is installed (ocr.page keeps
# the more confident read): tesseract then recognises each word with both models and keeps the more confident, and
# the two models' errors on real letterpress differ. Measured on the 27 odd-numbered real crops of realscans-dev (the
# tuning half; bench/real_tune.py, tesseract 5.3): 10.50 % CER against 11.75 % for `Devanagari` alone and 13.01 % for
# `hin`; better on 19 pages, worse on 2 (by 0.6 points at most). `hin+Devanagari` (hin's word first) was 10.87 %,
# worse on 7 pages. Held-out half: bench/results/realscans.md. Digits are still checked with `Devanagari` alone.
WITH_HINDI = "Devanagari+hin"
HINDI_AT_LEAST = 0.72       # Devanagari share of the words at or above which a page is read as Hindi
ENGLISH_AT_MOST = 0.10      # ... at or below which it is read as English
MIN_WORDS = 8               # fewer measured words than this: too little to judge, read as Hindi
# The probe's headline count misses the broken headlines of real letterpress (pure Devanagari crops measured at a
# Devanagari share of 0.05-0.25), so with `auto` the first read is checked against its own text (second_opinion).
ENGLISH_TEXT = 0.9          # share of Latin letters in a Devanagari read at or above which the page is English
MIXED_TEXT = 0.15           # ... at or above which it is mixed
SURE_ENGLISH = 70.0         # an `eng` read below this confidence is checked with `Devanagari`
_LATIN = regex.compile(r"\p{Latin}")
_DEVANAGARI = regex.compile(r"[\u0900-\u0963\u0971-\u097F]")


def choose(spec: str, probe: Probe) -> str:
    """The tesseract `-l` argument for this page."""
    if spec.strip().lower() != AUTO:
        return spec
    if probe.words < MIN_WORDS or probe.devanagari >= HINDI_AT_LEAST:
        return HINDI
    if probe.devanagari <= ENGLISH_AT_MOST:
        return ENGLISH
    return MIXED


def second_opinion(lang: str, text: str, confidence: float | None) -> str | None:
    """With `auto` (ocr.page reads with `Devanagari` first): the model to read the page with again, from the first
    read's letters (None: it stands). The read kept is the more confident one. `choose` (from the probe alone) is
    what the scan-like bench compares against."""
    if lang == ENGLISH:
        return HINDI if confidence is None or confidence < SURE_ENGLISH else None
    latin, deva = len(_LATIN.findall(text)), len(_DEVANAGARI.findall(text))
    if latin + deva < 20:
        return None
    share = latin / (latin + deva)
    if lang == HINDI:
        return ENGLISH if share >= ENGLISH_TEXT else MIXED if share >= MIXED_TEXT else None
    if lang == MIXED and share < MIXED_TEXT / 3:
        return HINDI
    return None


def reading(lang: str, installed: frozenset[str]) -> str:
    """The model(s) that also read a page meant for `lang`: `Devanagari` gains hin's word reads (WITH_HINDI) when
    hin is installed; any other spec is read as it is."""
    return WITH_HINDI if lang == HINDI and "hin" in installed else lang


def needed(spec: str) -> str:
    """Every model a spec can use, for the installation check."""
    if spec.strip().lower() == AUTO:
        return "+".join(dict.fromkeys(f"{HINDI}+{ENGLISH}+{MIXED}".split("+")))
    return spec
