"""Test helper: a printed sheet scanned back, in simulation — resampled to the scanner's dpi, grey or bitonal,
tilted, JPEG-compressed, photocopy noise, a coffee stain over part of a code. Used by tests/test_cover*.py and
bench/qr_bench.py (with other settings)."""
from __future__ import annotations

import io
import random
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from report.coversheet import DPI as PRINT_DPI


@dataclass(frozen=True)
class Scan:
    dpi: int = 200
    bitonal: bool = False
    tilt: float = 0.0           # degrees
    jpeg: int | None = None     # quality
    noise: float = 0.0          # photocopy speckle: share of pixels flipped, plus grey streaks
    stain: float = 0.0          # radius of a brown ring over the top code, as a share of the code's side
    blur: float = 0.0
    seed: int = 0


def scan(page: Image.Image, how: Scan, at_dpi: int = PRINT_DPI) -> Image.Image:
    """``page`` (a sheet drawn at ``at_dpi``, report.coversheet.DPI unless said) as the scanner would deliver it."""
    rnd = random.Random(how.seed)
    img = page.convert("L")
    if how.stain:
        img = _stain(img, how.stain, rnd, at_dpi / PRINT_DPI)
    if how.tilt:
        img = img.rotate(how.tilt, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    if how.dpi != at_dpi:
        scale = how.dpi / at_dpi
        img = img.resize((round(img.width * scale), round(img.height * scale)), Image.Resampling.LANCZOS)
    if how.blur:
        img = img.filter(ImageFilter.GaussianBlur(how.blur))
    if how.noise:
        img = _noise(img, how.noise, rnd)
    if how.bitonal:
        img = img.point(lambda v: 255 if v > 150 else 0).convert("1")
    if how.jpeg:
        buf = io.BytesIO()
        img.convert("L").save(buf, format="JPEG", quality=how.jpeg)
        img = Image.open(io.BytesIO(buf.getvalue()))
        img.load()
    img.info["dpi"] = (how.dpi, how.dpi)
    return img


def _stain(img: Image.Image, radius: float, rnd: random.Random, k: float = 1.0) -> Image.Image:
    """A coffee ring: a translucent brown-grey disc with a darker rim over the top-right code."""
    from report.coversheet import A4, MARGIN, QR_SIDE

    cx = round((A4[0] - MARGIN - QR_SIDE // 2 + rnd.randint(-QR_SIDE // 6, QR_SIDE // 6)) * k)
    cy = round((MARGIN + QR_SIDE // 2 + rnd.randint(-QR_SIDE // 6, QR_SIDE // 6)) * k)
    r = round(radius * QR_SIDE * k)
    overlay = Image.new("L", img.size, 0)
    d = ImageDraw.Draw(overlay)
    d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=90)
    d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=170, width=max(3, r // 12))
    overlay = overlay.filter(ImageFilter.GaussianBlur(3))
    a = np.asarray(img, dtype=np.float32)
    k = np.asarray(overlay, dtype=np.float32) / 255.0
    return Image.fromarray((a * (1 - k * 0.75)).clip(0, 255).astype(np.uint8))


def _noise(img: Image.Image, amount: float, rnd: random.Random) -> Image.Image:
    gen = np.random.default_rng(rnd.randint(0, 2**31))
    a = np.asarray(img, dtype=np.int16).copy()
    a += gen.normal(0, 40 * amount * 10, a.shape).astype(np.int16)          # toner grain
    flips = gen.random(a.shape) < amount                                       # speckle
    a[flips] = 255 - a[flips]
    for _ in range(3):                                                         # drum streaks
        x = int(gen.integers(0, a.shape[1]))
        a[:, x:x + 2] -= 60
    return Image.fromarray(a.clip(0, 255).astype(np.uint8))
