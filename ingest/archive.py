"""Hashing and verified copies: an original leaves the share only after its archive copy proves identical."""
from __future__ import annotations

import ctypes
import errno
import hashlib
import os
import shutil
import stat
import tempfile
from pathlib import Path

import regex

from ingest.steps import hook

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
    """Copy through a temporary name, fsync, re-hash the copy, then put it in place without ever replacing a file.

    A file already at `dest` with the same bytes is kept (the copy of an attempt that crashed before its commit); a
    file with other bytes is never touched: :class:`ArchiveConflict`. The final step is a hard link of the verified
    temporary to `dest` (``os.link`` fails when the name exists, so a file that appears meanwhile is not replaced
    either); where the archive's file system has no hard links, ``renameat2(RENAME_NOREPLACE)``; never
    check-then-rename."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    if _kept(dest, sha256):
        return
    tmp, fd = _fresh_temporary(dest)
    try:
        with open(src, "rb") as fin, os.fdopen(fd, "wb") as fout:
            shutil.copyfileobj(fin, fout, CHUNK)
            fout.flush()
            os.fsync(fout.fileno())
        got = sha256_file(tmp)
        if got != sha256:
            raise CopyMismatch(f"archive copy of {src.name} does not match the original "
                               f"(sha256 {got[:12]} ≠ {sha256[:12]})")
        hook("before_place", path=dest)
        try:
            _place(tmp, dest)
        except FileExistsError:
            if not _kept(dest, sha256):
                raise
    except BaseException:
        tmp.unlink(missing_ok=True)   # never leave a half copy behind (a full disk must not stay full of them)
        raise
    tmp.unlink(missing_ok=True)       # linked: the copy now has its own name
    fsync_dir(dest.parent)


def _fresh_temporary(dest: Path) -> tuple[Path, int]:
    """A new file to copy into, next to `dest`, created by this call: `<name>.part` (the name recovery cleans up after
    a crash), or, when anything already stands there — a leftover, a foreign file, a directory, a symlink (opening
    it for writing would follow it: into the share, the very original) — a unique `<name>.<random>.part`.
    O_EXCL | O_NOFOLLOW: nothing already there is ever opened, truncated or followed."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    tmp = dest.with_name(dest.name + ".part")
    try:
        return tmp, os.open(tmp, flags, 0o644)
    except FileExistsError:
        fd, name = tempfile.mkstemp(prefix=dest.name + ".", suffix=".part", dir=dest.parent)
        os.fchmod(fd, 0o644)   # as the fixed name is made (mkstemp makes 0600)
        return Path(name), fd


def _kept(dest: Path, sha256: str) -> bool:
    """True when `dest` already holds these bytes; False when nothing is there; ArchiveConflict for other bytes."""
    if not os.path.lexists(dest):
        return False
    try:
        found = sha256_file(dest)
    except FileNotFoundError:   # removed meanwhile: the name is free again
        return False
    if found != sha256:
        raise ArchiveConflict(dest, found, sha256)
    return True


_NO_LINKS = (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS, errno.EMLINK)


def _place(tmp: Path, dest: Path) -> None:
    """Give `tmp` the name `dest`; FileExistsError (nothing changed) when `dest` exists, whatever its bytes."""
    try:
        os.link(tmp, dest, follow_symlinks=False)
    except FileExistsError:
        raise
    except OSError as e:
        if e.errno not in _NO_LINKS:
            raise
        _rename_noreplace(tmp, dest)


def _rename_noreplace(src: Path, dest: Path) -> None:
    """Linux renameat2(RENAME_NOREPLACE): a rename that fails with EEXIST instead of replacing."""
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        raise OSError(errno.ENOSYS, "the archive's file system has no hard links and this system no renameat2: "
                      "a copy cannot be put in place without risking to replace a file", str(dest))
    at_fdcwd, rename_noreplace = -100, 1
    if renameat2(at_fdcwd, os.fsencode(src), at_fdcwd, os.fsencode(dest), rename_noreplace) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err), str(dest))


class CopyMismatch(OSError):
    """The bytes copied are not the recorded ones (the source changed under us, or the disk lies)."""


class ArchiveConflict(FileExistsError):
    """Another file — other bytes — already stands where an archive copy was to go (an archived original of a
    record the database no longer knows: a restored or emptied database, an id used again). It is never replaced."""

    def __init__(self, dest: Path, found: str, expected: str) -> None:
        super().__init__(errno.EEXIST, f"another file is already in the archive at {dest} (sha256 {found[:12]}, "
                         f"not this document's {expected[:12]}); it was left as it is", str(dest))
        self.dest, self.found, self.expected = dest, found, expected

    def __str__(self) -> str:
        return str(self.strerror)


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
