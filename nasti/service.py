"""Wires the watcher, the ingest runner, the OCR pool and the store together for `nasti watch`."""
from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path

from rich.console import Console

from common.config import Config
from ingest.pipeline import Ingestor, Outcome
from ingest.recover import recover
from ingest.runner import Runner, check_engines
from ingest.sharelock import ShareBusy, ShareLock
from nasti.progress import RunProgress
from nasti.schema import SchemaError, open_checked
from nasti.sharecheck import archive_problem, share_problem
from nasti.vault import guard
from ocr.errors import EngineMissing
from ocr.pool import OcrPool
from store.db import Store
from store.dblocks import LeaderBusy, LeaderLock, NotLeader
from watch_folder.service import Watcher

log = logging.getLogger("nasti")
IN_FLIGHT_CELERY = 16   # documents whose batches are queued at once when workers on other machines read the pages


class _CountingRunner(Runner):
    """The ingest runner, telling the progress display which files were taken."""

    def __init__(self, *args: object, progress: RunProgress, share: Path, **kw: object) -> None:
        super().__init__(*args, **kw)  # type: ignore[arg-type]
        self._progress, self._share = progress, share

    def submit(self, path: Path) -> bool:
        taken = super().submit(path)
        if taken:
            self._progress.file_taken(path.relative_to(self._share).as_posix())
        return taken


def run_watch(cfg: Config, *, once: bool, console: Console, progress_console: Console | None = None,
              create_share: bool | None = None, wait: bool = False, accept_archive_mismatch: bool = False) -> int:
    """Returns the exit code: 0 when every file reached a final state; 2 when the database schema is behind;
    3 when the archive holds files the database does not know (see nasti.vault.guard); 1 on an installation or
    share problem, when a file could not be processed, or when another nasti process already watches the share
    (unless `wait`: then it waits for that one to stop)."""
    try:
        check_engines(cfg.ocr.languages)
    except EngineMissing as e:
        log.error("%s", e.detail)
        return 1
    problem = share_problem(cfg, create=create_share) or archive_problem(cfg)
    if problem:
        log.error("%s", problem)
        return 1
    lock = ShareLock(cfg.share, fallback=cfg.archive)
    try:
        lock.acquire(wait=wait)
    except ShareBusy as e:   # the contract: exit 1 with a one-line message on stderr (Hindi, then English)
        hi, en = e.message()
        Console(stderr=True, soft_wrap=True).print(f"nasti: {hi} | {en}", style="red", highlight=False)
        return 1
    try:
        return _watch_locked(cfg, once=once, console=console, progress_console=progress_console,
                             accept_archive_mismatch=accept_archive_mismatch, wait=wait)
    finally:
        lock.release()


def _watch_locked(cfg: Config, *, once: bool, console: Console, progress_console: Console | None,
                  accept_archive_mismatch: bool, wait: bool = False) -> int:
    try:
        store = open_checked(cfg.store_url)
    except SchemaError as e:
        log.error("%s", e)
        return 2
    leader = LeaderLock(store)   # PostgreSQL: one watcher leads across machines; a second stands by (--wait)
    while True:
        try:
            leader.acquire(wait=wait)
        except LeaderBusy:
            Console(stderr=True, soft_wrap=True).print(
                "nasti: इस डेटाबेस पर एक दूसरा nasti वॉचर पहले से काम कर रहा है; --wait से यह प्रतीक्षा करेगा | "
                "another nasti watcher already leads this database; with --wait this one stands by",
                style="red", highlight=False)
            store.close()
            return 1
        try:
            code = _watch_leading(cfg, store, once=once, console=console, progress_console=progress_console,
                                  accept_archive_mismatch=accept_archive_mismatch, leader=leader)
        except NotLeader as e:   # fenced out at any other moment (setting up the ingestor): stand by all the same
            log.error("%s", e)
            code = LOST
        finally:
            leader.release()
        if code != LOST:
            return code
        if once or not wait:   # the service manager starts it again: it stands by or leads
            return 1
        log.warning("this watcher no longer leads; it stands by until it can lead again")


LOST = -1   # _watch_leading: the lead went to another watcher (store.dblocks: the lock or the fence)


def _keep_leading(leader: LeaderLock, watcher: Watcher, lost: threading.Event, ended: threading.Event,
                  every: float = 5.0) -> None:
    """A leader whose lock went with its connection (the database restarted) stops: a stand-by may lead now. The
    service manager starts it again, and it stands by or leads."""
    while not ended.wait(every):
        if not leader.held():
            log.error("the leader lock on the database was lost (the server restarted?): this watcher stops so that "
                      "two never lead at once; started again, it stands by or leads")
            lost.set()
            watcher.stop()
            return


def _watch_leading(cfg: Config, store: Store, *, once: bool, console: Console, progress_console: Console | None,
                   accept_archive_mismatch: bool, leader: LeaderLock | None = None) -> int:
    # on both backends, as `nasti doctor` does: an empty or restored database beside a full archive stops here (exit
    # 5) — on PostgreSQL recovery itself never walks the shared archive, but new documents would be archived under
    # names (`<id>-…`) that older files already hold, and recovery would settle the restored rows against it
    try:
        if code := guard.before_recovery(store, cfg, accept=accept_archive_mismatch):   # never prune unknown files
            store.close()
            return code
        recover(store, cfg.share, cfg.archive)   # only under the share lock: no other live process has work in flight
    except NotLeader as e:   # the lead went to another watcher meanwhile: it recovers; this one stands by
        log.error("recovery stopped: %s", e)
        store.close()
        return LOST
    bar = once and progress_console is not None and progress_console.is_terminal
    progress = RunProgress(progress_console or console, bar=bar)

    def on_outcome(o: Outcome) -> None:
        progress.outcome(o.source, o.status, o.detail, pages=o.pages, review=o.needs_review)

    celery = cfg.queue.backend == "celery"
    with (nullcontext(None) if celery else OcrPool(cfg.ocr.workers)) as pool, progress:
        if pool is None:   # [queue] backend = "celery": the pages are read by `nasti worker` on any machine
            from workers.remote import CeleryIngestor

            ingestor: Ingestor = CeleryIngestor(cfg, store)
            in_flight = IN_FLIGHT_CELERY
        else:
            ingestor, in_flight = Ingestor(cfg, store, pool), pool.workers * 2
        ingestor.on_pages = progress.pages
        runner = _CountingRunner(ingestor, documents_in_flight=in_flight, on_outcome=on_outcome,
                                 progress=progress, share=cfg.share)
        watcher = Watcher(cfg.share, cfg.watch, runner)
        if not once and threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, _stopper(watcher, pool))
        lost, ended = threading.Event(), threading.Event()
        if not once and leader is not None and store.engine.dialect.name == "postgresql":
            threading.Thread(target=_keep_leading, args=(leader, watcher, lost, ended), daemon=True,
                             name="nasti-leader").start()
        complete = True
        try:
            if once:
                complete = watcher.run_once()
            else:
                log.info("nasti is watching %s — Ctrl+C stops", cfg.share)
                watcher.run_forever()
        finally:
            ended.set()
            runner.close()
            if (close := getattr(ingestor, "close", None)) is not None:   # CeleryIngestor: its listener
                close()
            progress.failed(runner.errors)  # tries; the summary counts files
            if not lost.is_set() and not isinstance(runner.fatal, NotLeader):   # fenced out: reads nothing more
                _show_health(store, console)
            store.close()
    line = progress.summary_line()
    log.info("%s", line)
    if once:
        console.print(line, highlight=False, markup=False)
    if lost.is_set() or isinstance(runner.fatal, NotLeader):
        return LOST
    if runner.fatal is not None:
        log.error("%s", runner.fatal)
        return 1
    if not complete:
        log.error("some files could not be processed and are still in the share; see the log above")
        return 1
    return 0


def _stopper(watcher: Watcher, pool: OcrPool | None) -> Callable[..., None]:
    """SIGTERM / Ctrl+C: the first lets the documents in flight reach a final state (a page can take minutes); a
    second stops at once. Nothing is lost either way: a document stopped mid-way is still in the share and is taken
    up again at the next start (ingest.recover), as after a power cut."""
    asked: list[int] = []

    def stop(signum: int, _frame: object) -> None:
        if asked:
            log.warning("stopping now (signal %d again); documents in flight are taken up again at the next start",
                        signum)
            if pool is not None:
                pool.kill()
            logging.shutdown()
            os._exit(128 + signum)    # as a shell reports a process its signal ended
        asked.append(signum)
        log.warning("stopping once the documents in flight are done; Ctrl+C (or SIGTERM) again stops at once")
        watcher.stop()

    return stop


def _show_health(store: Store, console: Console) -> None:
    from store.health import health

    with store.session() as s:
        for h in health(s):
            console.print(f"nasti: {h.hi}\nnasti: {h.en}", style="yellow", highlight=False, markup=False)
