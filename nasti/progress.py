"""What a run is doing: a progress bar on a terminal (files and pages, rate, ETA), every outcome logged with its
time, and a summary at the end (done / rejected / duplicate / review / failed, pages, time)."""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

log = logging.getLogger("nasti.outcome")
page_log = logging.getLogger("nasti.pages")


@dataclass
class Tally:
    files: set[str] = field(default_factory=set)
    finished: set[str] = field(default_factory=set)
    outcomes: dict[str, int] = field(default_factory=dict)
    review: int = 0
    failed: int = 0
    pages_expected: int = 0
    pages_done: int = 0
    started: float = field(default_factory=time.monotonic)

    def summary(self) -> dict[str, Any]:
        seconds = round(time.monotonic() - self.started, 1)
        return {"files": len(self.files), **{k: self.outcomes.get(k, 0) for k in ("done", "rejected", "duplicate")},
                "review": self.review, "failed": self.failed + self.outcomes.get("failed", 0),
                "pages": self.pages_done, "seconds": seconds,
                "pages_per_minute": round(self.pages_done * 60 / seconds, 1) if seconds else None}


def _eta(left: int, per_minute: float) -> str:
    """Time left at the average rate so far (rich's own estimate swings wildly on a few slow pages)."""
    if left <= 0:
        return "0:00"
    if per_minute <= 0:
        return "–"
    seconds = int(left / per_minute * 60)
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}" if seconds >= 3600 else \
        f"{seconds // 60}:{seconds % 60:02d}"


class RunProgress:
    """Fed by the runner (a file taken, an outcome) and by the ingest page hook; thread-safe."""

    def __init__(self, console: Console, *, bar: bool) -> None:
        self.tally = Tally()
        self._lock = threading.Lock()
        self._bar: Progress | None = None
        self._files: TaskID | None = None
        self._pages: TaskID | None = None
        if bar:
            self._bar = Progress(TextColumn("{task.description:<7}"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.fields[rate]}"), TimeElapsedColumn(),
                                 TextColumn("ETA {task.fields[eta]}"), console=console, transient=True)
            self._files = self._bar.add_task("files", total=0, rate="", eta="")
            self._pages = self._bar.add_task("pages", total=0, rate="", eta="")

    def __enter__(self) -> RunProgress:
        if self._bar:
            self._bar.start()
        return self

    def __exit__(self, *_: object) -> None:
        if self._bar:
            self._bar.stop()

    def file_taken(self, source: str) -> None:
        with self._lock:
            if source in self.tally.files:
                return
            self.tally.files.add(source)
            self._update()

    def pages(self, source: str, total: int, number: int | None) -> None:
        """The ingest page hook: ``number`` None when a file's page count is known, else page ``number`` is read."""
        with self._lock:
            if number is None:
                self.tally.pages_expected += total
            else:
                self.tally.pages_done += 1
                page_log.debug("%s: page %d of %d read", source, number, total)
            self._update()

    def outcome(self, source: str, status: str, detail: str = "", *, pages: int = 0, review: bool = False) -> None:
        with self._lock:
            self.tally.outcomes[status] = self.tally.outcomes.get(status, 0) + 1
            self.tally.finished.add(source)
            self.tally.review += review
            self._update()
        extra = f" — {detail}" if detail and status != "done" else ""
        flag = " (needs review)" if review else ""
        count = f", {pages} pages" if status == "done" else ""
        log.log(logging.WARNING if status == "failed" else logging.INFO, "%s %s%s%s%s", status, source, count, flag,
                extra)

    def failed(self, tries: int) -> None:
        """``tries`` that raised (a file is tried again): the summary counts the files left without an outcome."""
        with self._lock:
            self.tally.failed = min(tries, len(self.tally.files - self.tally.finished))

    def _update(self) -> None:
        if not self._bar or self._files is None or self._pages is None:
            return
        t = self.tally
        minutes = max(time.monotonic() - t.started, 1e-6) / 60
        finished = sum(t.outcomes.values())
        files, pages = max(len(t.files), finished), max(t.pages_expected, t.pages_done)
        self._bar.update(self._files, total=files, completed=finished, rate=f"{finished / minutes:.1f}/min",
                         eta=_eta(files - finished, finished / minutes))
        self._bar.update(self._pages, total=pages, completed=t.pages_done, rate=f"{t.pages_done / minutes:.1f}/min",
                         eta=_eta(pages - t.pages_done, t.pages_done / minutes))

    def summary_line(self) -> str:
        s = self.tally.summary()
        rate = f", {s['pages_per_minute']} pages/min" if s["pages"] else ""
        return (f"summary: {s['files']} files — {s['done']} done, {s['rejected']} rejected, {s['duplicate']} "
                f"duplicate, {s['review']} need review, {s['failed']} failed; {s['pages']} pages in "
                f"{s['seconds']} s{rate}")
