"""Ten seeded pages of the booklike corpus (every category: Hindi, English and mixed letters, dense book pages,
degraded low-dpi and bitonal scans), each put on the scanner in all four ways, read by the page pipeline with real
tesseract: not one may come out turned the wrong way (PageResult.rotation against the turn given)."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from nasti.samples.booklike import Sheet, corpus
from ocr.page import PageResult, PageTask, process_page

PAGES = 10          # one cycle of the corpus: every category
TURNS = (0, 90, 180, 270)


def _task(sheet: Sheet, turn: int, tmp: Path) -> PageTask:
    path = tmp / f"{sheet.id}-r{turn}.png"
    sheet.turned(turn).save(path, dpi=(sheet.dpi, sheet.dpi))
    return PageTask(source=path, kind="png", index=0, languages="auto", dpi=300, timeout=120,
                    max_pixels=200_000_000, layer=tmp / f"{sheet.id}-r{turn}.layer.pdf")


@pytest.fixture(scope="module")
def read(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Sheet, int, PageResult]]:
    tmp = tmp_path_factory.mktemp("orientation")
    sheets = list(corpus(PAGES, seed=0))
    jobs = [(s, t, _task(s, t, tmp)) for s in sheets for t in TURNS]
    with ThreadPoolExecutor(2) as ex:   # two cores: tesseract is single-threaded
        results = list(ex.map(process_page, [task for _, _, task in jobs]))
    return [(s, t, r) for (s, t, _), r in zip(jobs, results, strict=True)]


def test_the_subset_covers_every_category(read: list[tuple[Sheet, int, PageResult]]) -> None:
    assert {s.category for s, _, _ in read} == {"hindi letter", "english letter", "mixed", "book dense", "degraded"}


def test_no_page_is_read_turned_the_wrong_way(read: list[tuple[Sheet, int, PageResult]]) -> None:
    wrong = [f"page {s.id} ({s.category}, {s.lang}, {s.layout}, {s.font}, {s.dpi} dpi) turned {t}: read as {r.rotation}"
             for s, t, r in read if r.rotation != t]
    assert not wrong, f"{len(wrong)} of {len(read)} wrong turns:\n" + "\n".join(wrong)
