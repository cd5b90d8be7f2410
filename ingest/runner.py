"""Many documents in flight at once, so pages from all of them keep every OCR worker busy."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from ingest.pipeline import Ingestor, Outcome
from ocr.errors import EngineMissing

log = logging.getLogger("nasti.ingest")


class Runner:
    """Takes ready paths; each is handled once at a time (a second submit while in flight is dropped)."""

    def __init__(self, ingestor: Ingestor, documents_in_flight: int,
                 on_outcome: Callable[[Outcome], None] | None = None) -> None:
        self.ingestor = ingestor
        self._threads = ThreadPoolExecutor(max_workers=documents_in_flight, thread_name_prefix="nasti-doc")
        self._in_flight: dict[Path, Future[Outcome | None]] = {}
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self.on_outcome = on_outcome
        self.fatal: BaseException | None = None
        self.errors = 0

    def submit(self, path: Path) -> bool:
        with self._lock:
            if path in self._in_flight or self.fatal is not None:
                return False
            fut = self._threads.submit(self._run, path)
            self._in_flight[path] = fut
            return True

    def _run(self, path: Path) -> Outcome | None:
        try:
            outcome = self.ingestor.handle(path)
            if outcome and self.on_outcome:
                self.on_outcome(outcome)
            return outcome
        except EngineMissing as e:
            log.error("%s", e.detail)
            self.fatal = e
        except Exception:  # never let one file take the watcher down; the original stays in the share
            log.exception("could not process %s; it stays in the share and will be retried", path)
            self.errors += 1
        finally:
            with self._idle:
                self._in_flight.pop(path, None)
                self._idle.notify_all()
        return None

    def busy(self) -> bool:
        with self._lock:
            return bool(self._in_flight)

    def wait_idle(self, timeout: float | None = None) -> bool:
        with self._idle:
            return self._idle.wait_for(lambda: not self._in_flight, timeout=timeout)

    def close(self) -> None:
        self._threads.shutdown(wait=True, cancel_futures=True)
