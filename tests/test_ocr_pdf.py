"""The searchable PDF with real tesseract and poppler: the text layer reads whole Hindi words in order, its word boxes
land on the words of turned and tilted scans, the scan is not re-encoded, and born-digital pages keep their text."""
from __future__ import annotations

import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PIL import Image

from nasti.samples import degrade, make_letter, render_page, save_document
from ocr.metrics import wer
from ocr.page import BORN_DIGITAL, PageResult, PageTask, process_page
from ocr.pdf import build_searchable

LETTER = make_letter(5151, "hi", lines=20)
TRUTH = "\n".join(LETTER.lines)
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


def ocr_pdf(source: Path, out: Path, *, mode: str = "skip") -> list[PageResult]:
    """Every page of `source` through the worker (two at a time), then the searchable PDF."""
    kind = "pdf" if source.suffix == ".pdf" else {".png": "png", ".tif": "tiff"}[source.suffix]
    n = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(source)], capture_output=True,
                                                         text=True).stdout).group(1)) if kind == "pdf" else 1
    tasks = [PageTask(source=source, kind=kind, index=i, languages="auto", dpi=300, timeout=120,
                      max_pixels=200_000_000, layer=out.with_name(f"{out.stem}-{i}.layer.pdf"), mode=mode)
             for i in range(n)]
    with ThreadPoolExecutor(2) as ex:
        results = list(ex.map(process_page, tasks))
    build_searchable(source, kind, [r.layer for r in results], out)
    return results


def pdftotext(pdf: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", *args, str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def word_boxes(pdf: Path) -> list[tuple[float, float, float, float, str]]:
    return [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in _WORD.findall(pdftotext(pdf, "-bbox"))]


def box_offsets(boxes: list, twin: list) -> list[float]:
    """Sorted: for each word, how far (pt) its box is from the same word's box on the twin page."""
    return sorted(max(abs(p - q) for p, q in zip(a[:4], b[:4], strict=True)) for a, b in zip(boxes, twin, strict=True))


def ink_under_boxes(pdf: Path, dpi: int = 72) -> float:
    """Share of word boxes (in the displayed page, /Rotate applied) that cover printed ink on the rendered page."""
    stem = pdf.with_name(pdf.stem + "-render")
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-singlefile", "-png", str(pdf), str(stem)], check=True)
    with Image.open(stem.with_name(stem.name + ".png")) as img:
        page = img.convert("L")
    hits, boxes = 0, word_boxes(pdf)
    for x0, y0, x1, y1, _ in boxes:
        crop = page.crop((int(x0), int(y0), max(int(x0) + 1, int(x1)), max(int(y0) + 1, int(y1))))
        dark = sum(1 for v in crop.tobytes() if v < 128)
        hits += dark >= 0.05 * crop.width * crop.height
    return hits / len(boxes)


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path], dict[str, PageResult]]:
    """One image PDF of the letter upright, turned 90 and 270 and 180, and tilted 2.5° (JPEG pages)."""
    tmp = tmp_path_factory.mktemp("pdf")
    page = render_page(LETTER.lines, lang="hi")
    pages = [page, degrade(page, rotate=90), degrade(page, rotate=270), degrade(page, rotate=180),
             degrade(page, skew=2.5, seed=1)]
    source = save_document(pages, tmp / "scan.pdf", "pdf")
    out = tmp / "scan.ocr.pdf"
    results = ocr_pdf(source, out)
    singles = {}
    for i, name in enumerate(["upright", "r90", "r270", "r180", "skew"]):
        singles[name] = tmp / f"{name}.pdf"
        subprocess.run(["qpdf", str(out), "--pages", ".", str(i + 1), "--", str(singles[name])], check=True)
    return out, singles, dict(zip(singles, results, strict=True))


def test_pdftotext_gives_hindi_words_whole(scans) -> None:
    _, singles, results = scans
    for name in ("upright", "r90", "r270", "r180", "skew"):
        layer, ocr = wer(TRUTH, pdftotext(singles[name])), wer(TRUTH, results[name].text)
        assert layer - ocr <= 2.0, f"{name}: pdftotext WER {layer:.1f} vs OCR text {ocr:.1f}"


def test_turned_pages_are_shown_upright_and_their_words_land_on_the_words(scans) -> None:
    _, singles, _ = scans
    upright = word_boxes(singles["upright"])
    for name in ("r90", "r270", "r180"):
        boxes = word_boxes(singles[name])
        same = sum(a[4] == b[4] for a, b in zip(boxes, upright, strict=False))
        assert len(boxes) == len(upright) and same >= 0.95 * len(upright), name
        off = box_offsets(boxes, upright)
        assert off[int(0.95 * len(off))] < 2.0 and off[-1] < 8.0, f"{name}: word boxes off by up to {off[-1]:.1f} pt"
    assert ink_under_boxes(singles["upright"]) > 0.95


def test_tilted_page_words_lie_on_its_ink(scans) -> None:
    _, singles, _ = scans
    assert ink_under_boxes(singles["skew"]) > 0.9


def test_the_scan_is_not_re_encoded_and_grows_only_by_the_text(scans) -> None:
    out, _, _ = scans
    source = out.with_name("scan.pdf")

    def images(pdf: Path) -> list[list[str]]:
        rows = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True).stdout.splitlines()
        return [r.split()[3:9] for r in rows[2:]]          # type, width, height, color, comp, bpc, enc

    assert images(out) == images(source)
    grown = out.stat().st_size - source.stat().st_size
    assert 0 < grown < 25_000 * 5, f"grew by {grown} bytes for 5 pages of text"


def test_g4_tiff_keeps_its_ccitt_image(tmp_path: Path) -> None:
    source = save_document([render_page(LETTER.lines, lang="hi")], tmp_path / "g4.tif", "tiff-g4")
    out = tmp_path / "g4.ocr.pdf"
    [r] = ocr_pdf(source, out)
    listing = subprocess.run(["pdfimages", "-list", str(out)], capture_output=True, text=True).stdout
    assert " ccitt " in listing, listing
    assert wer(TRUTH, pdftotext(out)) - wer(TRUTH, r.text) <= 2.0


def test_born_digital_pages_keep_their_text_unless_redo(scans, tmp_path: Path) -> None:
    searchable, _, results = scans
    born = tmp_path / "born.pdf"
    subprocess.run(["qpdf", str(searchable), "--pages", ".", "1", "--", str(born)], check=True)
    again = tmp_path / "again.pdf"
    [skipped] = ocr_pdf(born, again, mode="skip")
    assert skipped.language == BORN_DIGITAL and skipped.layer is None
    assert wer(TRUTH, skipped.text) <= wer(TRUTH, results["upright"].text) + 2.0
    assert again.stat().st_size - born.stat().st_size < 2_000, "no second text layer"
    [redone] = ocr_pdf(born, tmp_path / "redo.pdf", mode="redo")
    assert redone.language == "Devanagari" and redone.layer is not None


def test_a_page_with_its_own_rotate_gets_its_layer_in_the_right_place(scans, tmp_path: Path) -> None:
    """A scanner that stores a sideways page with /Rotate 90 (so viewers show it upright): nasti reads it upright,
    leaves the /Rotate alone, and the words land where the upright twin's do."""
    import pikepdf

    _, singles, _ = scans
    source = tmp_path / "rotated-by-flag.pdf"
    save_document([degrade(render_page(LETTER.lines, lang="hi"), rotate=90)], source, "pdf")
    with pikepdf.open(source, allow_overwriting_input=True) as pdf:
        pdf.pages[0].Rotate = 90
        pdf.save(source)
    out = tmp_path / "rotated-by-flag.ocr.pdf"
    [r] = ocr_pdf(source, out)
    assert r.rotation == 0
    with pikepdf.open(out) as pdf:
        assert int(pdf.pages[0].Rotate) == 90
    boxes, upright = word_boxes(out), word_boxes(singles["upright"])
    assert len(boxes) == len(upright)
    off = box_offsets(boxes, upright)
    assert off[int(0.95 * len(off))] < 2.0


def test_a_page_with_a_long_content_stream_is_left_to_poppler_unparsed(tmp_path: Path) -> None:
    """A scanned page draws its image in ~50 bytes; a page whose content stream is megabytes long (a hostile file)
    is not parsed op by op to find out (ocr.pdfimage.MAX_CONTENT)."""
    import io

    import pikepdf
    from PIL import Image

    from ocr.pdfimage import scanned_page

    buf = io.BytesIO()
    Image.new("L", (850, 1100), 255).save(buf, "PDF", resolution=100)
    pdf = pikepdf.open(io.BytesIO(buf.getvalue()))
    assert scanned_page(_saved(pdf, tmp_path / "scan.pdf"), 0, 10**8, (50, 1200)) is not None
    page = pdf.pages[0]
    page.obj.Contents = pdf.make_stream(b"q Q\n" * 500_000 + page.obj.Contents.read_bytes())
    assert scanned_page(_saved(pdf, tmp_path / "long.pdf"), 0, 10**8, (50, 1200)) is None


def _saved(pdf, path: Path) -> Path:  # type: ignore[no-untyped-def]
    pdf.save(path)
    return path


def test_a_pillow_pdf_saved_at_72_dpi_is_read_at_its_pixels_dpi(tmp_path: Path) -> None:
    """Pillow writes a page box of one point per pixel unless told the resolution: an A4 scan at 300 dpi became a
    34-inch sheet 'at 72 dpi', was enlarged 4.17 times (605 MP, 3.5 GB, 102 s) and reported sideways."""
    from PIL import Image

    from ocr import raster
    from ocr.pdfimage import scanned_page

    path = tmp_path / "pillow.pdf"
    Image.new("L", (2480, 3508), 255).save(path, "PDF")          # no resolution given: 72 dpi page box
    got = scanned_page(path, 0, 10**9, (raster.MIN_DPI, raster.MAX_DPI))
    assert got is not None and got[1] == 300
    big = Image.new("L", (2480, 3508), 255)
    assert raster.upscale(big, 72)[0].size == big.size              # never enlarged past MAX_UPSCALED
