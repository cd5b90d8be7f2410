"""A seeded corpus of pages like the ones real scans bring: office letters and dense book pages, worn and scanned.

    for sheet in corpus(300, seed=0):        # deterministic: the same seed gives the same pages, pixel for pixel
        sheet.image, sheet.dpi, sheet.truth  # the page as scanned (upright, tilted 0.5-3° or not), its ground truth
        sheet.turned(90)                     # the same page put on the scanner a quarter turn counter-clockwise

Categories (`CATEGORIES`): Hindi, English and mixed letters (the collectorate letters of `scanlike`, drawn in a
font picked per page), dense book pages (small letterpress type in one or two columns, running heads, tables,
footnotes, folios; Hindi, Marathi, Sanskrit and English), and degraded pages (letters or book pages photocopied,
bled, speckled, yellowed, scanned at 96-150 dpi, often bitonal).

Every Devanagari font installed is used in turn (Noto Serif/Sans Devanagari, Lohit, and the Gargi, Nakula,
Sahadeva, Sarai and Samyak fonts scripts/setup.sh installs); glyphs a font lacks (Samyak has no Latin digits) fall
back to a Latin font, as `fonts.split_runs` does. Ground truth: one line per printed line in reading order
(running head, first column, second column, footnotes, folio; a table row by row, cells left to right).
"""
from __future__ import annotations

import functools
import random
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw

from nasti.samples import fonts, prose
from nasti.samples.fonts import LineFont
from nasti.samples.render import _speckle, mm
from nasti.samples.scanlike import Scan, _draw, _scan, _table, scan_letter

VERSION = 2             # bumped whenever the pages a seed gives change (benchmarks cache them by it)
CATEGORIES = ("hindi letter", "english letter", "mixed", "book dense", "degraded")
# one cycle of categories: the corpus repeats it (book pages are the most numerous, as in real archives)
_CYCLE = ("hindi letter", "book dense", "mixed", "degraded", "english letter", "book dense", "hindi letter",
          "degraded", "book dense", "mixed")
_LATIN = ("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", "/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf",
          "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf")
_BOOK_INCHES = ((5.5, 8.5), (6.0, 9.0), (5.83, 8.27), (7.0, 10.0), (8.27, 11.69))
BLEED_FROM_DPI = 120    # below, a pixel is wider than ink ever spreads
_TURN = {90: Image.Transpose.ROTATE_90, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_270}


@functools.cache
def devanagari_fonts() -> tuple[Path, ...]:
    """Every regular-weight font file fontconfig knows with Devanagari (Hindi) coverage, sorted by name."""
    try:
        out = subprocess.run(["fc-list", ":lang=hi", "file", "style"], capture_output=True, text=True, timeout=30,
                             check=True).stdout
    except (OSError, subprocess.SubprocessError):
        out = ""
    found = set()
    for line in out.splitlines():
        path, _, style = line.partition(":")
        if "bold" not in style.lower() and "bold" not in path.lower() and Path(path).is_file():
            found.add(Path(path))
    return tuple(sorted(found, key=lambda p: p.name.lower())) or (fonts.font_path("deva"),)


def latin_fonts() -> tuple[Path, ...]:
    return tuple(Path(p) for p in _LATIN if Path(p).is_file()) or (fonts.font_path("en"),)


@dataclass(frozen=True)
class Wear:
    """How the sheet was printed, kept and scanned, on top of `scanlike.Scan` (tint, light, toner, show-through,
    blur, grain, tilt): ink bleed, speckle and a bitonal scanner."""

    scan: Scan
    bleed: bool = False          # ink spread into the paper (letterpress on soft paper, wet photocopies)
    speckle: float = 0.0         # fraction of pixels flipped (dust, drop-outs)
    bitonal: bool = False        # a black-and-white scan, thresholded by the scanner

    def artefacts(self) -> list[str]:
        s = self.scan
        out = [f"{s.dpi}dpi"] + (["yellowed"] if s.paper < 226 else []) + (["uneven light"] if s.gradient else [])
        out += ["grain"] if s.noise else []
        out += ["toner"] if s.toner else []
        out += ["show-through"] if s.show_through else []
        out += ["blur"] if s.blur else []
        out += ["bleed"] if self.bleed and s.dpi >= BLEED_FROM_DPI else []
        out += ["speckle"] if self.speckle else []
        out += ["bitonal" if self.bitonal else "greyscale"]
        out += [f"tilt {s.skew:+.1f}°"] if s.skew else []
        return out


@dataclass
class Sheet:
    id: str
    category: str                # one of CATEGORIES
    lang: str                    # hi | mr | sa | en | mixed
    layout: str                  # letter | book | book 2 columns | book table
    font: str                    # the Devanagari (or, for English, Latin) font file's name
    image: Image.Image           # the page as scanned, upright apart from its tilt; mode L, or 1 when bitonal
    dpi: int
    truth: str
    wear: Wear
    notes: list[str] = field(default_factory=list)

    def turned(self, degrees: int) -> Image.Image:
        """The page as it is scanned when put on the glass `degrees` (0/90/180/270) counter-clockwise: a reader
        must turn it `degrees` clockwise (PageResult.rotation) to read it."""
        return self.image if degrees % 360 == 0 else self.image.transpose(_TURN[degrees % 360])


def _wear(rng: random.Random, degraded: bool, book: bool) -> Wear:
    """Office-copy wear for most pages; a photocopy of a photocopy at low resolution for degraded ones."""
    tilt = rng.choice([-1, 1]) * rng.uniform(0.5, 3.0) if rng.random() < 0.8 else 0.0
    if degraded:
        dpi = rng.choice([96, 100, 120, 150, 150])
        scan = Scan(dpi=dpi, paper=rng.randint(180, 215), ink=rng.choice([10, 30, 60]),
                    gradient=rng.uniform(0.1, 0.3), blur=rng.uniform(0.3, 0.8),
                    toner=rng.uniform(1, 6) * dpi / 150, show_through=rng.choice([0.0, rng.uniform(0.06, 0.14)]),
                    noise=rng.uniform(2, 6), skew=tilt, border=rng.random() < 0.3)
        return Wear(scan, bleed=rng.random() < 0.6, speckle=rng.choice([0.0, 0.002, 0.004]),
                    bitonal=rng.random() < 0.5)
    scan = Scan(dpi=rng.choice([150, 200, 300, 300]) if book else rng.choice([200, 300, 300]),
                paper=rng.randint(200, 245), ink=rng.choice([10, 20, 40]),
                gradient=rng.choice([0.0, rng.uniform(0.05, 0.2)]), blur=rng.uniform(0.0, 0.5),
                toner=rng.choice([0.0, rng.uniform(0.5, 2.5)]), show_through=rng.choice([0.0, rng.uniform(0.04, 0.1)]),
                noise=rng.choice([0.0, rng.uniform(1, 3)]), skew=tilt)
    return Wear(scan, bleed=rng.random() < 0.2, speckle=rng.choice([0.0, 0.0, 0.001]), bitonal=rng.random() < 0.2)


def _finish(image: Image.Image, wear: Wear, rng: random.Random) -> Image.Image:
    """Bleed, speckle and the bitonal threshold, after `scanlike._scan`'s artefacts. Both scale with the scan's
    resolution: ink spreads about 0.1 mm whatever the dpi, and a low-dpi sensor averages dust specks away."""
    dpi = wear.scan.dpi
    if wear.bleed and dpi >= BLEED_FROM_DPI:   # the darkest of each k × k neighbourhood (MinFilter's, far cheaper)
        k = 3 if dpi >= 200 else 2
        image = Image.fromarray(cv2.erode(np.asarray(image), np.ones((k, k), np.uint8)), mode="L")
    if wear.speckle:
        image = _speckle(image, wear.speckle * dpi / 300, rng)
    if wear.bitonal:
        cut = (wear.scan.paper * 0.85 + wear.scan.ink) / 2 + 20
        image = image.point(lambda v: 255 if v >= cut else 0).convert("1", dither=Image.Dither.NONE)
    return image


# ---------------------------------------------------------------- book pages

def _justify(d: ImageDraw.ImageDraw, lf: LineFont, x: float, y: float, width: float, line: str, last: bool) -> None:
    words = line.split(" ")
    if last or len(words) < 2:
        _draw(d, lf, x, y, line)
        return
    widths = [lf.width(w) for w in words]
    gap = min((width - sum(widths)) / (len(words) - 1), lf.size_px * 1.2)
    for word, w in zip(words, widths, strict=True):
        _draw(d, lf, x, y, word)
        x += w + gap


def _book_sheet(rng: random.Random, lang: str, dpi: int, *, back: bool = False) -> tuple[Image.Image, list[str], str]:
    """A clean book page (mode L) at `dpi`, its truth lines and its layout name."""
    inches = rng.choice(_BOOK_INCHES)
    w, h = round(inches[0] * dpi), round(inches[1] * dpi)
    img = Image.new("L", (w, h), 255)
    d = ImageDraw.Draw(img)
    role = "en" if lang == "en" else "hi"
    size_pt = rng.uniform(8.0, 10.5)
    lf = LineFont(role, max(6, round(size_pt * dpi / 72)))
    small = LineFont(role, max(6, round(size_pt * 0.8 * dpi / 72)))
    pitch = lf.size_px * rng.uniform(1.25, 1.45)
    margin = mm(rng.uniform(12, 20), dpi) * min(1.0, inches[0] / 6)
    left, right, top, bottom = margin, w - margin, margin * 0.9, h - margin
    columns = 2 if inches[0] >= 7.0 and rng.random() < 0.7 and not back else 1
    table = columns == 1 and rng.random() < 0.35 and not back
    truth: list[str] = []
    folio = rng.randint(3, 480)
    head = prose.heading(rng, lang)
    y = top + lf.size_px
    head_folio = rng.random() < 0.5
    _draw(d, lf, (w - lf.width(head)) / 2, y, head)
    if head_folio:
        _draw(d, lf, right - lf.width(str(folio)), y, str(folio))
    truth.append(f"{head} {folio}" if head_folio else head)
    d.line((left, y + lf.size_px * 0.45, right, y + lf.size_px * 0.45), fill=0, width=max(1, round(dpi / 150)))
    y += pitch * 1.6
    notes = [prose.footnote(rng, lang, k + 1) for k in range(rng.randint(0, 2 if not back else 0))]
    foot_h = len(notes) * small.size_px * 1.35 + (pitch if notes else 0)
    floor = bottom - foot_h - (0 if head_folio else pitch)
    gutter = mm(6, dpi)
    col_w = (right - left - gutter * (columns - 1)) / columns
    table_after = rng.randint(1, 3) if table else -1
    for c in range(columns):
        x0 = left + c * (col_w + gutter)
        yy = y
        k = 0
        while yy < floor:
            lines = fonts.wrap(prose.paragraphs(rng, lang, 1)[0], col_w - lf.size_px * 1.5, lf)
            for i, line in enumerate(lines):
                if yy >= floor:
                    break
                indent = lf.size_px * 1.5 if i == 0 else 0.0
                _justify(d, lf, x0 + indent, yy, col_w - indent, line, i == len(lines) - 1)
                truth.append(line)
                yy += pitch
            k += 1
            if k == table_after and yy + pitch * 8 < floor:
                yy = _table(d, lf, left, right, yy + pitch * 0.5, _book_table(rng, lang), truth)
    if notes:
        ny = floor + pitch * 0.3
        d.line((left, ny, left + (right - left) / 4, ny), fill=0, width=1)
        ny += small.size_px * 1.3
        for note in notes:
            _draw(d, small, left, ny, note)
            truth.append(note)
            ny += small.size_px * 1.35
    if not head_folio:
        _draw(d, lf, (w - lf.width(str(folio))) / 2, bottom, str(folio))
        truth.append(str(folio))
    layout = "book 2 columns" if columns == 2 else "book table" if table else "book"
    return img, truth, layout


def _book_table(rng: random.Random, lang: str) -> list[list[str]]:
    head = (["Year", "Area (sq km)", "Population", "Villages"] if lang == "en"
            else ["वर्ष", "क्षेत्रफल", "जनसंख्या", "ग्राम"])
    rows = [head]
    year = rng.randint(1881, 1941)
    for _ in range(rng.randint(3, 5)):
        rows.append([str(year), f"{rng.randint(800, 9000):,}", f"{rng.randint(40000, 990000):,}",
                     str(rng.randint(90, 1400))])
        year += 10
    return rows


# ---------------------------------------------------------------- the corpus

def sheet(index: int, seed: int = 0) -> Sheet:
    """Page `index` of the corpus for `seed` (deterministic)."""
    rng = random.Random(f"booklike-{seed}-{index}")
    category = _CYCLE[index % len(_CYCLE)]
    degraded = category == "degraded"
    book = category == "book dense" or (degraded and rng.random() < 0.5)
    deva = devanagari_fonts()[(index // len(_CYCLE) + index) % len(devanagari_fonts())]
    latin = rng.choice(latin_fonts())
    wear = _wear(rng, degraded, book)
    dpi = wear.scan.dpi
    with fonts.using(deva=deva, latin=latin, en=latin):
        if book:
            lang = rng.choice(["hi", "hi", "mr", "sa", "en"])
            clean, lines, layout = _book_sheet(rng, lang, dpi)
            back = _book_sheet(random.Random(f"back-{seed}-{index}"), lang, dpi, back=True)[0] \
                if wear.scan.show_through else None
            if back is not None and back.size != clean.size:
                back = back.resize(clean.size)
            image = _scan(clean, wear.scan, random.Random(f"scan-{seed}-{index}"), back)
        else:
            lang = {"hindi letter": "hi", "english letter": "en", "mixed": "mixed"}.get(category) or \
                rng.choice(["hi", "hi", "en", "mixed"])
            page = scan_letter(10_000 * seed + index, lang, wear.scan, devanagari_digits=rng.random() < 0.2)
            image, lines, layout = page.image, page.lines, "letter"
    image = _finish(image, wear, rng)
    font = latin.name if lang == "en" else deva.name
    return Sheet(id=f"{index:04d}", category=category, lang=lang, layout=layout, font=font, image=image, dpi=dpi,
                 truth="\n".join(lines), wear=wear)


def corpus(n: int, seed: int = 0, start: int = 0) -> Iterator[Sheet]:
    """Pages start .. start+n-1 of the corpus for `seed`, generated one at a time."""
    for index in range(start, start + n):
        yield sheet(index, seed)
