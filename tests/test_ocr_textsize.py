"""Scans that carry no believable DPI (a crop saved without one, a JPEG with the JFIF default of 72) are read at the
resolution their text size implies: a small low-resolution crop is enlarged and read, not taken for 300 dpi."""
from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from nasti.samples import make_letter, render_page
from ocr import raster, textsize
from ocr.metrics import cer
from ocr.page import PageTask, process_page

LETTER = make_letter(5150, "hi", lines=9)
TRUTH = "\n".join(LETTER.lines)


def crop(dpi: int, lines: list[str] = LETTER.lines, lang: str = "hi") -> Image.Image:
    """The text block of a Hindi letter rendered at `dpi`, cut out of its A4 sheet (a clipped paragraph)."""
    page = render_page(lines, lang=lang, dpi=dpi)
    left, top, right, bottom = Image.eval(page, lambda v: 255 - v).getbbox() or (0, 0, *page.size)
    pad = round(dpi / 10)
    return page.crop((max(0, left - pad), max(0, top - pad), right + pad, bottom + pad))


def test_line_pitch_follows_the_resolution_in_both_scripts_and_sideways() -> None:
    for lang, lines in (("hi", LETTER.lines), ("en", make_letter(5151, "en", lines=9).lines)):
        at = {dpi: textsize.line_pitch(crop(dpi, lines, lang)) for dpi in (100, 200, 300)}
        assert all(p is not None for p in at.values()), (lang, at)
        for dpi in (100, 200):
            assert abs(at[dpi] / at[300] - dpi / 300) < 0.06, (lang, at)    # type: ignore[operator]
        sideways = textsize.line_pitch(crop(300, lines, lang).rotate(90, expand=True))
        assert sideways is not None and abs(sideways - at[300]) <= 2, (lang, sideways, at)  # type: ignore[operator]


def test_no_lines_no_pitch() -> None:
    assert textsize.line_pitch(Image.new("L", (800, 600), 255)) is None


def test_a_small_crop_without_dpi_is_taken_for_low_resolution(tmp_path: Path) -> None:
    small = crop(100)
    small.save(tmp_path / "nodpi.png")                         # no pHYs chunk: a crop cut out and saved
    with Image.open(tmp_path / "nodpi.png") as img:
        dpi = raster.image_dpi(img, 300)
    assert dpi < raster.UPSCALE_BELOW, dpi                      # it will be enlarged before reading
    big = crop(300)
    big.save(tmp_path / "dpi300.png", dpi=(300, 300))          # a DPI that is not a default is believed
    with Image.open(tmp_path / "dpi300.png") as img:
        assert raster.image_dpi(img, 300) == 300


def test_low_resolution_crop_without_dpi_reads_like_the_same_crop_with_it(tmp_path: Path) -> None:
    small = crop(100)
    small.save(tmp_path / "nodpi.png")
    small.save(tmp_path / "withdpi.png", dpi=(100, 100))
    got = {}
    for name in ("nodpi", "withdpi"):
        r = process_page(PageTask(source=tmp_path / f"{name}.png", kind="png", index=0, languages="Devanagari",
                                  dpi=300, timeout=120, max_pixels=200_000_000, layer=tmp_path / f"{name}.pdf"))
        assert not r.handwritten and r.rotation == 0
        got[name] = cer(TRUTH, r.text)
    assert got["nodpi"] < 8.0, got
    assert got["nodpi"] <= got["withdpi"] + 2.0, got


def test_two_column_verse_page_scanned_tilted_keeps_its_line_pitch() -> None:
    """A dense two-column page of verse (a long and a short line in turn) at 150 dpi, tilted: the pitch is the
    lines', not every other line's nor the gutter's, in every turn."""
    from nasti.samples import booklike
    sheet = booklike.sheet(5, seed=11)
    pitch = textsize.line_pitch(sheet.image)
    assert pitch is not None and 0.12 <= pitch / sheet.dpi <= 0.2, (pitch, sheet.dpi)
    for turn in (90, 180, 270):
        assert textsize.line_pitch(sheet.image.rotate(turn, expand=True)) == pytest.approx(pitch, rel=0.03)


def halftone(width: int, height: int, period: int) -> Image.Image:
    """A halftone photo: a dot screen of `period` pixels over a light-to-dark ramp."""
    import numpy as np
    y, x = np.mgrid[0:height, 0:width]
    screen = (np.sin(2 * np.pi * x / period) + np.sin(2 * np.pi * y / period)) / 4 + 0.5
    ramp = x / width * 0.8 + 0.1
    return Image.fromarray(np.where(screen < ramp, 0, 255).astype(np.uint8), "L")


def test_a_halftone_photo_neither_lowers_the_dpi_nor_spoils_the_text(tmp_path: Path) -> None:
    """An A4 page at 150 dpi, saved without a DPI, with a 3 × 2.5 in halftone photo above four lines of text: the
    photo's dot comb is no line pitch (taken for one, it made the page 70 dpi and enlarged it 4.3 times, a
    time-out; and enlarging 'small type' read the photo's dots as 1,000 characters of text)."""
    page = render_page(LETTER.lines[:4], lang="hi", dpi=150)
    page.paste(halftone(450, 375, 7), (300, 900))
    page.save(tmp_path / "photo.png")
    with Image.open(tmp_path / "photo.png") as img:
        assert raster.image_dpi(img, 300) == 150
    r = process_page(PageTask(source=tmp_path / "photo.png", kind="png", index=0, languages="Devanagari", dpi=300,
                              timeout=120, max_pixels=200_000_000, layer=tmp_path / "photo.pdf"))
    assert cer("\n".join(LETTER.lines[:4]), r.text) < 10.0


def test_regular_paragraphs_do_not_overrule_an_a4_page_size(tmp_path: Path) -> None:
    """Paragraphs of the same length make every fifth line the strongest period: an A4 sheet at 200 dpi without a
    DPI is still read at 200 dpi (its pitch taken for the DPI made it 1200 dpi and blank)."""
    paragraph = make_letter(5152, "en", lines=4).lines
    lines = [line for _ in range(6) for line in [*paragraph, ""]]
    render_page(lines, lang="en", dpi=200).save(tmp_path / "paras.png")
    with Image.open(tmp_path / "paras.png") as img:
        assert raster.image_dpi(img, 300) == 200
