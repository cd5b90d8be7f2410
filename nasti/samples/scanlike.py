"""Realistic legacy-office scans of synthetic collectorate letters, seeded and deterministic, with ground truth.

    page = scan_letter(7, "hi", random_spec(7, "office"))
    page.save(Path("x.jpg"))          # JPEG when page.spec.jpeg is set, else PNG; the true DPI is written in the file
    page.truth                        # what a typist would transcribe, in reading order, line by line

The layout is what collectorate letters look like: a bold centred letterhead over a rule, `क्रमांक/…` on the left
and `दिनांक …` on the right of one line, body paragraphs, sometimes a bordered table, a signature scribble over the
signatory's name and designation, a round or rectangular rubber stamp, a marginal tick, the endorsement block.
Ground truth: one line per printed line; a left/right pair is one line (left, then right); a table row by row, cells
left to right; stamp text, scribbles and rules are not in it.
Scan artefacts (each optional, see `Scan`): tinted paper, uneven light, blur, toner speckle, show-through, dark
border strips and punch holes, sensor noise, JPEG, 200 dpi, skew, faded ink.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field, fields
from pathlib import Path

import regex
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps

from nasti.samples import bank
from nasti.samples.fonts import LineFont, split_runs
from nasti.samples.letters import Letter, make_letter
from nasti.samples.numbers import to_devanagari_digits
from nasti.samples.render import _stamp, mm, page_size, render_page

LEVELS = ("clean", "office", "hard")
_DATE = regex.compile(r"(?<![\p{Nd}/-])\p{Nd}{1,2}([./-])\p{Nd}{1,2}\1\p{Nd}{4}(?!\p{Nd})")


@dataclass(frozen=True)
class Scan:
    """How the sheet was printed, handled and scanned. Zero / None / False means the artefact is absent."""

    dpi: int = 300
    paper: int = 245            # paper level, 180-225 for yellowed or grey stock
    ink: int = 15               # darkest ink level; 90-140 for a faded, low-contrast page
    gradient: float = 0.0       # uneven illumination: the darkest corner is this much darker (0-0.35)
    blur: float = 0.0           # Gaussian radius in pixels at 300 dpi
    toner: float = 0.0          # photocopy toner specks per cm² (0-10)
    show_through: float = 0.0   # strength of the mirrored text of the other side (0-0.2)
    border: bool = False        # dark scanner-lid strips along the edges
    holes: bool = False         # two punch holes in the left margin
    noise: float = 0.0          # sensor noise sigma in grey levels
    jpeg: int | None = None     # JPEG quality (40-75); None saves PNG
    skew: float = 0.0           # degrees counter-clockwise
    stamp: str | None = None    # "round" | "rect"
    stamp_over_text: bool = False
    table: bool = False
    tick: bool = False          # handwritten marginal tick and note scribble

    def artefacts(self) -> list[str]:
        """Names of the scan artefacts present (layout features excluded)."""
        out = []
        if self.dpi < 250:
            out.append("200dpi")
        if self.paper < 226:
            out.append("tinted")
        if self.ink >= 80:
            out.append("faded")
        for f in fields(self):
            if f.name in ("gradient", "blur", "toner", "show_through", "border", "holes", "noise", "jpeg"):
                if getattr(self, f.name):
                    out.append(f.name)
        if abs(self.skew) >= 0.5:
            out.append("skew")
        if self.stamp_over_text:
            out.append("stamp_over_text")
        if self.table:
            out.append("table")
        return out


@dataclass
class ScanPage:
    image: Image.Image          # mode "L", before JPEG compression
    lines: list[str]            # ground truth, one per printed line
    spec: Scan
    letter: Letter
    file_numbers: list[str] = field(default_factory=list)   # as printed (without label)
    dates: list[str] = field(default_factory=list)          # as printed

    @property
    def truth(self) -> str:
        return "\n".join(self.lines)

    @property
    def kind(self) -> str:
        return "jpeg" if self.spec.jpeg else "png"

    @property
    def suffix(self) -> str:
        return ".jpg" if self.spec.jpeg else ".png"

    def save(self, path: Path) -> Path:
        dpi = (self.spec.dpi, self.spec.dpi)
        if self.spec.jpeg:
            self.image.save(path, "JPEG", quality=self.spec.jpeg, dpi=dpi)
        else:
            self.image.save(path, "PNG", dpi=dpi)
        return path


def random_spec(seed: int, level: str = "office", *, dpi: int | None = None) -> Scan:
    """A plausible scan of the given difficulty: clean (a good scanner), office (a typical file copy), hard (a
    photocopy of a photocopy, faded, skewed, compressed)."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, not {level!r}")
    r = random.Random(f"scan-{seed}-{level}")
    hard, office = level == "hard", level == "office"
    return Scan(
        dpi=dpi or (200 if r.random() < (0.45 if hard else 0.25 if office else 0.1) else 300),
        paper=r.randint(185, 210) if hard else r.randint(195, 225) if office else r.randint(222, 245),
        ink=r.choice([15, 30, 70, 95]) if hard else r.choice([15, 25, 40, 85]) if office else 15,
        gradient=r.uniform(0.15, 0.3) if hard or r.random() < 0.5 else 0.0,
        blur=r.uniform(0.5, 1.0) if hard else r.uniform(0.3, 0.7) if office else r.choice([0.0, 0.4]),
        toner=r.uniform(2, 8) if hard else (r.uniform(0.5, 3) if office and r.random() < 0.6 else 0.0),
        show_through=r.uniform(0.06, 0.14) if (hard or office) and r.random() < 0.5 else 0.0,
        border=r.random() < (0.5 if hard else 0.3 if office else 0.0),
        holes=r.random() < (0.4 if hard else 0.25 if office else 0.0),
        noise=r.uniform(3, 7) if hard else r.uniform(0, 3) if office else 0.0,
        jpeg=r.randint(40, 55) if hard and r.random() < 0.7 else (r.randint(55, 75) if r.random() < 0.5 else None),
        skew=r.choice([-1, 1]) * (r.uniform(1.0, 3.0) if hard else r.uniform(0.3, 1.5) if office
                                  else r.uniform(0, 0.4)),
        stamp=r.choice(["round", "rect", None]) if not hard else r.choice(["round", "rect"]),
        stamp_over_text=r.random() < (0.6 if hard else 0.3),
        table=r.random() < 0.35,
        tick=r.random() < 0.5,
    )


# ---------------------------------------------------------------- layout

def _draw(draw: ImageDraw.ImageDraw, lf: LineFont, x: float, y: float, text: str, *, bold: bool = False,
          fill: int = 0) -> None:
    stroke = max(1, round(lf.size_px / 28)) if bold else 0
    for run, role in split_runs(text, lf.lang):
        font = lf.font(role)
        draw.text((x, y), run, font=font, fill=fill, anchor="ls", stroke_width=stroke, stroke_fill=fill)
        x += font.getlength(run) + (stroke if bold else 0)


def _bezier(draw: ImageDraw.ImageDraw, pts: list[tuple[float, float]], width: int, fill: int) -> None:
    """A chain of cubic Bézier segments through pts (3k+1 points)."""
    out = []
    for i in range(0, len(pts) - 3, 3):
        p0, p1, p2, p3 = pts[i : i + 4]
        for k in range(25):
            t = k / 24
            a, b, c, d = (1 - t) ** 3, 3 * t * (1 - t) ** 2, 3 * t * t * (1 - t), t**3
            out.append((a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0], a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1]))
    draw.line(out, fill=fill, width=width, joint="curve")


def _scribble(draw: ImageDraw.ImageDraw, box: tuple[float, float, float, float], rng: random.Random, dpi: int,
              strokes: int) -> None:
    x0, y0, x1, y1 = box
    width = max(2, round(rng.uniform(2.0, 3.5) * dpi / 300))
    fill = rng.randint(25, 80)
    for _ in range(strokes):
        n = 3 * rng.randint(2, 4) + 1
        xs = sorted(rng.uniform(x0, x1) for _ in range(n))
        _bezier(draw, [(x, rng.uniform(y0, y1)) for x in xs], width, fill)


def _tick(draw: ImageDraw.ImageDraw, x: float, y: float, dpi: int, rng: random.Random) -> None:
    s = dpi / 300 * rng.uniform(0.8, 1.3)
    fill, width = rng.randint(30, 90), max(2, round(3 * dpi / 300))
    _bezier(draw, [(x, y), (x + 8 * s, y + 12 * s), (x + 14 * s, y + 24 * s), (x + 18 * s, y + 30 * s),
                   (x + 30 * s, y + 5 * s), (x + 50 * s, y - 25 * s), (x + 70 * s, y - 45 * s)], width, fill)


def _rect_stamp(dpi: int, rng: random.Random, district: str) -> Image.Image:
    """An inward (आवक) stamp as an ink mask: a double rectangle with three lines, imperfectly inked."""
    lf = LineFont("hi", mm(3.2, dpi))
    text = ["कार्यालय कलेक्टर", f"जिला {district} (म.प्र.)", "आवक क्र. ........ दिनांक ........"]
    w = round(max(lf.width(t) for t in text) + mm(8, dpi))
    h = round(lf.size_px * 1.6 * len(text) + mm(6, dpi))
    layer = Image.new("L", (w, h), 0)
    d = ImageDraw.Draw(layer)
    d.rectangle((2, 2, w - 3, h - 3), outline=255, width=max(2, mm(0.5, dpi)))
    d.rectangle((mm(1.5, dpi), mm(1.5, dpi), w - mm(1.5, dpi), h - mm(1.5, dpi)), outline=255, width=1)
    for i, t in enumerate(text):
        _draw(d, lf, (w - lf.width(t)) / 2, mm(3, dpi) + lf.size_px * (1.25 + 1.6 * i), t, fill=255)
    keep = Image.frombytes("L", layer.size, rng.randbytes(w * h)).point(lambda v: 255 if v > 60 else 0)
    layer = ImageChops.multiply(layer, keep).filter(ImageFilter.GaussianBlur(0.7 * dpi / 300))
    return layer.rotate(rng.uniform(-8, 8), resample=Image.Resampling.BICUBIC, expand=True)


def _table_rows(rng: random.Random, deva_digits: bool) -> list[list[str]]:
    head = rng.choice([["क्र.", "नाम", "ग्राम", "खसरा नं.", "रकबा (हे.)"], ["क्र.", "आवेदक का नाम", "ग्राम", "सर्वे नं."]])
    rows = [head]
    for i in range(rng.randint(2, 4)):
        name = f"{rng.choice(bank.FIRST_NAMES)[0]} {rng.choice(bank.SURNAMES)[0]}"
        row = [f"{i + 1}.", name, rng.choice(bank.VILLAGES)[0], f"{rng.randint(11, 999)}/{rng.randint(1, 9)}"]
        if len(head) == 5:
            row.append(f"{rng.uniform(0.1, 4.0):.3f}")
        rows.append([to_devanagari_digits(c) if deva_digits else c for c in row])
    return rows


def _split(letter: Letter) -> dict[str, list[str]]:
    """The letter's lines by role, from their alignment: head (centred), number, date, body, sign, endorsement."""
    align = letter.align or ("l",) * len(letter.lines)
    i_date = align.index("r")
    last_r = max(i for i, a in enumerate(align) if a == "r")
    first_sign = last_r
    while first_sign - 1 > i_date and align[first_sign - 1] == "r":
        first_sign -= 1
    return {"head": letter.lines[: i_date - 1], "number": [letter.lines[i_date - 1]], "date": [letter.lines[i_date]],
            "body": letter.lines[i_date + 1 : first_sign], "sign": letter.lines[first_sign : last_r + 1],
            "endt": letter.lines[last_r + 1 :]}


def _layout(letter: Letter, spec: Scan, rng: random.Random, size_pt: float) -> tuple[Image.Image, list[str], float]:
    """The clean sheet, its truth lines, and how far below the bottom margin the text went (<= 0 fits)."""
    dpi = spec.dpi
    w, h = page_size(dpi)
    img = Image.new("L", (w, h), 255)
    d = ImageDraw.Draw(img)
    left, right, top = mm(rng.uniform(22, 28), dpi), w - mm(rng.uniform(18, 22), dpi), mm(rng.uniform(14, 22), dpi)
    lf = LineFont(letter.lang, round(size_pt * dpi / 72))
    big = LineFont(letter.lang, round(size_pt * rng.uniform(1.3, 1.5) * dpi / 72))
    pitch = lf.size_px * rng.uniform(1.45, 1.7)
    parts = _split(letter)
    truth: list[str] = []
    y = top + big.size_px

    def line(text: str, x: float, *, font: LineFont = lf, bold: bool = False) -> None:
        _draw(d, font, x, y, text, bold=bold)

    for i, t in enumerate(parts["head"]):
        f = big if i == 0 else lf
        line(t, (w - f.width(t)) / 2, font=f, bold=i == 0 or "आदेश" in t or "ORDER" in t)
        truth.append(t)
        y += f.size_px * 1.5 if i == 0 else pitch
    d.line((left, y - pitch * 0.45, right, y - pitch * 0.45), fill=0, width=max(2, mm(0.4, dpi)))
    y += pitch * 0.4
    num, date = parts["number"][0], parts["date"][0]
    line(num, left)
    line(date, right - lf.width(date))
    truth.append(f"{num} {date}")
    y += pitch * 1.3
    body = parts["body"]
    at_table = rng.randint(len(body) // 3, max(len(body) // 3, len(body) - 3)) if spec.table else -1
    tick_at = rng.randrange(len(body)) if spec.tick else -1
    for i, t in enumerate(body):
        if t.startswith(("प्रति", "To,")) or t.startswith(("विषय", "Subject", "संदर्भ", "Ref")):
            y += pitch * 0.3
        line(t, left)
        truth.append(t)
        if i == tick_at:
            _tick(d, left - mm(16, dpi), y - lf.size_px * 0.3, dpi, rng)
        y += pitch
        if i == at_table:
            y = _table(d, lf, left, right, y, _table_rows(rng, letter.devanagari_digits), truth)
    # signature scribble over the signatory block, centred in the right column
    col = (left + right) / 2 + mm(5, dpi)
    colw = right - col
    y += pitch * 0.6
    _scribble(d, (col + colw * 0.2, y - pitch * 0.2, col + colw * 0.8, y + pitch * 1.2), rng, dpi, rng.randint(2, 3))
    sign_top = y
    y += pitch * 2.0
    for t in parts["sign"]:
        line(t, col + (colw - lf.width(t)) / 2)
        truth.append(t)
        y += pitch
    for t in parts["endt"]:
        hit = regex.search(r"^(.*\S)\s+((?:दिनांक|Dated)\s+\S+)$", t)
        if hit and t.startswith(("पृ.", "Endt")):
            line(hit[1], left)
            line(hit[2], right - lf.width(hit[2]))
        else:
            line(t, left)
        truth.append(t)
        y += pitch
    if spec.tick:  # a short note scribble in the top right margin
        _scribble(d, (right - mm(45, dpi), top + big.size_px * 2, right - mm(5, dpi), top + big.size_px * 3.2),
                  rng, dpi, 2)
    if spec.stamp:
        district = next((dd[0] for dd in bank.DISTRICTS if dd[0] in letter.lines[0]), "राजगढ़")
        seal = _stamp(dpi, rng, district) if spec.stamp == "round" else _rect_stamp(dpi, rng, district)
        if spec.stamp_over_text:
            sx, sy = rng.uniform(left, right - seal.width), rng.uniform(top + pitch * 4, y - seal.height)
        else:
            sx, sy = left + mm(rng.uniform(0, 30), dpi), sign_top - seal.height * 0.3
        img.paste(rng.randint(90, 140), (round(sx), round(sy)), mask=seal)
    return img, truth, y - (h - mm(12, dpi))


def _table(d: ImageDraw.ImageDraw, lf: LineFont, left: float, right: float, y: float, rows: list[list[str]],
           truth: list[str]) -> float:
    """A bordered table from y (a baseline); returns the next baseline."""
    pad = lf.size_px * 0.4
    widths = [max(lf.width(r[c]) for r in rows) + 2 * pad for c in range(len(rows[0]))]
    scale = min(1.0, (right - left) / sum(widths))
    widths = [wd * scale for wd in widths]
    row_h = lf.size_px * 1.7
    top = y - lf.size_px * 0.6
    lw = max(1, round(lf.size_px / 25))
    for r, row in enumerate(rows):
        ry = top + r * row_h
        x = left
        for c, cell in enumerate(row):
            d.rectangle((x, ry, x + widths[c], ry + row_h), outline=0, width=lw)
            _draw(d, lf, x + pad * scale, ry + row_h * 0.68, cell, bold=r == 0)
            x += widths[c]
        truth.append(" ".join(row))
    return top + len(rows) * row_h + lf.size_px * 1.8


# ---------------------------------------------------------------- scan

def _field(size: tuple[int, int], cells: tuple[int, int], fn: object) -> Image.Image:
    """A smooth full-size image from a coarse grid of values fn(u, v) (0-255), u and v in [0, 1]."""
    cw, ch = cells
    small = Image.new("L", cells)
    small.putdata([max(0, min(255, round(fn(i / (cw - 1), j / (ch - 1))))) for j in range(ch) for i in range(cw)])  # type: ignore[operator]
    return small.resize(size, Image.Resampling.BICUBIC)


def _scan(sheet: Image.Image, spec: Scan, rng: random.Random, back: Image.Image | None) -> Image.Image:
    w, h = sheet.size
    dpi = spec.dpi
    page = sheet.point(lambda v: round(spec.ink + (255 - spec.ink) * v / 255)) if spec.ink else sheet
    if back is not None and spec.show_through:
        s = spec.show_through
        ghost = ImageOps.mirror(back).point(lambda v: round(255 - s * (255 - v)))
        page = ImageChops.multiply(page, ghost.filter(ImageFilter.GaussianBlur(2.5 * dpi / 300)))
    # paper tint, its blotchy texture and the uneven light, as one smooth multiplier
    tex = [[rng.uniform(-1, 1) for _ in range(12)] for _ in range(16)]
    gx, gy, g = rng.uniform(-1, 1), rng.uniform(-1, 1), spec.gradient

    def light(u: float, v: float) -> float:
        slope = 1 - g * (0.5 + 0.5 * max(-1.0, min(1.0, gx * (u - 0.5) * 2 + gy * (v - 0.5) * 2)))
        blot = tex[min(15, int(v * 15.99))][min(11, int(u * 11.99))] * (4 if spec.paper < 240 else 1)
        return (spec.paper + blot) * slope

    page = ImageChops.multiply(page, _field((w, h), (12, 16), light))
    if spec.toner:
        d = ImageDraw.Draw(page)
        count = round(spec.toner * (w / dpi * 2.54) * (h / dpi * 2.54))
        for _ in range(count):
            x, y, r = rng.randrange(w), rng.randrange(h), rng.uniform(0.6, 2.2) * dpi / 300
            d.ellipse((x - r, y - r, x + r, y + r), fill=rng.randint(20, 110))
        if rng.random() < 0.5:  # a drum streak
            x = rng.randrange(w)
            d.line((x, 0, x + rng.randint(-5, 5), h), fill=rng.randint(120, 170), width=max(1, round(dpi / 150)))
    lid = rng.randint(20, 60) if spec.border else 250
    if spec.skew:
        page = page.rotate(spec.skew, resample=Image.Resampling.BICUBIC, fillcolor=lid)
    d = ImageDraw.Draw(page)
    if spec.border:
        for edge in rng.sample("ltrb", rng.randint(1, 3)):
            k = mm(rng.uniform(2, 7), dpi)
            box = {"l": (0, 0, k, h), "r": (w - k, 0, w, h), "t": (0, 0, w, k), "b": (0, h - k, w, h)}[edge]
            d.rectangle(box, fill=lid)
    if spec.holes:
        r, x = mm(3, dpi), mm(rng.uniform(9, 13), dpi)
        for cy in (h / 2 - mm(40, dpi), h / 2 + mm(40, dpi)):
            d.ellipse((x - r, cy - r, x + r, cy + r), fill=rng.choice([lid, 35, 245]))
    if spec.blur:
        page = page.filter(ImageFilter.GaussianBlur(spec.blur * dpi / 300))
    if spec.noise:
        # uniform noise of the given sigma from the seeded rng (Image.effect_noise is not seedable)
        k = spec.noise / 73.6
        grain = Image.frombytes("L", (w, h), rng.randbytes(w * h)).point(lambda v: round(128 + (v - 128) * k))
        page = ImageChops.add(page, grain, scale=1.0, offset=-128)
    return page


def scan_letter(seed: int, lang: str = "hi", spec: Scan | None = None, *, devanagari_digits: bool = False,
                lines: int | None = None) -> ScanPage:
    """One letter laid out as a collectorate letter and scanned as `spec` says (default: random office scan)."""
    spec = spec or random_spec(seed)
    rng = random.Random(f"layout-{seed}-{lang}")
    n = lines or rng.randint(20, 28)
    letter = make_letter(seed, lang, devanagari_digits=devanagari_digits, lines=n)
    size = rng.choice([11.0, 11.5, 12.0])
    while True:
        state = rng.getstate()
        sheet, truth, over = _layout(letter, spec, rng, size)
        if over <= 0 or size <= 8:
            break
        size -= 0.5
        rng.setstate(state)
    back = None
    if spec.show_through:
        other = make_letter(seed + 1000, lang, lines=n)
        back = render_page(other.lines, dpi=spec.dpi, lang=lang, font_size_pt=size, align=other.align)
    image = _scan(sheet, spec, random.Random(f"scan-{seed}-{lang}"), back)
    numbers = [letter.file_number] if letter.file_number else []
    if devanagari_digits:
        numbers = [to_devanagari_digits(x) for x in numbers]
    dates = [m[0] for m in _DATE.finditer(_split(letter)["date"][0])]
    return ScanPage(image=image, lines=truth, spec=spec, letter=letter, file_numbers=numbers, dates=dates)
