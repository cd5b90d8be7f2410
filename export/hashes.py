"""The sha256 of files the export reads again on every run (the archive's searchable PDFs, the volumes it wrote),
remembered by what the file system says about each file: a re-run with nothing changed reads none of them.

A file is hashed again when its size, modification time, change time or inode differ from when it was hashed
(an edit, a copy put in its place, a `touch -d` that sets the modification time back: the change time, which no
user can set, still moves). The table lives in its own file in OUT, written once at the end of a run; lost or
damaged, it only means the files are read again.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from ingest.archive import sha256_file, write_atomic

FILE = ".nasti-hashes.json"


def _key(st: os.stat_result) -> list[int]:
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


class Hashes:
    """Keyed by path relative to ``out`` (the volumes) or to ``archive`` (its searchable PDFs)."""

    def __init__(self, out: Path, archive: Path) -> None:
        self.out, self.archive = out, archive
        try:
            data = json.loads((out / FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        self._known: dict[str, list] = {k: v for k, v in data.items() if isinstance(v, list) and len(v) == 5
                                        and isinstance(v[4], str)} if isinstance(data, dict) else {}
        self._used: dict[str, list] = {}

    def _name(self, path: Path) -> str:
        for tag, root in (("o:", self.out), ("a:", self.archive)):
            if path.is_relative_to(root):
                return tag + path.relative_to(root).as_posix()
        return str(path)

    def sha256(self, path: Path) -> str:
        """The file's sha256, read only when the file is not the one last hashed (OSError when it is missing)."""
        name = self._name(path)
        st = os.stat(path)
        known = self._known.get(name)
        if known is not None and known[:4] == _key(st):
            sha: str = known[4]
        else:
            sha = sha256_file(path)
            if _key(os.stat(path)) != _key(st):   # changed while it was read: not remembered
                return sha
        self._used[name] = [*_key(st), sha]
        return sha

    def note(self, path: Path, sha: str) -> None:
        """A file this run wrote, whose sha256 it knows."""
        self._used[self._name(path)] = [*_key(os.stat(path)), sha]

    def save(self) -> None:
        """Remember the files hashed or checked in this run (the others are forgotten)."""
        data = json.dumps(self._used, sort_keys=True).encode("utf-8")
        if not (self.out / FILE).is_file() or (self.out / FILE).read_bytes() != data:
            write_atomic(self.out / FILE, data)
