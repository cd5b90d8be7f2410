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
