"""The resident tesseract (libtesseract kept loaded in each worker) against the `tesseract` program, with real
tesseract: the same page gives the same reading and a working text layer; a worker keeps its engine between pages;
the page time-out still holds; and the program takes over when no library loads or it is turned off."""
from __future__ import annotations

import csv
import io
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
from PIL import Image
from rapidfuzz.distance import Levenshtein

from nasti.samples import make_letter, render_page
from ocr import resident, tesseract
from ocr.errors import PageTimeout
from ocr.metrics import cer, normalise
from ocr.pool import OcrPool
from ocr.textlayer import orient_layer

LETTER = make_letter(5151, "hi", lines=14)
TRUTH = "\n".join(LETTER.lines)
LIBRARIES = [k for k in ("system", "wheel") if resident._load(k) is not None]


@pytest.fixture(scope="module")
def page() -> Image.Image:
    return render_page(LETTER.lines, lang="hi")


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Set NASTI_OCR_ENGINE for one test; engines loaded under it are ended afterwards."""
    yield monkeypatch
    resident.unload()


def _read(engine: pytest.MonkeyPatch, kind: str, image: Image.Image, **kw: object) -> tesseract.TesseractResult:
    engine.setenv(resident.ENGINE_ENV, kind)
    args: dict = {"dpi": 300, "timeout": 120} | kw
    return tesseract.recognise(image, "Devanagari", **args)


def _pdftotext(layer: bytes, tmp: Path) -> str:
    out = tmp / "layer.pdf"
    orient_layer(layer, out, width=595.3, height=841.9, turn_ccw=0, deskew=0.0)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(out), "-"], capture_output=True, check=True,
                          text=True).stdout


def test_at_least_one_library_loads_here() -> None:
    assert LIBRARIES, "neither tesserocr's libtesseract nor the system's libtesseract.so.5 could be loaded"


@pytest.mark.parametrize("kind", LIBRARIES)
def test_the_resident_engine_reads_a_hindi_page_as_the_program_does(engine: pytest.MonkeyPatch, kind: str,
                                                                    page: Image.Image, tmp_path: Path) -> None:
    program = _read(engine, "cli", page)
    ours = _read(engine, kind, page)
    assert resident.library() is not None and resident.library().kind == kind  # type: ignore[union-attr]
    assert "libtesseract" in tesseract.engine()
    assert cer(TRUTH, program.text) < 3 and cer(TRUTH, ours.text) < 3
    if kind == "system":   # the very library the program runs on: the very same reading
        assert (ours.text, ours.confidence, ours.words) == (program.text, program.confidence, program.words)
    else:                  # a newer libtesseract: the same reading within a few characters
        assert Levenshtein.normalized_distance(normalise(ours.text), normalise(program.text)) < 0.02
        assert abs((ours.confidence or 0) - (program.confidence or 0)) < 3
    # the text-only PDF is whole (catalogue, font, trailer) and as large as the page the program describes
    with pikepdf.open(io.BytesIO(ours.pdf)) as a, pikepdf.open(io.BytesIO(program.pdf)) as b:
        assert [round(float(v)) for v in a.pages[0].mediabox] == [round(float(v)) for v in b.pages[0].mediabox]
    layer = _pdftotext(ours.pdf, tmp_path)
    assert cer(TRUTH, layer) < 5, layer[:300]


@pytest.mark.parametrize("kind", LIBRARIES)
def test_a_page_time_out_still_holds(engine: pytest.MonkeyPatch, kind: str, page: Image.Image) -> None:
    _read(engine, kind, page)   # the model is loaded: what follows is the page alone
    started = time.monotonic()
    with pytest.raises(PageTimeout):
        _read(engine, kind, page, timeout=0.05)
    assert time.monotonic() - started < 0.05 + resident.GRACE
    assert cer(TRUTH, _read(engine, kind, page).text) < 3, "the engine reads again after a time-out"


@pytest.mark.parametrize("kind", ["cli", *LIBRARIES])
def test_a_short_read_gives_tesseracts_words_without_a_layer(engine: pytest.MonkeyPatch, kind: str,
                                                             page: Image.Image) -> None:
    engine.setenv(resident.ENGINE_ENV, kind)
    band = page.crop((0, page.height // 8, page.width, page.height // 3))
    rows = list(csv.DictReader(io.StringIO(tesseract.tsv_text(band, "Devanagari", dpi=300, timeout=60)),
                               delimiter="\t", quoting=csv.QUOTE_NONE))
    words = [r["text"] for r in rows if r["level"] == "5" and (r["text"] or "").strip()]
    assert len(words) >= 10 and all(float(r["conf"]) >= 0 for r in rows if r["level"] == "5")
    assert any(w in " ".join(LETTER.lines) for w in words if len(w) > 3)


def test_turned_off_it_is_the_program(engine: pytest.MonkeyPatch, page: Image.Image) -> None:
    engine.setenv(resident.ENGINE_ENV, "cli")
    assert resident.library() is None
    assert tesseract.engine().startswith("tesseract program")
    assert cer(TRUTH, tesseract.recognise(page, "Devanagari", dpi=300, timeout=120).text) < 3
    assert resident.loaded() == []


def test_when_no_library_loads_the_program_reads_the_page(engine: pytest.MonkeyPatch, page: Image.Image,
                                                          tmp_path: Path) -> None:
    # a library that cannot be loaded (a broken wheel, no libtesseract5): injected, as it cannot be made here
    broken = tmp_path / "libtesseract-broken.so.5"
    broken.write_bytes(b"not a shared object")
    engine.setattr(resident, "_wheel_path", lambda: broken)
    engine.setattr(resident, "_system_path", lambda: str(broken))
    resident._load.cache_clear()
    try:
        engine.delenv(resident.ENGINE_ENV, raising=False)
        assert resident.library() is None
        assert tesseract.engine().startswith("tesseract program")
        assert cer(TRUTH, tesseract.recognise(page, "Devanagari", dpi=300, timeout=120).text) < 3
    finally:
        resident._load.cache_clear()


def _page_in_worker(image: Image.Image) -> tuple[float, list[tuple[str, int]], str | None]:
    started = time.process_time()
    tesseract.recognise(image, "Devanagari", dpi=300, timeout=120)
    return time.process_time() - started, resident.loaded(), os.environ.get("OMP_THREAD_LIMIT")


def test_a_pool_worker_keeps_its_engine_between_pages(page: Image.Image) -> None:
    small = page.crop((0, 0, page.width, page.height // 3))
    with OcrPool(1) as pool:
        first = pool.submit(_page_in_worker, small).result(timeout=120)
        second = pool.submit(_page_in_worker, small).result(timeout=120)
    if LIBRARIES:
        assert first[1] == second[1] == [("Devanagari", 3)]
        assert second[0] < first[0], "the second page must not load the model again"
    assert first[2] == second[2] == "1"


@pytest.mark.parametrize("kind", LIBRARIES)
def test_digits_are_checked_symbol_by_symbol_by_the_resident_engine(engine: pytest.MonkeyPatch, kind: str,
                                                                   page: Image.Image) -> None:
    """ocr.symbols reads each doubtful number alone: by the worker's engine, with the program's symbols and
    confidences (the system library is the program's: the very same; the wheel's within a few points)."""
    from ocr import symbols

    band = page.crop((0, 0, page.width, page.height // 3))
    words = [r for r in csv.DictReader(io.StringIO(tesseract.tsv_text(band, "Devanagari", dpi=300, timeout=60)),
                                       delimiter="\t", quoting=csv.QUOTE_NONE)
             if r["level"] == "5" and any(ch.isdigit() for ch in r["text"] or "")]
    assert words, "the letter's head has its file number and date"
    crops = [band.crop((int(r["left"]) - 8, int(r["top"]) - 8, int(r["left"]) + int(r["width"]) + 8,
                        int(r["top"]) + int(r["height"]) + 8)) for r in words]
    engine.setenv(resident.ENGINE_ENV, "cli")
    program = [symbols.symbols(c, "Devanagari", dpi=300, timeout=60) for c in crops]
    engine.setenv(resident.ENGINE_ENV, kind)
    ours = [symbols.symbols(c, "Devanagari", dpi=300, timeout=60) for c in crops]
    assert ("Devanagari", 8) in resident.loaded()
    assert all(ours) and [[c for c, _ in w] for w in ours] == [[c for c, _ in w] for w in program]
    if kind == "system":
        assert ours == program
    else:
        assert all(abs(a - b) < 5 for w, v in zip(ours, program, strict=True) for (_, a), (_, b) in zip(w, v,
                                                                                                      strict=True))
