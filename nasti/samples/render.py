"""Draw letters on A4 pages and make them look scanned: rotation, skew, photocopy speckle; blank backs and
stamp-only pages."""
from __future__ import annotations

import math
import random
from collections.abc import Sequence

import regex
from PIL import Image, ImageChops, ImageDraw, ImageFilter

from nasti.samples.fonts import LineFont, load_font
from nasti.samples.letters import Letter

A4_MM = (210.0, 297.0)
MARGIN_MM = 25.0
LINE_SPACING = 1.5
MIN_SIZE_PX = 6


def mm(value: float, dpi: int) -> int:
    return round(value / 25.4 * dpi)


def page_size(dpi: int) -> tuple[int, int]:
    """A4 in pixels at dpi (2480 x 3508 at 300 dpi)."""
    return mm(A4_MM[0], dpi), mm(A4_MM[1], dpi)


def lines_per_page(*, dpi: int = 300, font_size_pt: float = 12.0) -> int:
    """How many lines fit between the margins at this size without shrinking (39 at 12 pt)."""
    size = max(MIN_SIZE_PX, round(font_size_pt * dpi / 72))
    height = page_size(dpi)[1] - 2 * mm(MARGIN_MM, dpi)
    return max(1, int((height - size * 1.2) // (size * LINE_SPACING)) + 1)


def _fit(lines: Sequence[str], dpi: int, lang: str, font_size_pt: float) -> LineFont:
    """The font at the asked size, shrunk only if the lines would not fit inside the margins."""
    width, height = (s - 2 * mm(MARGIN_MM, dpi) for s in page_size(dpi))
    size = max(MIN_SIZE_PX, round(font_size_pt * dpi / 72))
    while True:
        lf = LineFont(lang, size)
        widest = max((lf.width(s) for s in lines), default=0.0)
        tall = (len(lines) - 1) * size * LINE_SPACING + size * 1.2 if lines else 0.0
        if (widest <= width and tall <= height) or size <= MIN_SIZE_PX:
            return lf
        scale = min(width / widest if widest else 1.0, height / tall if tall else 1.0)
        size = max(MIN_SIZE_PX, min(size - 1, int(size * scale)))


def render_page(
    lines: list[str],
    *,
    dpi: int = 300,
    lang: str = "hi",
    font_size_pt: float = 12.0,
    align: Sequence[str] | None = None,
) -> Image.Image:
    """An A4 page (mode "L", white, black text) with `lines` inside 25 mm margins at 1.5 line spacing.

    Noto Serif Devanagari for hi/mixed (Latin runs in Noto Serif), DejaVu Serif for en; shaped with raqm.
    align: per line "l" | "c" | "r" (default left). Lines that do not fit shrink the font for the whole page rather
    than being cut, so the text drawn is always exactly `lines`.
    """
    size = page_size(dpi)
    margin = mm(MARGIN_MM, dpi)
    img = Image.new("L", size, 255)
    draw = ImageDraw.Draw(img)
    lf = _fit(lines, dpi, lang, font_size_pt)
    text_w = size[0] - 2 * margin
    baseline = margin + lf.ascent * 0.8
    for i, line in enumerate(lines):
        a = align[i] if align is not None and i < len(align) else "l"
        w = lf.width(line)
        x = margin + {"l": 0.0, "c": (text_w - w) / 2, "r": text_w - w}[a]
        lf.draw(draw, x, baseline, line)
        baseline += lf.size_px * LINE_SPACING
    return img


def render_letter(letter: Letter, *, dpi: int = 300, font_size_pt: float = 12.0) -> list[Image.Image]:
    """The letter on as many pages as it needs (lines_per_page each), keeping its alignment."""
    n = lines_per_page(dpi=dpi, font_size_pt=font_size_pt)
    align = letter.align or ("l",) * len(letter.lines)
    return [
        render_page(letter.lines[i : i + n], dpi=dpi, lang=letter.lang, font_size_pt=font_size_pt,
                    align=align[i : i + n])
        for i in range(0, max(1, len(letter.lines)), n)
    ]


def _speckle(img: Image.Image, fraction: float, rng: random.Random, *, salt: bool = True) -> Image.Image:
    """Flip `fraction` of the pixels: half to black (toner dust), half to white (drop-outs)."""
    w, h = img.size
    count = int(fraction * w * h)
    if count <= 0:
        return img
    out = img.copy()
    draw = ImageDraw.Draw(out)
    n_black = count // 2 if salt else count
    draw.point([(rng.randrange(w), rng.randrange(h)) for _ in range(n_black)], fill=0)
    if salt:
        draw.point([(rng.randrange(w), rng.randrange(h)) for _ in range(count - n_black)], fill=255)
    return out


def _blur_radius(dpi: int) -> float:
    return 0.7 * dpi / 300


_ROTATIONS = {90: Image.Transpose.ROTATE_90, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_270}


def degrade(
    img: Image.Image, *, rotate: int = 0, skew: float = 0.0, noise: float = 0.0, seed: int = 0
) -> Image.Image:
    """Make a clean page look scanned. skew: degrees counter-clockwise (±5), white fill, same size.
    noise: fraction of pixels flipped (salt and pepper) plus a slight blur, like a photocopy.
    rotate: 0/90/180/270 degrees counter-clockwise, the page expanded (a 90 turns portrait into landscape)."""
    if rotate not in (0, 90, 180, 270):
        raise ValueError(f"rotate must be 0, 90, 180 or 270, not {rotate}")
    if not -45 <= skew <= 45:
        raise ValueError(f"skew must be a small angle in degrees, not {skew}")
    if not 0 <= noise <= 0.5:
        raise ValueError(f"noise must be a fraction of pixels in [0, 0.5], not {noise}")
    rng = random.Random(seed)
    dpi = round(img.width / (A4_MM[0] / 25.4)) if img.width < img.height else round(img.height / (A4_MM[0] / 25.4))
    out = img.convert("L")
    if skew:
        out = out.rotate(skew, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)
    if noise > 0:
        out = _speckle(out, noise, rng).filter(ImageFilter.GaussianBlur(_blur_radius(dpi)))
    if rotate:
        out = out.transpose(_ROTATIONS[rotate])
    return out


def blank_page(*, dpi: int = 300, noise: float = 0.0, seed: int = 0) -> Image.Image:
    """A white A4 page without text. With noise: scanner dust, a few specks and a soft shadow along one edge."""
    rng = random.Random(seed)
    img = Image.new("L", page_size(dpi), 255)
    if noise <= 0:
        return img
    w, h = img.size
    draw = ImageDraw.Draw(img)
    band = mm(rng.uniform(2.0, 5.0), dpi)  # lid shadow along one edge, darkest at the paper edge
    edge = rng.choice("ltrb")
    for i in range(band):
        v = int(80 + 175 * (i / band) ** 0.7)
        far = (w if edge in "lr" else h) - 1 - i
        box = {"l": (i, 0, i, h), "r": (far, 0, far, h), "t": (0, i, w, i), "b": (0, far, w, far)}
        draw.line(box[edge], fill=v)
    for _ in range(rng.randint(5, 25)):  # dust specks, well below the size of a letter
        x, y, r = rng.randrange(w), rng.randrange(h), rng.uniform(0.5, 1.5) * dpi / 300
        draw.ellipse((x - r, y - r, x + r, y + r), fill=rng.randint(40, 140))
    return _speckle(img, noise, rng, salt=False).filter(ImageFilter.GaussianBlur(_blur_radius(dpi)))


def _arc_text(layer: Image.Image, center: tuple[float, float], radius: float, text: str, size_px: int, *,
              top: bool) -> None:
    """White text along a circle on a black layer: over the top reading clockwise, or under the bottom."""
    font = load_font("deva", size_px)
    clusters = regex.findall(r"\X", text)
    widths = [font.getlength(c) for c in clusters]
    pos = -sum(widths) / radius / 2
    box = size_px * 3
    for cluster, w in zip(clusters, widths, strict=True):
        a = pos + w / 2 / radius
        pos += w / radius
        glyph = Image.new("L", (box, box), 0)
        ImageDraw.Draw(glyph).text((box / 2, box / 2), cluster, font=font, fill=255, anchor="ms")
        if top:
            glyph = glyph.rotate(-math.degrees(a), resample=Image.Resampling.BICUBIC)
            x, y = center[0] + radius * math.sin(a), center[1] - radius * math.cos(a)
        else:
            glyph = glyph.rotate(math.degrees(a), resample=Image.Resampling.BICUBIC)
            x, y = center[0] + radius * math.sin(a), center[1] + radius * math.cos(a)
        layer.paste(255, (round(x - box / 2), round(y - box / 2)), mask=glyph)


def _stamp(dpi: int, rng: random.Random, district: str) -> Image.Image:
    """A round office seal as an ink mask (255 = ink), imperfectly inked and tilted."""
    r = mm(rng.uniform(15.0, 19.0), dpi)
    side = 2 * r + mm(4, dpi)
    c = side / 2
    layer = Image.new("L", (side, side), 0)
    draw = ImageDraw.Draw(layer)
    draw.ellipse((c - r, c - r, c + r, c + r), outline=255, width=max(2, mm(0.6, dpi)))
    r2 = r - mm(1.2, dpi)
    draw.ellipse((c - r2, c - r2, c + r2, c + r2), outline=255, width=max(1, mm(0.3, dpi)))
    size_px = mm(3.4, dpi)
    _arc_text(layer, (c, c), r2 - mm(0.8, dpi) - size_px * 0.75, "कार्यालय कलेक्टर", size_px, top=True)
    _arc_text(layer, (c, c), r2 - mm(1.0, dpi), f"जिला {district} (म.प्र.)", size_px, top=False)
    star = [(c + s * math.sin(k * math.pi / 5), c - s * math.cos(k * math.pi / 5))
            for k in range(10) for s in [mm(5.0 if k % 2 == 0 else 2.0, dpi)]]
    draw.polygon(star, fill=255)
    keep = Image.frombytes("L", layer.size, rng.randbytes(side * side)).point(lambda v: 255 if v > 50 else 0)
    layer = ImageChops.multiply(layer, keep).filter(ImageFilter.GaussianBlur(_blur_radius(dpi)))
    return layer.rotate(rng.uniform(-25, 25), resample=Image.Resampling.BICUBIC)


def _signature(draw: ImageDraw.ImageDraw, x0: float, y0: float, dpi: int, rng: random.Random) -> None:
    """A cursive scrawl (a run of loops) and a short underline."""
    s = dpi / 300
    loops, v, r = rng.randint(3, 6), rng.uniform(9, 14) * s, rng.uniform(14, 24) * s
    slope, phase = rng.uniform(0.1, 0.4), rng.uniform(0, 2 * math.pi)
    pts = []
    for i in range(loops * 24):
        t = i / 24 * 2 * math.pi
        height = 1.2 + 0.5 * math.sin(0.37 * t + phase)
        pts.append((x0 + v * t + r * math.cos(t + math.pi), y0 - r * height * math.sin(t) - slope * v * t))
    draw.line(pts, fill=rng.randint(20, 60), width=max(2, round(3 * s)), joint="curve")
    end = pts[-1][0]
    draw.line([(x0 - 10 * s, y0 + 2.2 * r), (end + 30 * s, y0 + 2.0 * r)], fill=40, width=max(2, round(3 * s)))


def stamp_page(*, dpi: int = 300, seed: int = 0) -> Image.Image:
    """A mostly blank A4 page carrying only a round office seal and a signature (it is NOT blank)."""
    rng = random.Random(seed)
    img = Image.new("L", page_size(dpi), 255)
    w, h = img.size
    margin = mm(MARGIN_MM, dpi)
    seal = _stamp(dpi, rng, rng.choice(["राजगढ़", "राजगढ़", "सीहोर", "विदिशा"]))
    x = rng.randint(margin, w - margin - seal.width)
    y = rng.randint(h // 2, h - margin - seal.height)
    img.paste(rng.randint(70, 120), (x, y), mask=seal)
    sx = min(w - margin - mm(45, dpi), x + seal.width // 2 + mm(rng.uniform(-10, 10), dpi))
    _signature(ImageDraw.Draw(img), max(margin, sx), y - mm(rng.uniform(5, 15), dpi), dpi, rng)
    return img
