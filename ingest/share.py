"""The drop share as the clerk sees it: sources, branches, and the _rejected/ folder with reason files."""
from __future__ import annotations

import errno
import os
import shutil
import unicodedata
from pathlib import Path, PurePosixPath

import regex

from ingest.archive import safe_component, write_atomic

REJECTED = "_rejected"
TOP_LEVEL = "_top"       # _rejected/_top/ holds files that were dropped at the share root


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def source_of(share: Path, path: Path) -> str:
    """Share-relative, '/'-separated, NFC — the document's `source`. Bytes of a name that are not UTF-8 (a name
    written in Latin-1 or another code page) show as U+FFFD."""
    rel = PurePosixPath(*path.relative_to(share).parts).as_posix()
    return nfc(rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))


def raw_relative(share: Path, path: Path) -> str:
    """The share-relative path exactly as on disk (a Mac or scanner may have written it in NFD); bytes that are not
    UTF-8 are written as \\xNN (see `on_disk`), so the text can be stored."""
    rel = PurePosixPath(*path.relative_to(share).parts).as_posix()
    return rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def on_disk(share: Path, share_path: str) -> Path:
    """The file a stored `share_path` names (the inverse of `raw_relative`)."""
    path = share / share_path
    if "\\x" not in share_path or path.exists() or path.is_symlink():
        return path
    raw = regex.sub(rb"\\x([0-9a-f]{2})", lambda m: bytes([int(m[1], 16)]), share_path.encode("utf-8"))
    return share / os.fsdecode(raw)


def branch_of(source: str, per_office: bool = False) -> str | None:
    """The branch folder of a share-relative source (None: not inside one). ``per_office``: the share's first
    level is the office (``<office>/<branch>/…``); the branch rule below it is the same."""
    parts = source.split("/")
    if per_office:
        return parts[1] if len(parts) > 2 else None
    return parts[0] if len(parts) > 1 else None


def office_of(source: str) -> str | None:
    """The office folder of a source in a share with one first-level folder per office (a file directly in it
    too: it is that office's to put in a branch, not this deployment's)."""
    parts = source.split("/")
    return parts[0] if len(parts) > 1 else None


def _free_name(folder: Path, name: str) -> Path:
    candidate = folder / name
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    n = 2
    while candidate.exists() or candidate.is_symlink() or candidate.with_name(candidate.name + ".reason.txt").exists():
        candidate = folder / (f"{stem} ({n}).{ext}" if ext else f"{stem} ({n})")
        n += 1
    return candidate


def rejected_destination(share: Path, source: str) -> Path:
    """_rejected/<branch>/<rest of the path>, never overwriting an earlier rejection."""
    parts = source.split("/")
    branch, rest = (parts[0], parts[1:]) if len(parts) > 1 else (TOP_LEVEL, parts)
    folder = share / REJECTED / branch
    for p in rest[:-1]:
        folder = folder / safe_component(p)
    return _free_name(folder, safe_component(rest[-1], 200))


def return_to_clerk(share: Path, path: Path, dest: Path, reason_text: str) -> None:
    """Write the reason file, then move the original (the same bytes; a symlink stays a link)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    note = dest.with_name(dest.name + ".reason.txt")
    write_atomic(note, reason_text.encode("utf-8"))
    try:
        try:
            os.rename(path, dest)
        except OSError as e:
            if e.errno != errno.EXDEV:
                raise
            _move_across(path, dest)   # the branch folder is another mount than _rejected/
    except OSError:
        note.unlink(missing_ok=True)   # never claim a file was returned when it was not
        raise
    _prune_empty(path.parent, share)


def _move_across(path: Path, dest: Path) -> None:
    """Copy (through a temporary name), then remove the original; if it cannot be removed, undo the copy."""
    tmp = dest.with_name(dest.name + ".part")
    shutil.copy2(path, tmp, follow_symlinks=False)
    os.replace(tmp, dest)
    try:
        os.unlink(path)
    except OSError:
        dest.unlink(missing_ok=True)
        raise


def resolve_note(share: Path, rejected_path: str) -> bool:
    """Mark a rejection fixed: its `.reason.txt` becomes `.resolved.txt`. False when there was no reason file."""
    note = share / (rejected_path + ".reason.txt")
    if not note.is_file():
        return False
    os.replace(note, share / (rejected_path + ".resolved.txt"))
    return True


def remove_original(share: Path, path: Path) -> None:
    path.unlink(missing_ok=True)
    _prune_empty(path.parent, share)


def _prune_empty(folder: Path, share: Path) -> None:
    """Remove emptied per-file sub-folders below a branch folder; never the branch folder or the share."""
    try:
        while folder != share and folder.parent != share and folder.is_relative_to(share):
            folder.rmdir()
            folder = folder.parent
    except OSError:
        pass
