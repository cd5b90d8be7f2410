"""ocr.poppler: the one wrapper around poppler's programs — versions, page counts, rendering, text, and its errors."""
from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from ocr import poppler
from ocr.errors import EngineMissing, OcrError


def _pdf(path: Path, pages: int = 2) -> Path:
    images = []
    for n in range(pages):
        im = Image.new("L", (850, 1100), 255)
        ImageDraw.Draw(im).rectangle((100, 100 + 50 * n, 700, 160 + 50 * n), fill=0)
        images.append(im)
    images[0].save(path, save_all=True, append_images=images[1:], resolution=100)
    return path


def test_versions_page_count_render_and_text(tmp_path: Path) -> None:
    for tool in poppler.TOOLS:
        assert poppler.version(tool)[0].isdigit()
    poppler.check()
    pdf = _pdf(tmp_path / "two.pdf")
    assert poppler.page_count(pdf, timeout=30) == 2
    page = poppler.render(pdf, 1, dpi=50, timeout=30)
    assert page.size == (425, 550)
    assert poppler.text(pdf, 0, timeout=30).strip() == ""          # a scan carries no text of its own
    assert "<page" in poppler.text(pdf, 0, timeout=30, bbox=True)


def test_a_damaged_pdf_is_corrupt_pdf(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\n")          # no pages, no trailer
    with pytest.raises(OcrError) as e:
        poppler.page_count(bad, timeout=30)
    assert e.value.code == "corrupt_pdf"


def test_no_poppler_is_an_installation_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))                    # a machine without poppler-utils
    poppler.version.cache_clear()
    try:
        with pytest.raises(EngineMissing, match="apt-get install poppler-utils"):
            poppler.check()
        with pytest.raises(EngineMissing):
            poppler.page_count(_pdf(tmp_path / "x.pdf", 1), timeout=30)
    finally:
        poppler.version.cache_clear()
