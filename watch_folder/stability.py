"""FileStabilityTracker: a path is ready once it has been quiet *and* looks the same on a second look."""
from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass
class _Seen:
    last_event: float
    stat: tuple[int, int] | None = None    # (size, mtime_ns) at the first look
    looked_at: float = 0.0


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


class FileStabilityTracker:
    """Feed it every event (`touch`); `ready()` hands back each complete file once.

    A file is complete when no event arrived for `quiet` seconds and its size and mtime did not change between two
    looks `recheck` seconds apart. A file that disappears is forgotten without error; one that changes starts over.
    """

    def __init__(self, quiet: float, recheck: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.quiet, self.recheck, self.clock = quiet, recheck, clock
        self._seen: dict[Path, _Seen] = {}
        self._lock = threading.Lock()

    def touch(self, path: Path) -> None:
        with self._lock:
            self._seen[path] = _Seen(last_event=self.clock())

    def forget(self, path: Path) -> None:
        with self._lock:
            self._seen.pop(path, None)

    def pending(self) -> int:
        with self._lock:
            return len(self._seen)

    def ready(self) -> list[Path]:
        now = self.clock()
        out: list[Path] = []
        with self._lock:
            for path, seen in list(self._seen.items()):
                if now - seen.last_event < self.quiet:
                    continue
                current = _stat(path)
                if current is None:              # deleted or renamed away before it was stable
                    del self._seen[path]
                    continue
                if seen.stat is None or seen.stat != current:
                    seen.stat, seen.looked_at = current, now   # first look, or it changed: look again later
                    continue
                if now - seen.looked_at >= self.recheck:
                    del self._seen[path]
                    out.append(path)
        return out
