"""A soft scan (blurred: out of focus, a copy of a copy) is sharpened before tesseract reads it; a crisp one is not.

Found by an adversarial run: on the real letterpress crops blurred by 1.2 px nasti's margin over bare `tesseract -l
Devanagari` fell from 0.85× to 0.90× (1.01× on a subset) — tesseract's threshold merges blurred strokes. ocr.level
now measures how steep a page's ink edges are (`sharpness`) and unsharp-masks a soft page (`prepare`)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from nasti.samples.fonts import font_path
from ocr import level
from ocr.metrics import cer
from ocr.page import PageTask, process_page

PROSE = ["जिला कार्यालय में आयोजित समिति की बैठक में सभी सदस्यों ने पिछले कार्यवृत्त की पुष्टि की।",
         "तहसीलदार को निर्देश दिए गए कि वे उत्तरी गाँवों का सर्वेक्षण वर्षा ऋतु से पहले पूर्ण करें।",
         "अंतिम तिथि के पश्चात प्राप्त आवेदनों पर विचार नहीं किया जाएगा तथा शुल्क वापस नहीं होगा।",
         "इस आदेश की प्रतिलिपि सूचनार्थ एवं आवश्यक कार्यवाही हेतु सभी विभाग प्रमुखों को भेजी जाती है।"]


def small_print(blur: float, *, pt: float = 6.0) -> Image.Image:
    """Four lines of small Hindi type (a 300-dpi crop of a dense book page), blurred by `blur` pixels."""
    px = round(pt * 300 / 72)
    font = ImageFont.truetype(str(font_path("deva")), px, layout_engine=ImageFont.Layout.RAQM)
    page = Image.new("L", (1500, 120 + len(PROSE) * round(px * 1.6)), 255)
    draw = ImageDraw.Draw(page)
    for k, line in enumerate(PROSE):
        draw.text((60, 60 + k * round(px * 1.6)), line, font=font, fill=30)
    return page.filter(ImageFilter.GaussianBlur(blur)) if blur else page


def test_soft_pages_are_told_from_crisp_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    assert level.prepare(small_print(1.2), 300).tobytes() == level.flatten(small_print(1.2), 300).tobytes(), \
        "sharpening is off by default (bench/results/blur.md)"
    monkeypatch.setattr(level, "SHARPEN", True)
    crisp, soft = small_print(0), small_print(1.2)
    grain = np.random.default_rng(5).normal(0, 25, (crisp.height, crisp.width))
    grainy = Image.fromarray(np.clip(np.asarray(crisp, dtype=float) + grain, 0, 255).astype(np.uint8), "L")
    bitonal = crisp.point(lambda v: 255 if v >= 150 else 0)
    for sharp in (crisp, grainy, bitonal):     # grain and a scanner's threshold are no blur
        assert level.sharpness(level.flatten(sharp, 300)) >= level.SOFT_BELOW
    assert level.sharpness(level.flatten(soft, 300)) < level.SOFT_BELOW
    # a crisp page is given to tesseract exactly as before; a blank one has no sharpness to judge
    assert level.prepare(crisp, 300).tobytes() == level.flatten(crisp, 300).tobytes()
    assert level.prepare(soft, 300).tobytes() != level.flatten(soft, 300).tobytes()
    # a crisp page scanned at 600 dpi spreads its edges over twice the pixels: counted in 300-dpi pixels, not soft
    fine = crisp.resize((crisp.width * 2, crisp.height * 2), Image.Resampling.LANCZOS)
    assert level.sharpness(level.flatten(fine, 600), 600) >= level.SOFT_BELOW
    # below raster.UPSCALE_BELOW a page is enlarged before it is read, never sharpened
    coarse = soft.resize((soft.width * 96 // 300, soft.height * 96 // 300), Image.Resampling.LANCZOS)
    assert level.prepare(coarse, 96).tobytes() == level.flatten(coarse, 96).tobytes()
    assert level.sharpness(Image.new("L", (600, 400), 250)) is None
    # a smear is not sharpened: that would only make tesseract surer of its garbage (a poor page must stay poor)
    smear = small_print(5.0, pt=12.0)
    assert level.sharpness(level.flatten(smear, 300)) < level.SMEARED_BELOW
    assert level.prepare(smear, 300).tobytes() == level.flatten(smear, 300).tobytes()


def _read(path: Path, tmp_path: Path) -> tuple[float, str]:
    got = process_page(PageTask(source=path, kind="png", index=0, languages="Devanagari", dpi=300, timeout=120,
                                max_pixels=10**8, layer=tmp_path / "layer.pdf"))
    return cer("\n".join(PROSE), got.text), got.text


def test_a_blurred_page_reads_better_sharpened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "soft.png"
    small_print(2.2).save(path, dpi=(300, 300))
    monkeypatch.setattr(level, "SHARPEN", True)
    sharpened, text = _read(path, tmp_path)
    monkeypatch.setattr(level, "SHARPEN", False)     # the default: the soft page read as it was scanned
    unsharpened, _ = _read(path, tmp_path)
    assert sharpened <= 8.0, text
    assert sharpened <= unsharpened - 5.0, (sharpened, unsharpened)
