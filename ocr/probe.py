"""A cheap look at a page before OCR, on a reduced copy: is it blank, which way is up, how skewed, which script(s).

Everything here is arithmetic on ~150 dpi ink masks from `ocr.inkmask` (no tesseract): about 45 ms per page,
so it can run on every page without costing what the OCR costs (tesseract's own OSD takes about a second per page
even on a quarter-size image). Blank detection counts all ink; the rest looks only at ink that can be text (lid
strips, punch holes, stamps, signatures, table rules and toner specks taken out), which is what keeps a dark scanner
edge from passing for the page's strongest line.

- blank: ink cells (8 × 8 px at the analysis resolution, at least 12 % inked) inside the page less a 6 % border
  (edge shadows of the scanner lid); dust specks never fill a cell, a single short line of text fills dozens.
- axis and skew: the angle in ±`MAX_SKEW` degrees, over the page as it is and turned by 90°, whose row projection
  of the ink is sharpest (text lines give a comb; misaligned lines smear it).
- up or down, and script: each text line is cut into words by its column projection. A Devanagari word has its
  shirorekha — one row inked across most of its width — in the upper part of the line when upright and the lower
  part when upside down; a Latin word has no such row, and carries more ink above its x-height band (ascenders,
  capitals) than below it (descenders). Words in capitals and digits (shop receipts) have no x-height band and do
  not vote; a page with next to no Latin votes, or with a split headline vote the Latin words do not confirm, has
  flip margin 0: it is taken as the headlines say or as scanned, and ocr.orient decides without a head start.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageChops

from ocr import inkmask

MAX_SKEW = 5.0
MIN_SKEW = 0.3          # smaller tilts are left to tesseract (a rotation costs more than it gains)
BORDER = 0.06           # fraction of each side ignored for blank detection (lid shadows, punched holes)
CELL = 8                # pixels per blank-detection cell at inkmask.ANALYSIS_DPI
CELL_INK = 0.12         # a cell is inked when this fraction of it is ink
BLANK_CELLS = 12        # fewer inked cells than this (about two letters' worth) is a blank page
MAX_LINES = 16          # text lines read for up/down and script, spread over the page (enough votes, half the cost)
SPLIT_HEADLINES = 0.9  # a headline vote less one-sided than this, not confirmed by the ascenders, is not sure
HEADLINE = 0.85         # two adjacent rows inked across this fraction of a word's width are a shirorekha
X_BAND = 0.75           # a Latin word votes up/down only when its dense core is at most this share of its height
X_ROWS = 12             # ... and it is at least this many rows high
LATIN_VOTES = (0.25, 0.4)   # the Latin vote counts from / fully from this share of the Latin words' width voting


@dataclass(frozen=True)
class Probe:
    blank: bool
    turn: int               # degrees counter-clockwise (a transpose) that bring the page upright: 0/90/180/270
    deskew: float           # then degrees counter-clockwise that level its lines (within ±MAX_SKEW)
    devanagari: float       # share of words (by width) that carry a shirorekha
    words: int              # words measured
    ink_cells: int
    axis_margin: float = 0.0    # 0-1: how much sharper the line comb is along the chosen axis than across it
    flip_margin: float = 0.0    # 0-1: how one-sided the up/down vote is (0: a tie, 1: every word agrees)

    @property
    def margin(self) -> float:
        """How sure the probe is of its quarter turn: the weaker of its two decisions."""
        return min(self.axis_margin, self.flip_margin)


def inked_cells(mask: Image.Image) -> int:
    """Cells (CELL px, at least CELL_INK inked) of a mask (255 = ink) inside the page less its BORDER."""
    w, h = mask.size
    bx, by = int(w * BORDER), int(h * BORDER)
    inner = mask.crop((bx, by, w - bx, h - by))
    cells = inner.resize((max(1, inner.width // CELL), max(1, inner.height // CELL)), Image.Resampling.BOX)
    return sum(cells.histogram()[round(255 * CELL_INK):])


def _profile(mask: Image.Image) -> list[float]:
    """Fraction of ink in each row."""
    col = mask.resize((1, mask.height), Image.Resampling.BOX)
    return [v / 255 for v in col.tobytes()]


_Points = tuple[np.ndarray, np.ndarray, np.ndarray, int]   # x, y (about the centre), ink weight, row length


def _ink_points(mask: Image.Image, *, sideways: bool = False) -> _Points:
    """Every inked pixel of a reduced mask, as it lies or with the mask turned 90° counter-clockwise."""
    pixels = np.asarray(mask, dtype=np.float32)
    ys, xs = np.nonzero(pixels)
    h, w = pixels.shape
    x, y, ink = xs - w // 2, ys - h // 2, pixels[ys, xs] / 255   # whole numbers: rint of .5 alternates
    return (y, -x, ink, h) if sideways else (x, y, ink, w)


def _best_angle(points: _Points, lo: float, hi: float, step: float) -> tuple[float, float]:
    """(score, angle): the angle in [lo, hi] whose row projection of the ink, the page turned that many degrees
    counter-clockwise, is sharpest — the sum of squared differences between the ink fractions of adjacent rows.
    Text lines give a comb, misaligned lines smear it. Projecting the ink points costs a fraction of rotating the
    mask for each angle."""
    xs, ys, ink, length = points
    best = (-1.0, 0.0)
    for i in range(round((hi - lo) / step) + 1):
        a = lo + i * step
        rad = np.radians(a)
        rows = np.rint(ys * np.cos(rad) - xs * np.sin(rad)).astype(np.int64)
        profile = np.bincount(rows - rows.min(), weights=ink) / length if rows.size else np.zeros(1)
        score = float(np.sum(np.diff(profile) ** 2))
        if score > best[0]:
            best = (score, a)
    return best


def axis_and_skew(mask: Image.Image) -> tuple[int, float, float]:
    """(0 or 90, skew, margin): 90 when the text lines run vertically in the image; skew in the orientation found;
    margin 0-1, one less the ratio of the weaker axis's comb score to the stronger's."""
    coarse = mask.reduce(4)
    upright = _best_angle(_ink_points(coarse), -MAX_SKEW, MAX_SKEW, 1.0)
    across = _best_angle(_ink_points(coarse, sideways=True), -MAX_SKEW, MAX_SKEW, 1.0)
    axis, (score, found) = (0, upright) if upright[0] >= across[0] else (90, across)
    if score <= 0:
        return 0, 0.0, 0.0
    margin = 1.0 - min(upright[0], across[0]) / score
    _, angle = _best_angle(_ink_points(mask.reduce(2), sideways=axis == 90), found - 0.8, found + 0.8, 0.2)
    return axis, (round(angle, 2) if abs(angle) >= MIN_SKEW else 0.0), round(margin, 3)


def _runs(values: list[float], threshold: float, min_gap: int) -> list[tuple[int, int]]:
    """[start, end) runs where values exceed threshold, joining runs separated by fewer than min_gap."""
    runs: list[tuple[int, int]] = []
    start = None
    for i, v in enumerate([*values, 0.0]):
        if v > threshold and start is None:
            start = i
        elif v <= threshold and start is not None:
            if runs and start - runs[-1][1] < min_gap:
                runs[-1] = (runs[-1][0], i)
            else:
                runs.append((start, i))
            start = None
    return runs


@dataclass
class _Votes:
    deva_width: float = 0.0
    latin_width: float = 0.0
    deva_up: float = 0.0        # width of shirorekha words whose headline is in their upper half
    deva_down: float = 0.0
    latin_up: float = 0.0       # width of other words with more ink above their x-height band than below
    latin_down: float = 0.0
    words: int = 0

    def upside_down(self) -> bool:
        """Devanagari headlines decide when there are enough of them; else Latin ascenders vs descenders."""
        if self.deva_width >= 0.25 * (self.deva_width + self.latin_width):
            return self.deva_down > self.deva_up
        return self.latin_down > self.latin_up and self._latin_weight() > 0

    def _latin_weight(self) -> float:
        """0-1: how much the Latin vote is worth, by the share of the Latin words' width that voted (LATIN_VOTES).
        Text in capitals and digits (a shop receipt) has no x-height band: little of it votes, and what does is a
        comma's tail, a short number or a speck — half of them the wrong way (generated receipts: 0-30 % voted,
        English letters 30-70 %). 0: the page is taken as scanned, unsure (ocr.orient decides)."""
        voted = self.latin_up + self.latin_down
        share = voted / self.latin_width if self.latin_width else 0.0
        return 0.0 if share < LATIN_VOTES[0] else min(1.0, share / LATIN_VOTES[1])

    def margin(self) -> float:
        """0-1: the share of the deciding votes that the losing side did not get, less the winner's (a tie is 0).
        0 when split headlines are not confirmed by the other words: the baseline serifs of a Latin serif face
        (DejaVu Serif at 300 dpi) pass for headlines at the foot of the words and vote the page upside down, while
        its ascenders vote it upright; the joined bars of blurred capitals (a dot-matrix receipt) pass for
        headlines both ways up, and capitals give no ascender vote at all. Real Devanagari headlines vote (nearly)
        one way (generated pages: ≥ 0.9 on every Hindi page whose ascender vote disagreed)."""
        if self.deva_width >= 0.25 * (self.deva_width + self.latin_width):
            up, down = self.deva_up, self.deva_down
            split = abs(up - down) / (up + down) < SPLIT_HEADLINES if up + down else True
            confirmed = self._latin_weight() > 0 and (self.latin_up > self.latin_down) == (up > down) \
                and self.latin_up != self.latin_down
            if split and not confirmed:
                return 0.0
        else:
            up, down = self.latin_up, self.latin_down
            return abs(up - down) / (up + down) * self._latin_weight() if up + down else 0.0
        return abs(up - down) / (up + down) if up + down else 0.0


def _word(word: Image.Image, thick: Image.Image, votes: _Votes) -> None:
    """One word: `thick` is the same word with each row joined to the one below (a speck-broken headline whole)."""
    rows = _profile(word)
    h = len(rows)
    joined = _profile(thick)
    peak = max(range(h), key=joined.__getitem__)
    w = word.width
    if joined[peak] >= HEADLINE:
        votes.deva_width += w
        if peak < h * 0.5:
            votes.deva_up += w
        else:
            votes.deva_down += w
        return
    votes.latin_width += w
    top = max(rows)
    core = [i for i, v in enumerate(rows) if v >= 0.35 * top]
    if h < X_ROWS or core[-1] - core[0] + 1 > X_BAND * h:   # capitals, digits, small print: no x-height band
        return
    above = sum(rows[: core[0]])
    below = sum(rows[core[-1] + 1 :])
    if above > below * 1.3:
        votes.latin_up += w
    elif below > above * 1.3:
        votes.latin_down += w


def _read_lines(mask: Image.Image) -> _Votes:
    votes = _Votes()
    thick = ImageChops.lighter(mask, ImageChops.offset(mask, 0, -1))
    lines = [(top, bottom) for top, bottom in _runs(_profile(mask), 0.004, 2) if 8 <= bottom - top <= 120]
    step = max(1, len(lines) / MAX_LINES)
    for top, bottom in (lines[int(k * step)] for k in range(min(len(lines), MAX_LINES))):
        h = bottom - top
        band = mask.crop((0, top, mask.width, bottom))
        cols = [v / 255 for v in band.resize((band.width, 1), Image.Resampling.BOX).tobytes()]
        for x0, x1 in _runs(cols, 0.0, max(3, h // 4)):
            if x1 - x0 < h * 0.8:
                continue
            word = band.crop((x0, 0, x1, h))
            bbox = word.getbbox()
            if bbox is None or bbox[3] - bbox[1] < h * 0.5:
                continue
            votes.words += 1
            box = (x0, top + bbox[1], x1, top + bbox[3])
            _word(word.crop((0, bbox[1], word.width, bbox[3])), thick.crop(box), votes)
    return votes


def probe(gray: Image.Image, dpi: int) -> Probe:
    """Look at a grayscale page scanned at `dpi` and say how to OCR it."""
    found = inkmask.masks(gray, dpi)
    cells = inked_cells(found.ink)
    if cells < BLANK_CELLS:
        return Probe(blank=True, turn=0, deskew=0.0, devanagari=0.0, words=0, ink_cells=cells)
    mask = found.text
    if inked_cells(mask) < BLANK_CELLS:     # a stamp, a signature, a rule: nothing to read the page's way up from
        return Probe(blank=False, turn=0, deskew=0.0, devanagari=0.0, words=0, ink_cells=cells)
    axis, skew, axis_margin = axis_and_skew(mask)
    base = mask if axis == 0 else mask.transpose(Image.Transpose.ROTATE_90)
    if abs(skew) >= MIN_SKEW:
        base = base.rotate(skew, resample=Image.Resampling.NEAREST, fillcolor=0)
    votes = _read_lines(base)
    # rotations about the centre commute: turning by axis, levelling by skew, then 180 if upside down is one turn
    turn = (axis + (180 if votes.upside_down() else 0)) % 360
    total = votes.deva_width + votes.latin_width
    share = votes.deva_width / total if total else 0.0
    return Probe(blank=False, turn=turn, deskew=skew, devanagari=round(share, 3), words=votes.words,
                 ink_cells=cells, axis_margin=axis_margin, flip_margin=round(votes.margin(), 3))
