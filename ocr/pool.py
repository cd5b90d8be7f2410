"""A process pool sized to the cores; every worker (and its tesseract) runs single-threaded."""
from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def _init_worker() -> None:
    os.environ["OMP_THREAD_LIMIT"] = "1"


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


class OcrPool:
    """Pages from every document in flight share these workers, so all cores stay busy."""

    def __init__(self, workers: int = 0) -> None:
        self.workers = workers or default_workers()
        os.environ["OMP_THREAD_LIMIT"] = "1"
        self._executor = ProcessPoolExecutor(max_workers=self.workers, initializer=_init_worker)

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        return self._executor.submit(fn, *args)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> OcrPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
