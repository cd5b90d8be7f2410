"""A negative page (white print on black: a microfilm or photostat negative) is read like its positive, not as a
blank page; sheets on a dark lid, dark photos and ordinary pages are left as they are."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from nasti.samples.scanlike import random_spec, scan_letter
from ocr.metrics import cer
from ocr.negative import is_negative, positive
from tests.test_ocr_frame import framed
from tests.test_ocr_orient import read

DPI = 150


def test_a_negative_page_reads_like_its_positive(tmp_path: Path) -> None:
    scan = scan_letter(12, "hi", random_spec(12, "office", dpi=DPI), lines=8)
    truth = "\n".join(scan.lines)
    page = scan.image.convert("L")
    upright = read(page, DPI, tmp_path, "positive")
    negative = read(ImageOps.invert(page), DPI, tmp_path, "negative")   # before: blank, CER 100 %
    assert not negative.blank and negative.rotation == 0
    assert cer(truth, negative.text) <= cer(truth, upright.text) + 2, (cer(truth, negative.text),
                                                                         cer(truth, upright.text))
    turned = read(ImageOps.invert(page).rotate(90, expand=True), DPI, tmp_path, "negative-90")
    assert turned.text == negative.text


def test_only_negatives_are_turned_positive() -> None:
    page = scan_letter(3, "hi", random_spec(3, "clean", dpi=DPI), lines=6).image.convert("L")
    assert positive(page, DPI) is page                                # an ordinary page: the very same image
    assert not is_negative(framed(page, grey=20, pad=1.5), DPI)      # a sheet on a black lid: light, but solid
    rng = np.random.default_rng(5)                                    # a dark photo with light speckle and a blob
    photo = np.clip(rng.normal(60, 25, (900, 700)), 0, 255).astype(np.uint8)
    photo[300:500, 200:450] = 220
    assert not is_negative(Image.fromarray(photo, "L"), DPI)
    assert is_negative(ImageOps.invert(page), DPI)
    assert is_negative(ImageOps.invert(page).convert("1"), DPI)      # a bitonal negative too


def _on_dark_cover(page: Image.Image, seed: int) -> Image.Image:
    """Black print on a grey-brown file cover (paper 95) with 1 % of white dust specks of 2 px."""
    a = np.asarray(page, np.float32) / 255.0
    a = 15 + a * 80
    rng = np.random.default_rng(seed)
    ys, xs = rng.integers(0, a.shape[0] - 2, 4000), rng.integers(0, a.shape[1] - 2, 4000)
    for dy in (0, 1):
        for dx in (0, 1):
            a[ys + dy, xs + dx] = 235
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "L")


def test_a_dark_cover_with_dust_is_not_a_negative_but_a_negative_with_a_white_margin_is() -> None:
    page = scan_letter(3, "hi", random_spec(3, "clean", dpi=DPI), lines=6).image.convert("L")
    # black print on a dark card, white dust on it: inverted, it read blank (attack round: 6-20 % -> 100 % CER)
    assert not is_negative(_on_dark_cover(page, 1), DPI)
    negative = ImageOps.invert(page)
    # a negative smaller than the scanner's bed, or with a white border (its median and edges are light)
    assert is_negative(ImageOps.expand(negative, border=round(0.25 * DPI), fill=255), DPI)
    assert is_negative(ImageOps.expand(negative, border=round(0.05 * DPI), fill=240), DPI)
    # a faded negative: print only 50 grey levels above its background
    faded = Image.fromarray((60 + np.asarray(negative, np.float32) * 50 / 255).astype(np.uint8), "L")
    assert is_negative(faded, DPI)


def test_a_sixteen_bit_scan_reads_like_its_eight_bit_twin(tmp_path: Path) -> None:
    """An archival scanner's 16-bit greyscale page was clipped to white by Pillow's conversion and read blank."""
    from ocr.raster import image_page

    page = scan_letter(4, "hi", random_spec(4, "clean", dpi=DPI), lines=4).image.convert("L")
    wide = Image.fromarray(np.asarray(page, np.uint16) * 257)
    wide.save(tmp_path / "wide.png", dpi=(DPI, DPI))
    got, dpi = image_page(tmp_path / "wide.png", 0, max_pixels=10**8, default_dpi=300)
    assert dpi == DPI and got.mode == "L"
    assert np.abs(np.asarray(got, np.int16) - np.asarray(page, np.int16)).max() <= 1


def test_only_the_negative_part_of_a_page_is_inverted() -> None:
    page = scan_letter(3, "hi", random_spec(3, "clean", dpi=DPI), lines=6).image.convert("L")
    a = np.asarray(page).copy()
    cut = a.shape[0] * 6 // 10
    a[:cut] = 255 - a[:cut]                          # the top 60 % a negative, the rest an ordinary page
    got = np.asarray(positive(Image.fromarray(a, "L"), DPI))
    assert np.median(got[: cut - 20]) > 200 and np.median(got[cut + 20:]) > 200   # both now light paper
    bed = ImageOps.expand(ImageOps.invert(page), border=round(0.6 * DPI), fill=250)   # a negative on a white bed
    assert np.median(np.asarray(positive(bed, DPI))) > 200
