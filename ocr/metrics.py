"""Character and word error rates, compared the way DESIGN.md asks: NFC, whitespace collapsed, digits folded."""
from __future__ import annotations

import regex
from rapidfuzz.distance import Levenshtein

from common.text import fold_digits, strip_invisible

_SPACE = regex.compile(r"\s+")


def normalise(text: str) -> str:
    text = strip_invisible(fold_digits(text), "\u200c\u200d")
    return _SPACE.sub(" ", text).strip()


def cer(reference: str, hypothesis: str) -> float:
    """Character error rate in percent (edit distance / reference length)."""
    ref, hyp = normalise(reference), normalise(hypothesis)
    if not ref:
        return 0.0 if not hyp else 100.0
    return 100.0 * Levenshtein.distance(ref, hyp) / len(ref)


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate in percent, over whitespace-separated words."""
    ref, hyp = normalise(reference).split(), normalise(hypothesis).split()
    if not ref:
        return 0.0 if not hyp else 100.0
    return 100.0 * Levenshtein.distance(ref, hyp) / len(ref)
