"""Hashing and verified copies: an original leaves the share only after its archive copy proves identical."""
from __future__ import annotations

import hashlib
import os
import shutil
import stat
from pathlib import Path

import regex

CHUNK = 1 << 20
# control characters and the characters Windows (and SMB clients) refuse in a file name
_UNPORTABLE = regex.compile(r'[\p{Cc}\u202a-\u202e\u2066-\u2069<>:"/\\|?*]')  # ZWJ/ZWNJ stay (Devanagari)
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def sha256_file(path: Path) -> str:
    """The sha256 of a regular file's bytes; of a symlink's target text (never followed); of the kind of file for
    anything else (a FIFO or a device is never opened: reading one would block or never end)."""
    h = hashlib.sha256()
    mode = os.lstat(path).st_mode
    if stat.S_ISLNK(mode):
        h.update(os.readlink(path).encode("utf-8", "surrogateescape"))
        return h.hexdigest()
    if not stat.S_ISREG(mode):
        h.update(f"not a regular file: mode {stat.S_IFMT(mode):o}".encode())
        return h.hexdigest()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def safe_component(name: str, max_bytes: int = 180) -> str:
    """A file-name component that fits every file system (255 bytes) and opens on Windows: no control or bidi
    characters, none of <>:"/\\|?*, no trailing dot or space, not a reserved device name; the extension is kept."""
    name = _UNPORTABLE.sub("_", name).rstrip(". ") or "_"
    if name.split(".")[0].upper() in _RESERVED:
        name = f"_{name}"
    if len(name.encode()) <= max_bytes:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot or len(ext) > 10:
        stem, ext = name, ""
    budget = max_bytes - len(ext.encode()) - 1
    cut = stem.encode()[:budget].decode("utf-8", "ignore")
    return f"{cut}.{ext}" if ext else cut


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def verified_copy(src: Path, dest: Path, sha256: str) -> None:
    """Copy through a temporary name, fsync, re-hash the copy, then rename it into place."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".part")
    try:
        with open(src, "rb") as fin, open(tmp, "wb") as fout:
            shutil.copyfileobj(fin, fout, CHUNK)
            fout.flush()
            os.fsync(fout.fileno())
        got = sha256_file(tmp)
        if got != sha256:
            raise CopyMismatch(f"archive copy of {src.name} does not match the original "
                               f"(sha256 {got[:12]} ≠ {sha256[:12]})")
        tmp.replace(dest)
    except BaseException:
        tmp.unlink(missing_ok=True)   # never leave a half copy behind (a full disk must not stay full of them)
        raise
    fsync_dir(dest.parent)


class CopyMismatch(OSError):
    """The bytes copied are not the recorded ones (the source changed under us, or the disk lies)."""


def move_into(src: Path, dest: Path) -> None:
    """Move a finished file (on the same file system) into place, durably."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    os.replace(src, dest)
    fsync_dir(dest.parent)


def write_atomic(dest: Path, data: bytes) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".part")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        tmp.replace(dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
