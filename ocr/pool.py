"""A process pool sized to the cores; every worker (and its tesseract) runs single-threaded."""
from __future__ import annotations

import ctypes
import multiprocessing
import os
import select
import signal
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from ocr.tesseract import LANGUAGES_ENV, TESSDATA_ENV, languages, tessdata

T = TypeVar("T")


def _die_with_parent() -> None:
    """A worker ends when its parent does: that parent is the fork server (killed by `OcrPool.kill`), not the
    watcher (`_end_with` covers a watcher that was killed)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux/glibc
        pass


def _end_with(watcher: int) -> None:
    """A worker's parent is the fork server, not the watcher, and the fork server outlives a watcher that was
    killed (measured: after kill -9 of `nasti watch` it and both workers, models loaded, lived on idle). So each
    worker waits on a pidfd of the watcher and ends with it, even mid-page (the engine's calls release the GIL)."""
    try:
        handle = os.pidfd_open(watcher)
    except ProcessLookupError:          # the watcher died while this worker was starting
        os._exit(0)
    except (AttributeError, OSError):   # pragma: no cover - before Linux 5.3 (Debian 12 has 6.1)
        return

    def wait() -> None:
        select.select([handle], [], [])
        os._exit(0)

    threading.Thread(target=wait, daemon=True, name="nasti-end-with-watcher").start()


def _init_worker(found: tuple[str, str] | None, watcher: int | None = None) -> None:
    os.environ["OMP_THREAD_LIMIT"] = "1"
    if found:
        os.environ[TESSDATA_ENV], os.environ[LANGUAGES_ENV] = found
    _die_with_parent()
    if watcher:
        _end_with(watcher)


def _parent_probe() -> tuple[str, str] | None:
    """The models folder and the installed models the parent already probed; None when it could not (the worker
    probes, and says why)."""
    try:
        return tessdata(), ",".join(sorted(languages()))
    except Exception:
        return None


def _signal(pid: int | None, sig: int) -> None:
    if pid:
        try:
            os.kill(pid, sig)
        except (ProcessLookupError, PermissionError):
            pass


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


class OcrPool:
    """Pages from every document in flight share these workers, so all cores stay busy.

    Workers come from a fork server, so they hold only what a page needs. A worker that dies (killed for memory, a
    crash in a native library) breaks a ProcessPoolExecutor for good: the futures already submitted fail with
    BrokenProcessPool, and the next submit starts a fresh executor."""

    def __init__(self, workers: int = 0) -> None:
        self.workers = workers or default_workers()
        os.environ["OMP_THREAD_LIMIT"] = "1"
        self._lock = threading.Lock()
        self._executor = self._new()

    def _new(self) -> ProcessPoolExecutor:
        # forkserver: workers start from a small clean process, not from a copy of the service (its threads, its
        # database connections, its memory) — fork from a threaded parent can deadlock a worker
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["ocr.page"])   # imported once in the server, not once per worker
        return ProcessPoolExecutor(max_workers=self.workers, initializer=_init_worker,
                                   initargs=(_parent_probe(), os.getpid()), mp_context=ctx)

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        with self._lock:
            try:
                return self._executor.submit(fn, *args)
            except BrokenProcessPool:
                self._executor.shutdown(wait=False, cancel_futures=True)
                self._executor = self._new()
                return self._executor.submit(fn, *args)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    def kill(self) -> None:
        """End the workers now, mid-page, and their fork server (a stop that cannot wait). The workers are children
        of the fork server, not of this process: when this process ends they do not (their parent lives on)."""
        for proc in list(getattr(self._executor, "_processes", None) or {}):
            _signal(proc, signal.SIGKILL)
        from multiprocessing import forkserver
        _signal(getattr(getattr(forkserver, "_forkserver", None), "_forkserver_pid", None), signal.SIGTERM)

    def __enter__(self) -> OcrPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
