"""Which way up a page is, when the probe is not sure or the page read badly: read a band of it each way and keep the
way tesseract reads best.

The probe (`ocr.probe`) decides from ink statistics in ~45 ms and says how sure it is (`Probe.margin`). It is wrong
on some real pages — letterpress type whose broken headlines it does not see, a few big lines, wide margins — and a
page read upside down is garbage (CER ~90 %, mean confidence 20-35). So a page is verified when the probe is unsure
or its read came out with a low confidence:

- the candidates are the probe's turn and its opposite (180° apart); all four quarter turns when the probe was not
  sure of the axis either;
- each candidate is read on a band of the page's text (its middle, a few text lines) as one block (`--psm 6`:
  tesseract's automatic layout would itself re-rotate a sideways page's lines and read them well, hiding the wrong
  turn). The band is taken from the part of the sheet that holds ink (`content_box`), not from the sheet's middle:
  a short letter in the top quarter of an A4 sheet had an empty middle band, every candidate scored 0, and the
  probe's wrong turn stood (6 of 6 pale generated letters, 6 of 53 real crops pasted on A4: CER 84-92 %);
- the score is the confidence-weighted number of characters read (sum of word length × confidence): the right way up
  reads many characters confidently; upside down reads about as many characters at a fifth of the confidence;
  sideways reads a handful.

Measured on the 27 odd-numbered real 300-dpi Devanagari crops (the tuning half) read whole in each of the four
turns: the upright reading scored 2-9 × any other turn on every page. Tesseract's own OSD (`--psm 0`) was tried
first, on 6 of those pages × 3 turns: it gave no answer on 9 of the 18 (too few characters, big type), so it is not
used.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from ocr import tesseract

_TRANSPOSE = {90: Image.Transpose.ROTATE_90, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_270}
BAND = 0.45             # fraction of the page's height read for each candidate (its middle)
WHOLE_BELOW = 1_500_000  # pixels: a page this small is read whole for each candidate
CLEAR = 1.3             # a candidate must score this many times the probe's turn to overrule it
INK_BELOW = 200         # grey level (of the flattened page: white paper) under which a pixel is ink for content_box
SPREAD = 0.005          # the content box leaves out this share of the ink on each side (specks, a stray mark)
PAD = 0.02              # ... and is widened by this share of the page on each side


@dataclass(frozen=True)
class Verdict:
    turn: int               # degrees counter-clockwise (a transpose) that bring the page upright
    changed: bool           # the probe's turn was overruled
    margin: float           # 0-1: one less the ratio of the runner-up's score to the winner's
    scores: dict[int, float]


def turned(image: Image.Image, turn: int) -> Image.Image:
    return image.transpose(_TRANSPOSE[turn]) if turn else image


def content_box(image: Image.Image) -> tuple[int, int, int, int]:
    """The part of the (flattened) page that holds its ink: (left, top, right, bottom), the whole page when it has
    next to none. Taken the same way up as `image`: a turn of the box is the box of the turn."""
    step = max(1, min(image.width, image.height) // 600)
    small = np.asarray(image.reduce(step) if step > 1 else image.convert("L"), dtype=np.uint8)
    ink = small < INK_BELOW
    total = int(ink.sum())
    if total < 50:
        return (0, 0, image.width, image.height)

    def span(counts: np.ndarray, size: int) -> tuple[int, int]:
        cum = np.cumsum(counts)
        lo = int(np.searchsorted(cum, total * SPREAD))
        hi = int(np.searchsorted(cum, total * (1 - SPREAD)))
        pad = round(PAD * len(counts))
        return max(0, (lo - pad) * step), min(size, (hi + 1 + pad) * step)

    left, right = span(ink.sum(axis=0), image.width)
    top, bottom = span(ink.sum(axis=1), image.height)
    return (left, top, right, bottom)


def sample(image: Image.Image) -> Image.Image:
    """What each candidate is read on: the page when it is small, else its middle band."""
    if image.width * image.height <= WHOLE_BELOW:
        return image
    h = round(image.height * BAND)
    top = (image.height - h) // 2
    return image.crop((0, top, image.width, top + h))


def score(image: Image.Image, lang: str, *, dpi: int, timeout: float) -> float:
    """Sum over the words tesseract reads in `image`, as one block, of their length × confidence / 100 (a short
    read by the worker's resident engine: no process start or model load per band)."""
    table = tesseract.tsv_text(image, lang, dpi=dpi, timeout=timeout, psm=6)
    total = 0.0
    for row in table.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12:
            continue
        word = cols[11].strip()
        try:
            c = float(cols[10])
        except ValueError:
            continue
        if word and c > 0:
            total += len(word) * c / 100
    return round(total, 2)


def verify(image: Image.Image, turn: int, lang: str, *, dpi: int, timeout: float, all_turns: bool,
           clear: float = CLEAR) -> Verdict:
    """Read `image` (the page as scanned, white paper) in the probe's `turn` and the other candidates; the turn that
    reads clearly best. The probe's turn stands unless another scores `clear` times as much (1: the probe had no
    evidence for its turn, which is then only the way the page was scanned: the best score wins)."""
    candidates = [turn, (turn + 180) % 360]
    if all_turns:
        candidates += [(turn + 90) % 360, (turn + 270) % 360]
    text = image.crop(content_box(image))
    scores = {t: score(sample(turned(text, t)), lang, dpi=dpi, timeout=timeout) for t in candidates}
    best = max(candidates, key=lambda t: (scores[t], t == turn))
    if best != turn and scores[best] < clear * scores[turn]:
        best = turn
    runner_up = max((s for t, s in scores.items() if t != best), default=0.0)
    margin = 1.0 - runner_up / scores[best] if scores[best] > 0 else 0.0
    return Verdict(turn=best, changed=best != turn, margin=round(max(0.0, margin), 3), scores=scores)
