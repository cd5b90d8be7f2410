"""The watcher: watchdog events (native inotify, or polling on network shares) → stable paths → ingest."""
from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from common.config import WatchConfig
from ingest.runner import Runner
from watch_folder.ignore import is_ignored
from watch_folder.mounts import fs_type, is_network
from watch_folder.stability import FileStabilityTracker

log = logging.getLogger("nasti.watch")


def scan(share: Path, folder: Path | None = None) -> Iterator[Path]:
    """Every candidate file in the share, or in one folder of it (symlinks included, never followed), skipping
    ignored ones."""
    for root, dirs, files in os.walk(folder or share, followlinks=False):
        rel = Path(root).relative_to(share).parts
        dirs[:] = sorted(d for d in dirs if not is_ignored((*rel, d)))
        # a symlinked directory shows up in dirs: treat it as a file so that it is rejected, not followed
        for d in list(dirs):
            if (Path(root) / d).is_symlink():
                dirs.remove(d)
                files.append(d)
        for name in sorted(files):
            if not is_ignored((*rel, name)):
                yield Path(root) / name


class _Handler(FileSystemEventHandler):
    def __init__(self, share: Path, tracker: FileStabilityTracker) -> None:
        self.share, self.tracker = share, tracker

    def _note(self, raw: str | bytes) -> None:
        path = Path(os.fsdecode(raw))
        try:
            rel = path.relative_to(self.share).parts
        except ValueError:
            return
        if not is_ignored(rel) and (path.is_file() or path.is_symlink()):
            self.tracker.touch(path)
        elif path.is_dir() and not is_ignored(rel):
            for p in scan(self.share, path):   # a folder copied or moved in: everything inside it
                self.tracker.touch(p)

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        if event.is_directory and event.event_type == "modified":
            return  # a folder's mtime changes with every file written in it; the files' own events tell us
        if event.event_type == "deleted":
            self.tracker.forget(Path(os.fsdecode(event.src_path)))
            return
        self._note(getattr(event, "dest_path", "") or event.src_path)


def make_observer(share: Path, cfg: WatchConfig) -> BaseObserver:
    polling = cfg.mode == "polling" or (cfg.mode == "auto" and is_network(share))
    log.info("watching %s (%s, file system %s)", share, "polling" if polling else "native events", fs_type(share))
    return PollingObserver(timeout=cfg.poll_interval) if polling else Observer()


class Watcher:
    def __init__(self, share: Path, cfg: WatchConfig, runner: Runner) -> None:
        self.share, self.cfg, self.runner = share, cfg, runner
        self.tracker = FileStabilityTracker(cfg.quiet_seconds, cfg.recheck_seconds)
        self._stop = threading.Event()
        runner.on_again = self.tracker.touch

    def rescan(self) -> int:
        n = 0
        for p in scan(self.share):
            self.tracker.touch(p)
            n += 1
        return n

    def _listing(self) -> dict[Path, tuple[int, int, int] | None]:
        out: dict[Path, tuple[int, int, int] | None] = {}
        for p in scan(self.share):
            try:
                st = os.lstat(p)
                out[p] = (st.st_size, st.st_mtime_ns, st.st_ino)
            except OSError:
                out[p] = None
        return out

    def _dispatch(self) -> None:
        for path in self.tracker.ready():
            self.runner.submit(path)

    def stop(self) -> None:
        self._stop.set()

    def run_once(self, passes: int = 6) -> bool:
        """Everything in the share now, once complete, to a final state; then return.

        The share is listed again after each pass: a file the clerk renamed, replaced or dropped meanwhile is taken
        in the next pass; passes stop when a listing shows nothing new. Returns False when nasti itself hit an
        error it could not record (see the log) or an engine is missing.
        """
        errors_before = self.runner.errors
        previous: dict[Path, tuple[int, int, int] | None] | None = None
        for _ in range(passes):
            self.runner.ingestor.revisit_returned()
            listing = self._listing()
            if listing == previous or self._stop.is_set() or self.runner.fatal is not None:
                break
            previous = listing
            for p in listing:
                self.tracker.touch(p)
            while not self._stop.is_set() and self.runner.fatal is None:
                self._dispatch()
                if self.tracker.pending() == 0 and not self.runner.busy():
                    break
                time.sleep(0.2)
            self.runner.wait_idle()
        return self.runner.errors == errors_before and self.runner.fatal is None

    def run_forever(self) -> None:
        self.share.mkdir(parents=True, exist_ok=True)
        observer = make_observer(self.share, self.cfg)
        observer.schedule(_Handler(self.share, self.tracker), str(self.share), recursive=True)
        observer.start()
        try:
            next_rescan = next_revisit = 0.0
            while not self._stop.is_set() and self.runner.fatal is None:
                if time.monotonic() >= next_rescan:
                    self.rescan()   # at start-up and periodically: nothing missed by an event stays behind
                    next_rescan = time.monotonic() + self.cfg.rescan_seconds
                if time.monotonic() >= next_revisit:   # a returned file that was still being copied comes back
                    for p in self.runner.ingestor.revisit_returned():
                        self.tracker.touch(p)
                    next_revisit = time.monotonic() + max(self.cfg.quiet_seconds, 5.0)
                self._dispatch()
                self._stop.wait(0.25)
        finally:
            observer.stop()
            observer.join(timeout=10)
            self.runner.wait_idle()
