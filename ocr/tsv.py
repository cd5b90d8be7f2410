"""Tesseract's TSV output → the page's text and mean word confidence.

The text is rebuilt from the words tesseract reports (lines in its reading order, a blank line between paragraphs,
as its own text renderer writes them), so that one renderer fewer runs and lines can be judged: a line in which not
one word reaches `JUNK_BELOW` confidence, with no digit and no Devanagari word of three or more letters, is what
tesseract makes of a stamp, a signature or a margin scribble (`> — TI`, `nnvnmnonssam orn`), and is left out.
Measured on 45 realistic office scans: CER 9.74 → 9.30 %, Hindi pages 8.80 → 8.38 %. The digit and Devanagari-word
guard keeps doubtful lines that carry a file number or real words (`क्रमांक/1112/अभि./2012`, `प्रति,`), which a
confidence cut alone dropped. A file number split at a slash is joined again (`ocr.tidy`).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import regex

from ocr.tidy import join_split_numbers

JUNK_BELOW = 50.0
# a word with a digit read below this confidence is doubtful unless its digits, read again alone, come out the same
# and sure (ocr.symbols); a file number read through it goes to review instead of being matched to the register
# (ingest.pages). 60 let `६(ई)` read for `६६(ई)` at 73 through as sure (tags seed 9100); at 75 the numbers nasti
# trusts were right in 233 of 233 over five seeds of 48 letters, both wrong ones sent to review
# (bench/results/tags.md)
DOUBTFUL_BELOW = 75.0
_DIGIT = regex.compile(r"\p{Nd}")
# any digit, or three Devanagari letters and signs in a row (not the dandas U+0964-5, not the digits U+0966-F)
_KEEPS = regex.compile(r"\p{Nd}|[\u0900-\u0963\u0971-\u097F]{3,}")


def _junk(words: list[tuple[str, float]]) -> bool:
    return max(c for _, c in words) < JUNK_BELOW and not _KEEPS.search(" ".join(w for w, _ in words))


@dataclass(frozen=True)
class Read:
    text: str
    confidence: float | None     # mean confidence 0-100 of the words kept; None when there are none
    words: int                   # words kept
    # kept words with a digit read below DOUBTFUL_BELOW confidence, with their boxes (left, top, right, bottom)
    doubtful: tuple[tuple[str, tuple[int, int, int, int]], ...] = ()


def read(tsv: str) -> Read:
    paragraphs: dict[tuple[int, int, int], dict[int, list[tuple[str, float]]]] = {}
    boxes: dict[tuple[str, float], tuple[int, int, int, int]] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        word = (row.get("text") or "").strip()
        if row.get("level") != "5" or not word:
            continue
        try:
            conf = float(row["conf"])
            key = (int(row["page_num"]), int(row["block_num"]), int(row["par_num"]))
            line = int(row["line_num"])
        except (TypeError, ValueError, KeyError):
            continue
        paragraphs.setdefault(key, {}).setdefault(line, []).append((word, conf))
        if conf < DOUBTFUL_BELOW and _DIGIT.search(word):
            try:
                left, top = int(row["left"]), int(row["top"])
                boxes[(word, conf)] = (left, top, left + int(row["width"]), top + int(row["height"]))
            except (TypeError, ValueError, KeyError):
                continue
    out: list[str] = []
    confs: list[float] = []
    doubtful: list[tuple[str, tuple[int, int, int, int]]] = []
    for key in sorted(paragraphs):
        kept = []
        for number in sorted(paragraphs[key]):
            words = paragraphs[key][number]
            if _junk(words):
                continue
            kept.append(" ".join(w for w, _ in words))
            confs += [c for _, c in words if c >= 0]
            doubtful += [(w, boxes[(w, c)]) for w, c in words if (w, c) in boxes and c >= 0]
        if kept:
            out.append("\n".join(kept))
    mean = round(sum(confs) / len(confs), 2) if confs else None
    return Read(text=join_split_numbers("\n\n".join(out)), confidence=mean, words=len(confs),
                doubtful=tuple(doubtful))
