"""Pages as legacy office scans really look — yellowed, unevenly lit paper, the back's text showing through, dark
scanner-lid strips along the edges, punch holes, toner specks, stamps and signatures — read with real tesseract.

The probe must still find which way is up and how far the page is tilted (a lid strip is straighter and darker than
any line of text), and levelling a tinted page must not make tesseract read the paper instead of the ink."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import Image

from nasti.samples.scanlike import Scan, random_spec, scan_letter
from ocr.metrics import cer
from ocr.page import PageTask, process_page
from ocr.probe import probe

_TURN = {90: Image.Transpose.ROTATE_90, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_270}
# hard and office scans with lid strips (and some with punch holes): each of these turned an earlier probe sideways
# or upside down, or hid its skew
HARD = [(502, "hard"), (505, "hard"), (508, "hard"), (517, "hard"), (525, "office"), (534, "office")]


@pytest.mark.parametrize(("seed", "level"), HARD)
def test_probe_finds_up_and_skew_despite_lid_strips_and_holes(seed: int, level: str) -> None:
    spec = random_spec(seed, level)
    assert spec.border, "these pages are chosen for their dark scanner-lid strips"
    lang = "mixed" if (seed - 500) % 7 == 3 else "en" if (seed - 500) % 11 == 5 else "hi"
    page = scan_letter(seed, lang, spec).image
    for turn in (0, 90, 180, 270):
        look = probe(page.transpose(_TURN[turn]) if turn else page, spec.dpi)
        assert not look.blank
        assert look.turn == (360 - turn) % 360, f"turned {turn}°: probe says turn {look.turn}°"
        if turn == 0:
            assert abs(look.deskew + spec.skew) <= 0.45, f"tilted {spec.skew:+.2f}°, probe levels by {look.deskew}°"


def _bare_hin(path: Path, dpi: int) -> str:
    out = subprocess.run(["tesseract", str(path), "stdout", "-l", "hin", "--dpi", str(dpi)], capture_output=True,
                         check=True, env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"})
    return out.stdout.decode("utf-8")


def test_tinted_tilted_page_with_show_through_reads_better_than_bare_hin(tmp_path: Path) -> None:
    """Yellowed paper, a darker corner, the back showing through, tilted 0.7°: levelled on white fill, tesseract's
    global threshold once fell between light and dark paper and read the show-through (81 % CER)."""
    spec = Scan(dpi=300, paper=222, ink=85, gradient=0.25, blur=0.48, show_through=0.137, noise=1.75, jpeg=57,
                skew=-0.73, stamp="rect", tick=True)
    page = scan_letter(504, "hi", spec)
    src = page.save(tmp_path / "scan.jpg")
    truth = "\n".join(page.lines)
    result = process_page(PageTask(source=src, kind="jpeg", index=0, languages="Devanagari", dpi=300, timeout=300,
                                   max_pixels=200_000_000, layer=tmp_path / "layer.pdf"))
    ours, theirs = cer(truth, result.text), cer(truth, _bare_hin(src, 300))
    assert result.skew == pytest.approx(0.73, abs=0.3)
    assert ours <= 20.0, f"CER {ours:.1f} % (bare hin {theirs:.1f} %)"
    assert ours <= 0.95 * theirs, f"nasti {ours:.1f} % vs bare hin {theirs:.1f} %"
