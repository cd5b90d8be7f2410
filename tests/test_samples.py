"""nasti.samples: deterministic letters with ground truth, pages, degradations and the files clerks drop."""
from __future__ import annotations

import unicodedata
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageFilter, ImageOps

from nasti.samples import (
    FORMATS,
    HAS_RAQM,
    LANGS,
    blank_page,
    degrade,
    demo_share,
    make_letter,
    page_size,
    render_letter,
    render_page,
    save_document,
    stamp_page,
    to_devanagari_digits,
)

DEVA_DIGITS = set("०१२३४५६७८९")
A4_PT = (595.28, 841.89)


def _ink_bbox(
    img: Image.Image, *, border_mm: float = 0.0, dpi: int = 300, median: int = 5
) -> tuple[int, int, int, int] | None:
    """Bounding box of dark marks bigger than scanner dust (a median filter removes isolated specks)."""
    gray = img.convert("L")
    b = round(border_mm / 25.4 * dpi)
    if b:
        gray = gray.crop((b, b, gray.width - b, gray.height - b))
    dark = gray.point(lambda v: 255 if v < 128 else 0).filter(ImageFilter.MedianFilter(median))
    box = dark.getbbox()
    return None if box is None else (box[0] + b, box[1] + b, box[2] + b, box[3] + b)


def test_raqm_is_available() -> None:
    assert HAS_RAQM, "Pillow lacks raqm: Devanagari would be drawn without shaping (apt-get install libraqm0)"


@pytest.mark.parametrize("lang", LANGS)
def test_letter_is_deterministic_for_a_seed(lang: str) -> None:
    a, b = make_letter(7, lang), make_letter(7, lang)
    assert a == b
    assert make_letter(8, lang).lines != a.lines
    assert render_page(a.lines, dpi=100, lang=lang).tobytes() == render_page(b.lines, dpi=100, lang=lang).tobytes()


def test_degradations_are_deterministic() -> None:
    page = render_page(make_letter(3).lines, dpi=100)
    one = degrade(page, skew=2.0, noise=0.01, seed=5)
    assert one.tobytes() == degrade(page, skew=2.0, noise=0.01, seed=5).tobytes()
    assert one.tobytes() != degrade(page, skew=2.0, noise=0.01, seed=6).tobytes()
    assert blank_page(dpi=100, noise=0.01, seed=2).tobytes() == blank_page(dpi=100, noise=0.01, seed=2).tobytes()
    assert stamp_page(dpi=100, seed=2).tobytes() == stamp_page(dpi=100, seed=2).tobytes()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("seed", range(12))
def test_ground_truth_fields(lang: str, seed: int) -> None:
    letter = make_letter(seed, lang)
    assert letter.lang == lang and not letter.devanagari_digits
    assert len(letter.lines) >= 12
    assert all(s == unicodedata.normalize("NFC", s) and s == s.strip() and s for s in letter.lines)
    assert letter.file_number and any(letter.file_number in s for s in letter.lines)
    assert letter.date is not None and any(letter.date.strftime("%Y") in s for s in letter.lines)
    assert letter.subject and letter.subject.split()[0] in "\n".join(letter.lines)
    assert len(letter.align) == len(letter.lines)


@pytest.mark.parametrize("lang", ["hi", "mixed"])
@pytest.mark.parametrize("seed", range(12))
def test_devanagari_digits_are_printed_and_folded(lang: str, seed: int) -> None:
    letter = make_letter(seed, lang, devanagari_digits=True)
    assert letter.devanagari_digits
    assert not DEVA_DIGITS & set(letter.file_number or "")
    assert any(to_devanagari_digits(letter.file_number or "") in s for s in letter.lines)
    text = "".join(letter.lines)
    assert not any(c.isascii() and c.isdigit() for c in text)
    assert DEVA_DIGITS & set(text)


def test_file_numbers_often_carry_the_digit_one() -> None:
    numbers = [make_letter(seed, lang).file_number or "" for seed in range(40) for lang in LANGS]
    assert sum("1" in n for n in numbers) >= 0.6 * len(numbers)
    assert len(set(numbers)) > 0.9 * len(numbers)


def test_forced_file_number_and_length() -> None:
    letter = make_letter(3, "hi", file_number="REV-03/2027/2019-COLL", lines=40)
    assert letter.file_number == "REV-03/2027/2019-COLL"
    assert any("REV-03/2027/2019-COLL" in s for s in letter.lines)
    assert letter.date is not None and letter.date.year == 2019
    assert len(letter.lines) == 40


def test_page_is_a4_and_text_stays_inside_the_margins() -> None:
    letter = make_letter(11, "mixed", lines=30)
    page = render_page(letter.lines, lang="mixed", align=letter.align)
    assert page.mode == "L" and page.size == page_size(300) == (2480, 3508)
    margin = round(25 / 25.4 * 300)
    box = _ink_bbox(page)
    assert box is not None
    assert box[0] >= margin - 5 and box[2] <= 2480 - margin + 5 and box[1] >= margin - 20
    long_line = " ".join(["कार्यालय"] * 25)  # too wide: the page shrinks the font, it never cuts the text
    box = _ink_bbox(render_page([long_line], dpi=200), dpi=200, median=3)
    assert box is not None and box[2] <= page_size(200)[0] - round(25 / 25.4 * 200) + 3


def test_long_letter_spans_pages() -> None:
    letter = make_letter(2, "hi", lines=50)
    pages = render_letter(letter, dpi=100)
    assert len(pages) == 2


def test_degrade_rotates_with_expand() -> None:
    page = render_page(["क्रमांक/378/राज./2017"], dpi=100)
    assert degrade(page, rotate=90).size == (page.height, page.width)
    assert degrade(page, rotate=180).size == page.size
    assert degrade(page, skew=3.0).size == page.size
    with pytest.raises(ValueError):
        degrade(page, rotate=45)


def test_blank_page_has_no_marks_but_stamp_page_does() -> None:
    assert blank_page().getextrema() == (255, 255)
    dpi = 150
    for seed in range(3):
        assert _ink_bbox(blank_page(dpi=dpi, noise=0.01, seed=seed), border_mm=10, dpi=dpi) is None
        box = _ink_bbox(stamp_page(dpi=dpi, seed=seed), border_mm=10, dpi=dpi)
        assert box is not None
        assert box[2] - box[0] > 25 / 25.4 * dpi and box[3] - box[1] > 25 / 25.4 * dpi  # a seal of 30 mm or so


@pytest.mark.parametrize("fmt", FORMATS)
def test_save_document_round_trips_pages_and_dpi(fmt: str, tmp_path: Path) -> None:
    dpi = 100
    page = render_page(make_letter(1).lines, dpi=dpi)
    pages = [page] if fmt in ("png", "jpeg") else [page, degrade(page, rotate=90), blank_page(dpi=dpi)]
    path = save_document(pages, tmp_path / f"doc.{fmt}", fmt, dpi=dpi)
    assert path.is_file()
    if fmt == "pdf":
        with pikepdf.open(path) as pdf:
            assert len(pdf.pages) == 3
            box = [float(v) for v in pdf.pages[0].MediaBox]
            assert abs(box[2] - box[0] - A4_PT[0]) < 2 and abs(box[3] - box[1] - A4_PT[1]) < 2
            box = [float(v) for v in pdf.pages[1].MediaBox]  # the sideways page is landscape
            assert abs(box[2] - box[0] - A4_PT[1]) < 2
        return
    with Image.open(path) as img:
        assert getattr(img, "n_frames", 1) == len(pages)
        for i in range(len(pages)):
            img.seek(i)
            assert tuple(round(float(v)) for v in img.info["dpi"]) == (dpi, dpi)
            if fmt == "tiff-g4":
                assert img.mode == "1" and img.info["compression"] == "group4"
            if fmt == "tiff":
                assert img.info["compression"] == "tiff_lzw"
        img.seek(0)
        assert img.size == page.size


@pytest.mark.parametrize("fmt", ["png", "jpeg"])
def test_single_page_formats_refuse_many_pages(fmt: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        save_document([blank_page(dpi=50)] * 2, tmp_path / "x", fmt, dpi=50)


def test_demo_share(tmp_path: Path) -> None:
    files = demo_share(tmp_path)
    assert len(files) == 6
    assert {p.parent.name for p, _ in files} == {"revenue", "establishment"}
    names = [p.name for p, _ in files]
    assert all(n == unicodedata.normalize("NFC", n) for n in names)
    assert "नामांतरण आदेश.png" in names
    by_name = {p.name: letter for p, letter in files}
    assert by_name["REV-03_2027_2019-COLL.pdf"].file_number == "REV-03/2027/2019-COLL"
    assert {letter.lang for letter in by_name.values()} == set(LANGS)
    assert any(letter.devanagari_digits for letter in by_name.values())
    with pikepdf.open(tmp_path / "revenue" / "सीमांकन प्रतिवेदन.pdf") as pdf:
        assert len(pdf.pages) == 2
    with Image.open(tmp_path / "establishment" / "ई-ऑफिस प्रशिक्षण.tif") as img:
        assert img.n_frames == 3
    with Image.open(tmp_path / "establishment" / "transfer order.jpg") as img:
        assert img.format == "JPEG" and ImageOps.exif_transpose(img).size == page_size(300)
