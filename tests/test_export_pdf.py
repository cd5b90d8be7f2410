"""Upload pages without OCR: images resampled in place (G4 / JPEG / kept), the page itself untouched, volumes cut
under the cap with running page numbers and blank backs left out."""
from __future__ import annotations

import io
import random
from itertools import pairwise
from pathlib import Path

import img2pdf
import pikepdf
from PIL import Image, ImageDraw

from export.reencode import recode_page
from export.select import DocPages
from export.volumes import write_part

CAP = 9_000


def _photo(seed: int) -> Image.Image:
    rng = random.Random(seed)
    img = Image.linear_gradient("L").resize((1240, 1754))   # A6 at 300 dpi
    draw = ImageDraw.Draw(img)
    for _ in range(150):
        x, y = rng.randrange(1200), rng.randrange(1700)
        draw.ellipse((x, y, x + 80, y + 80), fill=rng.randrange(256))
    return img


def _printed(seed: int, dpi: int = 300) -> Image.Image:
    rng = random.Random(seed)
    w, h = round(4.13 * dpi), round(5.83 * dpi)   # A6
    img = Image.new("L", (w, h), 255)
    draw = ImageDraw.Draw(img)
    for row in range(20):
        for col in range(15):
            if rng.random() < 0.7:
                x, y = 60 + col * (w - 120) // 15, 75 + row * (h - 150) // 20
                draw.rectangle((x, y, x + w // 45, y + h // 120), fill=0)
    return img


def _pdf(path: Path, images: list[tuple[Image.Image, int]]) -> Path:
    blobs = []
    for img, dpi in images:
        buf = io.BytesIO()
        img.save(buf, "PNG", dpi=(dpi, dpi))
        blobs.append(buf.getvalue())
    path.write_bytes(img2pdf.convert(blobs, nodate=True))
    return path


def _dpi(page: pikepdf.Page) -> tuple[str, float]:
    obj = next(iter(page.resources.XObject.values()))
    return str(obj.Filter), int(obj.Width) / (float(page.mediabox[2]) / 72)


def test_images_are_resampled_in_place(tmp_path: Path) -> None:
    src = _pdf(tmp_path / "a.pdf", [(_photo(1), 300), (_printed(2), 300), (_printed(3, 150), 150),
                                    (_printed(4), 300)])
    with pikepdf.open(src) as pdf:
        boxes = [list(p.mediabox) for p in pdf.pages]
        contents = [p.Contents.read_bytes() for p in pdf.pages]
        results = [recode_page(pikepdf.Page(p), dpi=200, handwritten=i == 3) for i, p in enumerate(pdf.pages)]
        got = [_dpi(pikepdf.Page(p)) for p in pdf.pages]
        assert [list(p.mediabox) for p in pdf.pages] == boxes                 # the page is where it was
        assert [p.Contents.read_bytes() for p in pdf.pages] == contents      # and draws the same
    assert got[0][0] == "/DCTDecode" and round(got[0][1]) == 200          # a photograph: greyscale JPEG
    assert got[1][0] == "/CCITTFaxDecode" and round(got[1][1]) == 200     # printed black and white: G4
    assert got[2][0] == "/FlateDecode" and round(got[2][1]) == 150        # already coarse enough: kept
    assert got[3][0] == "/DCTDecode"                                        # a handwritten page stays grey
    assert [r.images for r in results] == [1, 1, 0, 1] and results[2].kept == 1
    assert (tmp_path / "a.pdf").read_bytes() == src.read_bytes()


def test_volumes_under_a_cap_with_running_page_numbers(tmp_path: Path) -> None:
    _pdf(tmp_path / "a.pdf", [(_printed(i), 300) for i in range(3)])
    _pdf(tmp_path / "b.pdf", [(_printed(i + 10), 300) for i in range(3)])
    docs = [DocPages(id=2, source="revenue/f/b.pdf", part="receipts", sequence=2, pdf_path="b.pdf", pages=3,
                     blank=frozenset({2}), handwritten=frozenset(), done_at=None, exported_as=None),
            DocPages(id=1, source="revenue/f/a.pdf", part="receipts", sequence=1, pdf_path="a.pdf", pages=3,
                     blank=frozenset(), handwritten=frozenset(), done_at=None, exported_as=None)]
    docs.sort(key=DocPages.order)
    (tmp_path / "out").mkdir()
    vols = write_part(docs, tmp_path, tmp_path / "out", prefix="receipts", title="fl-x Receipts", cap_bytes=CAP,
                      dpi=200)
    assert len(vols) > 1 and all(v.size <= CAP for v in vols)
    assert vols[0].first == 1 and vols[-1].last == 5                       # 6 pages, one blank back left out
    assert all(v.first == w.last + 1 for w, v in pairwise(vols))
    assert vols[0].documents[0] == 1                                         # in sequence order
    for v in vols:
        with pikepdf.open(tmp_path / "out" / v.name) as pdf:
            assert len(pdf.pages) == v.last - v.first + 1
            assert int(pdf.Root.PageLabels.Nums[1].St) == v.first
            assert "/CreationDate" not in pdf.docinfo and "/ModDate" not in pdf.docinfo
