"""Seeded pages for the show-through / faint-text / grey-typewriter checks (bench/showthrough_bench.py).

    page(kind, seed) -> (PIL "L" image at 300 dpi, ground truth or None for a page that must come out text-less, params)

Kinds (every parameter drawn from the seed; fonts, sizes, strengths and noise vary):
- back:    a blank back whose front shows through mirrored: front blurred, paper `p - (255 - front) * s`, noise
- faded:   real text printed faded (ink 150-190 on paper ~240, ocr.faint's case), upright
- pale:    pale letters printed upright (ink 100-150 on paper 225-245)
- mixed:   a printed page with the back's text showing through under it (s 0.3-0.5)
- typed:   a grey typewriter-like English page (mono 9-11 pt, ink 70-110, paper 215-235, blur 0.8-1.4, noise 10-20)
Fronts: a Hindi letter, an English letter (nasti.samples.make_letter) in one of several faces, or real 300-dpi crops
stacked on an A4 sheet (/work/shared/realscans-dev, when present).
"""
from __future__ import annotations

import random
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from nasti.samples import make_letter

DEVA = ["/usr/share/fonts/truetype/noto/NotoSerifDevanagari-Regular.ttf",
        "/usr/share/fonts/truetype/noto/NotoSansDevanagari-Regular.ttf",
        "/usr/share/fonts/truetype/lohit-devanagari/Lohit-Devanagari.ttf",
        "/usr/share/fonts/truetype/Gargi/Gargi.ttf",
        "/usr/share/fonts/truetype/Sarai/Sarai.ttf",
        "/usr/share/fonts/truetype/Nakula/nakula.ttf"]
LATIN = ["/usr/share/fonts/opentype/urw-base35/NimbusRoman-Regular.otf",
         "/usr/share/fonts/opentype/urw-base35/C059-Roman.otf",
         "/usr/share/fonts/opentype/urw-base35/NimbusSans-Regular.otf",
         "/usr/share/fonts/opentype/urw-base35/URWBookman-Light.otf",
         "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
         "/usr/share/fonts/opentype/urw-base35/NimbusMonoPS-Regular.otf"]
MONO = "/usr/share/fonts/opentype/urw-base35/NimbusMonoPS-Regular.otf"
REAL = Path("/work/shared/realscans-dev")
W, H = 2481, 3508
KINDS = ("back", "faded", "pale", "mixed", "typed")


def _render(lines: list[str], font: str, pt: float, *, top: int = 300, left: int = 300) -> tuple[Image.Image, str]:
    im = Image.new("L", (W, H), 255)
    d = ImageDraw.Draw(im)
    f = ImageFont.truetype(font, round(pt * 300 / 72), layout_engine=ImageFont.Layout.RAQM)
    y, gt = top, []
    for line in lines:
        words, cur = line.split(), ""
        for w in [*words, None]:
            t = cur if w is None else (cur + " " + w).strip()
            if w is None or (d.textlength(t, font=f) > W - 2 * left and cur):
                if cur:
                    d.text((left, y), cur, font=f, fill=0)
                    gt.append(cur)
                    y += round(pt * 300 / 72 * 1.6)
                cur = "" if w is None else w
            else:
                cur = t
        if y > H - 400:
            break
    return im, "\n".join(gt)


def _real(rng: random.Random) -> tuple[Image.Image, str]:
    names = sorted(p.stem for p in REAL.glob("*.png"))
    k = rng.randrange(len(names))
    c, y, gts = Image.new("L", (W, H), 255), 300, []
    while True:
        n = names[k % len(names)]
        im = Image.open(REAL / f"{n}.png").convert("L")
        if im.width > W - 500:
            im = im.resize((W - 500, round(im.height * (W - 500) / im.width)), Image.Resampling.LANCZOS)
        if y + im.height > H - 250:
            break
        c.paste(im, (250, y))
        y += im.height + 40
        gts.append((REAL / f"{n}.gt.txt").read_text(encoding="utf-8").strip())
        k += 1
    return c, "\n".join(gts)


def front(rng: random.Random, what: str | None = None) -> tuple[Image.Image, str, str]:
    """A printed page (black on white) and its text: Hindi letter, English letter or real crops."""
    what = what or rng.choice(["hi", "en", "real"] if REAL.exists() else ["hi", "en"])
    if what == "real":
        im, gt = _real(rng)
        return im, gt, "real"
    letter = make_letter(rng.randrange(10_000), what, lines=rng.randint(14, 26))
    font = rng.choice(DEVA if what == "hi" else LATIN)
    im, gt = _render(list(letter.lines), font, rng.uniform(9.5, 13.0))
    return im, gt, f"{what}:{Path(font).stem}"


def _noise(a: np.ndarray, rng: random.Random, sigma: float) -> np.ndarray:
    return a + np.random.default_rng(rng.randrange(2**32)).normal(0, sigma, a.shape)


def _img(a: np.ndarray) -> Image.Image:
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "L")


def ghost(rng: random.Random, s: float, blur: float) -> tuple[np.ndarray, str]:
    """The back's text as it shows through: mirrored, blurred, `(255 - front) * s` darker than the paper."""
    im, _, what = front(rng)
    back = np.asarray(im.transpose(Image.Transpose.FLIP_LEFT_RIGHT).filter(ImageFilter.GaussianBlur(blur)),
                      dtype=np.float32)
    return (255 - back) * s, what


def page(kind: str, seed: int) -> tuple[Image.Image, str | None, dict]:
    rng = random.Random(f"{kind}:{seed}")
    if kind == "back":
        s, blur, paper, sigma = rng.uniform(0.3, 0.6), rng.uniform(1.0, 2.5), rng.uniform(220, 242), rng.uniform(2, 8)
        g, what = ghost(rng, s, blur)
        return _img(_noise(paper - g, rng, sigma)), None, dict(front=what, s=round(s, 2), blur=round(blur, 1),
                                                                paper=round(paper), noise=round(sigma, 1))
    if kind in ("faded", "pale"):
        im, gt, what = front(rng)
        ink = rng.uniform(150, 190) if kind == "faded" else rng.uniform(100, 150)
        paper = 240.0 if kind == "faded" else rng.uniform(225, 245)
        blur, sigma = rng.uniform(0.4, 1.0), rng.uniform(2, 6)
        a = np.asarray(im.filter(ImageFilter.GaussianBlur(blur)), dtype=np.float32)
        a = ink + a / 255 * (paper - ink)
        return _img(_noise(a, rng, sigma)), gt, dict(front=what, ink=round(ink), paper=round(paper),
                                                      blur=round(blur, 1), noise=round(sigma, 1))
    if kind == "mixed":
        im, gt, what = front(rng)
        s, blur, paper, sigma = rng.uniform(0.3, 0.5), rng.uniform(1.0, 2.5), rng.uniform(220, 242), rng.uniform(2, 6)
        g, gwhat = ghost(rng, s, blur)
        ink = rng.uniform(0, 70)
        a = ink + np.asarray(im, dtype=np.float32) / 255 * (paper - ink)
        a = np.minimum(a, paper - g)
        return _img(_noise(a, rng, sigma)), gt, dict(front=what, ghost=gwhat, s=round(s, 2), ink=round(ink),
                                                      paper=round(paper), noise=round(sigma, 1))
    if kind == "typed":
        letter = make_letter(rng.randrange(10_000), "en", lines=rng.randint(14, 26))
        pt = rng.uniform(9.0, 11.0)
        im, gt = _render(list(letter.lines), MONO, pt)
        ink, paper = rng.uniform(70, 110), rng.uniform(215, 235)
        blur, sigma = rng.uniform(0.8, 1.4), rng.uniform(10, 20)
        a = np.asarray(im.filter(ImageFilter.GaussianBlur(blur)), dtype=np.float32)
        a = ink + a / 255 * (paper - ink)
        return _img(_noise(a, rng, sigma)), gt, dict(pt=round(pt, 1), ink=round(ink), paper=round(paper),
                                                      blur=round(blur, 1), noise=round(sigma, 1))
    raise ValueError(kind)
