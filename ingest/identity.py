"""Is the file at a path still the bytes we recorded? Checked before every irreversible step."""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ingest.archive import sha256_file
from ingest.steps import STEPS

Verdict = Literal["same", "replaced", "removed"]


@dataclass(frozen=True)
class Identity:
    size: int
    mtime_ns: int
    ino: int
    dev: int
    ctime_ns: int   # any write or attribute change moves it; the clerk cannot set it back

    def core(self) -> tuple[int, int, int, int]:
        return self.size, self.mtime_ns, self.ino, self.dev


def snapshot(path: Path) -> Identity | None:
    """The file's identity now (the link itself for a symlink), or None when nothing is at the path."""
    try:
        st = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    return Identity(st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev, st.st_ctime_ns)


def unread_key(ident: Identity) -> str:
    """The key recorded instead of a sha256 for a file too large to read: which file it was, not its bytes."""
    return hashlib.sha256(f"not read: {ident.size} bytes, file {ident.dev}:{ident.ino}, mtime {ident.mtime_ns}"
                          .encode()).hexdigest()


def check(path: Path, recorded: Identity, sha256: str) -> Verdict:
    """'same' when the path still holds the recorded bytes. Size or modification time changed → 'replaced'; all of
    size, mtime, inode, device and ctime unchanged → 'same'; anything else (something wrote to it or touched it,
    a new file with the same size and time, a network file system that renumbers inodes) → decided by sha256."""
    now = snapshot(path)
    if now is None:
        return "removed"
    if (now.size, now.mtime_ns) != (recorded.size, recorded.mtime_ns):
        return "replaced"
    if now == recorded:
        return "same"
    try:
        return "same" if sha256_file(path) == sha256 else "replaced"
    except FileNotFoundError:
        return "removed"


class Changed(Exception):
    """The clerk replaced, renamed or removed the file while nasti worked on it."""

    def __init__(self, how: Verdict, step: str) -> None:
        assert step in STEPS, step
        super().__init__(f"file {how} during {step}")
        self.how = how
        self.step = step
