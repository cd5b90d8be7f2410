"""Hashing and verified copies: an original leaves the share only after its archive copy proves identical."""
from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    if path.is_symlink():
        h.update(os.readlink(path).encode("utf-8", "surrogateescape"))
        return h.hexdigest()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def safe_component(name: str, max_bytes: int = 180) -> str:
    """A file-name component that fits every file system (255 bytes), keeping the extension."""
    name = name.replace("/", "_").replace("\x00", "")
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
    with open(src, "rb") as fin, open(tmp, "wb") as fout:
        shutil.copyfileobj(fin, fout, CHUNK)
        fout.flush()
        os.fsync(fout.fileno())
    got = sha256_file(tmp)
    if got != sha256:
        tmp.unlink(missing_ok=True)
        raise OSError(f"archive copy of {src.name} does not match the original (sha256 {got[:12]} ≠ {sha256[:12]})")
    tmp.replace(dest)
    fsync_dir(dest.parent)


def write_atomic(dest: Path, data: bytes) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".part")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(dest)
