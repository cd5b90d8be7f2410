"""Many documents in flight at once, so pages from all of them keep every OCR worker busy."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from ingest.pipeline import Ingestor, Outcome
from ocr import poppler, tesseract
from ocr.errors import EngineMissing
from store.dblocks import NotLeader

log = logging.getLogger("nasti.ingest")


def check_engines(languages: str) -> None:
    """What the watcher checks when it starts: tesseract, the models `languages` needs, poppler (EngineMissing)."""
    tesseract.version()
    tesseract.check_languages(languages)
    poppler.check()


def engines_installed(languages: str) -> bool:
    """Looks again (nothing cached) at what the watcher checked when it started (check_engines)."""
    tesseract.forget()
    poppler.version.cache_clear()
    try:
        check_engines(languages)
    except EngineMissing:
        return False
    except Exception:   # a slow probe on a loaded machine is no proof that anything is missing
        return True
    return True


class Runner:
    """Takes ready paths; each is handled once at a time. A path submitted again while in flight is handled again
    once the first run ends (the clerk may have put new bytes there meanwhile)."""

    def __init__(self, ingestor: Ingestor, documents_in_flight: int,
                 on_outcome: Callable[[Outcome], None] | None = None,
                 on_again: Callable[[Path], None] | None = None) -> None:
        self.ingestor = ingestor
        self._threads = ThreadPoolExecutor(max_workers=documents_in_flight, thread_name_prefix="nasti-doc")
        self._in_flight: dict[Path, Future[Outcome | None]] = {}
        self._again: set[Path] = set()
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self.on_outcome = on_outcome
        self.on_again = on_again    # the watcher's stability tracker: look at this path again once it is quiet
        self.fatal: BaseException | None = None
        self.errors = 0

    def submit(self, path: Path) -> bool:
        with self._lock:
            if self.fatal is not None:
                return False
            if path in self._in_flight:
                self._again.add(path)
                return False
            fut = self._threads.submit(self._run, path)
            self._in_flight[path] = fut
            return True

    def _run(self, path: Path) -> Outcome | None:
        again = False
        try:
            outcome = self.ingestor.handle(path)
            again = bool(outcome and outcome.again)
            if outcome and outcome.document_id is not None and self.on_outcome:
                self.on_outcome(outcome)
            return outcome
        except NotLeader as e:   # another watcher took the lead (store/dblocks.py): stop taking drops, stand by
            log.error("%s: left to the watcher that leads now (%s)", path.name, e)
            self.fatal = e
        except EngineMissing as e:
            if engines_installed(self.ingestor.cfg.ocr.languages):   # a worker failed to start one, the machine
                log.error("%s — yet the engines are installed: the file fails now and is tried again", e.detail)
                self.errors += 1
            else:
                log.error("%s", e.detail)
                self.fatal = e
        except Exception:  # a bug in nasti itself; the document's record says what happened, the original stays
            log.exception("could not process %s; it stays in the share and will be retried", path)
            self.errors += 1
        finally:
            with self._idle:
                again = (path in self._again or again) and self.fatal is None
                self._again.discard(path)
                if again and self.on_again:
                    self.on_again(path)   # before leaving in-flight, so a waiting run_once sees it pending
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
