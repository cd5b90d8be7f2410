"""The OCR process pool: sized to the cores, single-threaded workers, and it survives a worker that dies."""
from __future__ import annotations

import os
from concurrent.futures.process import BrokenProcessPool

import pytest

from ocr.pool import OcrPool, default_workers


def _omp() -> str | None:
    return os.environ.get("OMP_THREAD_LIMIT")


def test_workers_default_to_the_cores_and_run_tesseract_single_threaded() -> None:
    with OcrPool() as pool:
        assert pool.workers == default_workers() == len(os.sched_getaffinity(0))
        assert pool.submit(_omp).result(timeout=60) == "1"


def _inherited() -> tuple[str | None, str | None]:
    return os.environ.get("NASTI_TESSDATA"), os.environ.get("NASTI_LANGUAGES")


def _models() -> str:
    from ocr.tesseract import tessdata

    return tessdata()


def test_workers_read_the_models_the_watcher_found_without_probing_again() -> None:
    """No worker runs `tesseract --list-langs` (which timed out once on a loaded machine and stopped a watcher)."""
    from ocr.tesseract import languages, tessdata

    with OcrPool(1) as pool:
        assert pool.submit(_models).result(timeout=60) == tessdata()
        assert pool.submit(_inherited).result(timeout=60) == (tessdata(), ",".join(sorted(languages())))


def test_a_dead_worker_fails_its_page_and_the_pool_carries_on() -> None:
    with OcrPool(1) as pool:
        with pytest.raises(BrokenProcessPool):
            pool.submit(os._exit, 3).result(timeout=60)
        assert pool.submit(abs, -7).result(timeout=60) == 7
