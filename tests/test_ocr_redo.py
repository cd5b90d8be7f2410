"""`[ocr] mode`: redo replaces a page's earlier (invisible) text layer with the new one; force keeps it and adds the
new one. One real OCR of a Hindi scan; the second pass re-uses its layer, so the difference is the PDF's alone."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pikepdf

from nasti.samples import make_letter, render_page, save_document
from ocr.metrics import wer
from ocr.page import PageTask, process_page
from ocr.pdf import build_searchable

LETTER = make_letter(4242, "hi", lines=8)
TRUTH = "\n".join(LETTER.lines)


def shown_strings(pdf: Path) -> int:
    """How many text-showing operators the first page draws, in its content and in the forms it draws."""
    with pikepdf.open(pdf) as doc:
        page = pikepdf.Page(doc.pages[0])
        streams = [page] + [x for _, x in page.resources.get("/XObject", {}).items()
                            if x.get("/Subtype") == "/Form"]
        return sum(str(op) in ("Tj", "TJ", "'", '"') for st in streams for _, op in pikepdf.parse_content_stream(st))


def images(pdf: Path) -> list[bytes]:
    with pikepdf.open(pdf) as doc:
        xobjects = pikepdf.Page(doc.pages[0]).resources.get("/XObject", {})
        return [bytes(x.read_raw_bytes()) for _, x in xobjects.items() if x.get("/Subtype") == "/Image"]


def text_of(pdf: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def test_redo_replaces_the_old_text_layer_and_force_adds_one(tmp_path: Path) -> None:
    scan = save_document([render_page(LETTER.lines, lang="hi")], tmp_path / "scan.pdf", "pdf")
    layer = tmp_path / "layer.pdf"
    read = process_page(PageTask(source=scan, kind="pdf", index=0, languages="Devanagari", dpi=300, timeout=120,
                                 max_pixels=200_000_000, layer=layer, mode="force"))
    searchable = tmp_path / "once.pdf"   # what an office gets back from a scanner with OCR, or from nasti itself
    build_searchable(scan, "pdf", [read.layer], searchable)
    once = text_of(searchable)
    assert wer(TRUTH, once) <= wer(TRUTH, read.text) + 2.0

    redone, forced = tmp_path / "redo.pdf", tmp_path / "force.pdf"
    build_searchable(searchable, "pdf", [layer], redone, replace_text=True)
    build_searchable(searchable, "pdf", [layer], forced)
    layer_strings = shown_strings(searchable)
    assert layer_strings > 10
    assert shown_strings(redone) == layer_strings          # one text layer: the new one
    assert shown_strings(forced) == 2 * layer_strings      # the old layer and the new one
    assert text_of(redone).split() == once.split()
    assert images(redone) == images(searchable)   # the scan itself untouched
    assert text_of(scan).strip() == ""  # the original was never written to
