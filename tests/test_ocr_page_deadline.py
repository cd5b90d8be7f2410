"""A page's further reads (verification, the other turn, the combined model, the enlarged read) stop once its
time-out is spent: the first read stands and the page is not an error (a grainy page read five times over ran for
more than nine minutes against a 180 s time-out)."""
from __future__ import annotations

from pathlib import Path

import pytest

from nasti.samples import make_letter, render_page
from ocr import page as page_module
from ocr import tesseract
from ocr.metrics import cer
from ocr.page import PageTask, process_page

LETTER = make_letter(6161, "hi", lines=6)


def _run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, spend: float) -> tuple[int, float]:
    """Read a page that asks for every further read; the first read takes `spend` seconds of the page's clock."""
    path = tmp_path / "letter.png"
    render_page(LETTER.lines, lang="hi", dpi=200).save(path, dpi=(200, 200))
    monkeypatch.setattr(page_module, "COMBINE_BELOW", 101.0)    # every page would be read again, combined ...
    monkeypatch.setattr(page_module, "ENLARGE_BELOW", 101.0)    # ... and enlarged
    clock = [1000.0]
    monkeypatch.setattr(page_module.time, "monotonic", lambda: clock[0])
    reads = []
    real = tesseract.recognise

    def counted(*args: object, **kw: object) -> tesseract.TesseractResult:
        reads.append(kw.get("timeout"))
        result = real(*args, **kw)  # type: ignore[arg-type]
        if len(reads) == 1:
            clock[0] += spend       # the first read took this long
        return result

    monkeypatch.setattr(page_module.tesseract, "recognise", counted)
    r = process_page(PageTask(source=path, kind="png", index=0, languages="Devanagari", dpi=300, timeout=60,
                              max_pixels=200_000_000, layer=tmp_path / "layer.pdf"))
    return len(reads), cer("\n".join(LETTER.lines), r.text)


def test_further_reads_stop_when_the_page_time_is_spent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reads, error = _run(tmp_path, monkeypatch, spend=61.0)
    assert reads == 1
    assert error < 5.0          # the first read is the page's text


def test_further_reads_run_while_there_is_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reads, error = _run(tmp_path, monkeypatch, spend=1.0)
    assert reads >= 3           # combined and enlarged reads as asked
    assert error < 5.0
