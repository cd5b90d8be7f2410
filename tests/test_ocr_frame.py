"""A sheet scanned with a dark surround (an open scanner lid, a table, a book's gutter shadow) reads as the sheet
alone does; print that runs to the image's edge and a sheet on an unevenly lit table are left as they are."""
from __future__ import annotations

import random
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from nasti.samples.fonts import font_roles, load_font
from nasti.samples.scanlike import random_spec, scan_letter
from ocr.frame import surround, unframed
from ocr.metrics import cer
from tests.test_ocr_orient import read

DPI = 150


def framed(page: Image.Image, grey: int = 45, pad: float = 0.6, seed: int = 1) -> Image.Image:
    """`page` on a dark, noisy surround `pad` inches wide (a lid left open over a flatbed)."""
    margin = round(pad * DPI)
    canvas = Image.new("L", (page.width + 2 * margin, page.height + 2 * margin), grey)
    canvas.paste(page, (margin, margin))
    noisy = np.asarray(canvas, np.float32) + np.random.default_rng(seed).normal(0, 5, (canvas.height, canvas.width))
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8), mode="L")


def test_a_dark_surround_reads_as_the_sheet_alone(tmp_path: Path) -> None:
    scan = scan_letter(12, "hi", random_spec(12, "office", dpi=DPI), lines=8)   # framed, before: 26.5 % vs 12.0 %
    truth = "\n".join(scan.lines)
    page = scan.image.convert("L")
    alone = read(page, DPI, tmp_path, "alone")
    dark = read(framed(page, seed=12), DPI, tmp_path, "framed")
    assert alone.text and dark.rotation == 0
    assert cer(truth, dark.text) <= cer(truth, alone.text) + 2, (cer(truth, dark.text), cer(truth, alone.text))
    turned = read(framed(page, seed=12).rotate(180), DPI, tmp_path, "framed-180")   # the same surround, upside down
    assert turned.rotation == 180
    assert cer(dark.text, turned.text) <= 2


def test_a_sheet_without_surround_is_not_touched() -> None:
    page = scan_letter(12, "hi", random_spec(12, "clean", dpi=DPI), lines=6).image.convert("L")
    assert surround(page, DPI) is None
    assert unframed(page, DPI) is page


def test_print_running_off_the_edge_is_kept() -> None:
    """A bold heading cut by the scanner's edge is print, not surround: it is never painted over."""
    page = Image.new("L", (1200, 500), 240)
    draw = ImageDraw.Draw(page)
    font = load_font(font_roles("hi")[0], 64)
    draw.text((700, -10), "राजस्व शाखा कार्यालय", font=font, fill=10)
    draw.text((40, 200), "कलेक्टर कार्यालय भोपाल मध्यप्रदेश", font=font, fill=10)
    assert surround(page, DPI) is None


def test_a_sheet_on_an_unevenly_lit_table_is_left_as_it_is() -> None:
    """The table is dark on one side and nearly paper-bright on the other: painting only its dark part would cut a
    new edge into the picture, so nothing is painted."""
    rng = random.Random(3)
    table = np.linspace(60, 225, 1400, dtype=np.float32)[None, :].repeat(1000, axis=0)
    sheet = scan_letter(rng.randint(0, 99), "hi", random_spec(5, "clean", dpi=DPI), lines=5).image.convert("L")
    sheet = sheet.resize((900, round(900 * sheet.height / sheet.width))).crop((0, 0, 900, 700))
    img = Image.fromarray(table.astype(np.uint8), mode="L")
    img.paste(sheet, (250, 150))
    assert surround(img, DPI) is None


def test_a_dark_sheet_on_a_white_bed_is_read_not_painted(tmp_path: Path) -> None:
    """A brown service envelope (or a grey photocopy) laid in the corner of a white flatbed is darker than the bed
    all over, and touches the image's edge: it is still the sheet, and its print is read (it was painted out and the
    page read blank)."""
    scan = scan_letter(13, "hi", random_spec(13, "clean", dpi=DPI), lines=6)
    sheet = np.asarray(scan.image.convert("L"), np.float32) * 0.55      # envelope brown, in grey: about 135
    bed = np.full((sheet.shape[0] + 200, sheet.shape[1] + 250), 250, np.float32)
    bed[: sheet.shape[0], : sheet.shape[1]] = sheet
    page = Image.fromarray(bed.astype(np.uint8), mode="L")
    assert surround(page, DPI) is None
    r = read(page, DPI, tmp_path, "envelope")
    assert not r.blank and cer("\n".join(scan.lines), r.text) < 30


def test_print_under_a_shadow_is_not_painted() -> None:
    """A hard-edged shadow (a hand, a phone) over the right part of a sheet, reaching the image's edge, darkens the
    paper under it to half: the print in it keeps the region from being taken for surround."""
    page = np.asarray(scan_letter(14, "hi", random_spec(14, "clean", dpi=DPI), lines=8).image.convert("L"),
                      np.float32).copy()
    page[:, int(page.shape[1] * 0.6):] *= 0.5
    assert surround(Image.fromarray(page.astype(np.uint8), mode="L"), DPI) is None
