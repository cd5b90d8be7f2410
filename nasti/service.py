"""Wires the watcher, the ingest runner, the OCR pool and the store together for `nasti watch`."""
from __future__ import annotations

import logging
import signal
import threading

from rich.console import Console

from ingest.pipeline import Ingestor, Outcome
from ingest.recover import recover
from ingest.runner import Runner
from nasti.config import Config
from nasti.vault import guard
from ocr import tesseract
from ocr.errors import EngineMissing
from ocr.pool import OcrPool
from store.db import Store
from watch_folder.service import Watcher

log = logging.getLogger("nasti")


def _printer(console: Console):  # -> Callable[[Outcome], None]
    lock = threading.Lock()

    def show(o: Outcome) -> None:
        style = {"done": "green", "rejected": "red", "duplicate": "yellow"}.get(o.status, "white")
        with lock:
            console.print(f"[{style}]{o.status:<9}[/] {o.source}" + (f"  — {o.detail}" if o.detail and
                                                                     o.status != "done" else ""), highlight=False)
    return show


def run_watch(cfg: Config, *, once: bool, console: Console, accept_archive_mismatch: bool = False) -> int:
    """Returns the exit code: 0 when every file reached a final state, 1 on an installation problem, 3 when the
    archive holds files the database does not know (see nasti.vault.guard)."""
    try:
        tesseract.version()
        tesseract.check_languages(cfg.ocr.languages)
    except EngineMissing as e:
        console.print(f"nasti: {e.detail}", style="red")
        return 1
    cfg.share.mkdir(parents=True, exist_ok=True)
    cfg.archive.mkdir(parents=True, exist_ok=True)
    store = Store(cfg.store_url)
    if code := guard.before_recovery(store, cfg, accept=accept_archive_mismatch):  # never prune an unknown archive
        store.close()
        return code
    recover(store, cfg.share, cfg.archive)
    with OcrPool(cfg.ocr.workers) as pool:
        ingestor = Ingestor(cfg, store, pool)
        runner = Runner(ingestor, documents_in_flight=pool.workers * 2, on_outcome=_printer(console))
        watcher = Watcher(cfg.share, cfg.watch, runner)
        if not once and threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda *_: watcher.stop())
        complete = True
        try:
            if once:
                complete = watcher.run_once()
            else:
                log.info("nasti is watching %s — Ctrl+C stops", cfg.share)
                watcher.run_forever()
        finally:
            runner.close()
            store.close()
    if runner.fatal is not None:
        console.print(f"nasti: {runner.fatal}", style="red")
        return 1
    if not complete:
        console.print("nasti: some files could not be processed and are still in the share; see the log above",
                      style="red")
        return 1
    return 0
