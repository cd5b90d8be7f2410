"""A faded page is read, not called blank; a blank back with the other side showing through stays blank (ocr.faint).

A faded receipt whose strokes were 75-80 % of its paper's grey was once called blank by the probe and its text lost,
while bare `tesseract -l eng` read it at 2 % CER."""
from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageChops, ImageFilter, ImageOps

from nasti.samples import make_letter, render_page
from ocr.metrics import cer
from ocr.page import PageTask, process_page
from ocr.probe import probe

EN = ["OFFICE OF THE COLLECTOR, DISTRICT RAJGARH (M.P.)", "Bill No. 1637/2022    Date: 01/07/2021",
      "Received the sum of Rupees two thousand only", "towards stationery and photocopy charges.",
      "GSTIN: 23HHPG7219M1Z4", "Authorised signatory"]


def faded(page: Image.Image, *, strength: float, paper: int = 226, noise: float = 6.0, seed: int = 0) -> Image.Image:
    """The page as a pale copy: ink only `strength` of the way from the paper to black, sensor noise, a soft blur."""
    a = np.asarray(page.convert("L"), dtype=np.float32)
    a = paper - (255 - a) / 255 * paper * strength
    a += np.random.default_rng(seed).normal(0, noise, a.shape)
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.8))


def read(img: Image.Image, tmp: Path, name: str, languages: str = "Devanagari"):  # type: ignore[no-untyped-def]
    path = tmp / f"{name}.png"
    img.save(path, dpi=(300, 300))
    return process_page(PageTask(source=path, kind="png", index=0, languages=languages, dpi=300, timeout=120,
                                 max_pixels=200_000_000, layer=tmp / f"{name}.pdf")), path


def bare(path: Path, model: str) -> str:
    return subprocess.run(["tesseract", str(path), "-", "-l", model], capture_output=True, text=True,
                          timeout=120, env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"}).stdout


@pytest.mark.parametrize("lang,strength,turn", [("hi", 0.22, 0), ("en", 0.25, 180), ("hi", 0.3, 90)])
def test_a_faded_page_is_read_like_bare_tesseract_reads_it(tmp_path: Path, lang: str, strength: float,
                                                           turn: int) -> None:
    lines = make_letter(913, "hi", lines=10).lines if lang == "hi" else EN
    truth = "\n".join(lines)
    page = faded(render_page(lines, lang=lang), strength=strength, seed=turn)
    seen = probe(page, 300)   # as faint as the page that was lost: nothing, or a few words' worth, seen
    assert seen.blank or seen.words < 12, seen
    r, _ = read(page.rotate(turn, expand=True), tmp_path, f"{lang}{turn}")
    assert not r.blank and r.rotation == turn   # turned counter-clockwise, read after a clockwise turn back
    upright = tmp_path / "upright.png"
    page.save(upright, dpi=(300, 300))
    model = "Devanagari" if lang == "hi" else "eng"
    assert cer(truth, r.text) <= cer(truth, bare(upright, model)) + 2.0, r.text


@pytest.mark.parametrize("strength", [0.1, 0.2, 0.3])
def test_a_blank_back_with_the_other_side_showing_through_stays_blank(tmp_path: Path, strength: float) -> None:
    front = render_page(make_letter(77, "hi", lines=20).lines, lang="hi")
    ghost = ImageOps.mirror(front).point(lambda v: round(255 - strength * (255 - v)))
    ghost = ghost.filter(ImageFilter.GaussianBlur(2.5))
    back = ImageChops.multiply(Image.new("L", front.size, 215), ghost)
    noisy = np.asarray(back, dtype=np.float32) + np.random.default_rng(1).normal(0, 3, back.size[::-1])
    r, _ = read(Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)), tmp_path, "back")
    assert (r.blank, r.text, r.layer) == (True, "", None)
