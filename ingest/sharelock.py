"""One watcher per share: an exclusive lock held for the life of `nasti watch` (and `watch --once`).

The lock is `fcntl.flock` on `<share>/.nasti.lock` (a hidden name the watcher ignores); the holder writes its pid,
host and start time into it, so a second watcher can say who holds it. The kernel drops the lock when the holder
dies, even by kill -9, so a stale file never blocks a restart. A clean exit removes the file (the share is left as
the clerk left it); a lock taken on a file that was removed meanwhile is dropped and taken again on the new one.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import logging
import os
import socket
import time
from pathlib import Path

LOCK_NAME = ".nasti.lock"
log = logging.getLogger("nasti.ingest")


class ShareBusy(Exception):
    """Another live nasti process holds the share."""

    def __init__(self, lock: Path, holder: str) -> None:
        super().__init__(holder)
        self.lock = lock
        self.holder = holder

    def message(self) -> tuple[str, str]:
        who = self.holder or "?"
        return (f"यह शेयर पहले से एक दूसरी nasti प्रक्रिया देख रही है ({who}); दोनों साथ नहीं चल सकतीं — "
                "पहली को रोकें, या --wait से उसके रुकने की प्रतीक्षा करें",
                f"this share is already being watched by another nasti process ({who}); two cannot run at once — "
                "stop the first, or use --wait to wait until it stops")


class ShareLock:
    """`fallback`: where to lock when the share's file system refuses flock (some SMB/NFS mounts): a lock file
    there still keeps two watchers of this installation apart."""

    def __init__(self, share: Path, fallback: Path | None = None) -> None:
        self.path = share / LOCK_NAME
        self.fallback = fallback / ".nasti-share.lock" if fallback is not None else None
        self._fd: int | None = None
        self._archive_fd: int | None = None

    def holder(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8").strip()
        except OSError:
            return ""

    def acquire(self, *, wait: bool = False, poll: float = 1.0) -> None:
        """Take the lock, or raise ShareBusy (wait=False) / block until it is free (wait=True).

        The lock in the archive (`fallback`) is taken as well: a clerk who deletes the share's `.nasti.lock` (it is
        a file in their folder) must not let a second watcher in beside the first."""
        while True:
            self._acquire_share(wait=wait, poll=poll)
            if self.fallback is None or self.path == self.fallback or self._lock_archive():
                return
            self.release()
            if not wait:
                try:
                    holder = self.fallback.read_text(encoding="utf-8").strip()
                except OSError:
                    holder = ""
                raise ShareBusy(self.fallback, holder)
            time.sleep(poll)

    def _lock_archive(self) -> bool:
        assert self.fallback is not None
        fd = os.open(self.fallback, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        except OSError:   # no flock in the archive either: the share's lock is all there is
            os.close(fd)
            return True
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()}\n".encode(), 0)
        self._archive_fd = fd
        return True

    def _acquire_share(self, *, wait: bool, poll: float) -> None:
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                if not wait:
                    raise ShareBusy(self.path, self.holder()) from None
                time.sleep(poll)
                continue
            except OSError as e:   # ENOLCK / EOPNOTSUPP: this file system has no flock
                os.close(fd)
                if self.fallback is None or self.path == self.fallback:
                    raise
                log.warning("the share cannot be locked (%s); locking %s instead", e.strerror, self.fallback)
                self.path = self.fallback
                continue
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)   # the holder removed the file as we locked it: lock the current one
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%SZ")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()} since {stamp}\n".encode(), 0)
        os.fsync(fd)
        self._fd = fd

    def release(self) -> None:
        if self._archive_fd is not None:   # the file stays: it is never unlinked, so every process locks one inode
            fcntl.flock(self._archive_fd, fcntl.LOCK_UN)
            os.close(self._archive_fd)
            self._archive_fd = None
        if self._fd is not None:
            try:
                self.path.unlink()   # while still holding it: a process waiting on this inode retries
            except OSError:
                pass
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> ShareLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
