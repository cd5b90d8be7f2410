"""The export's folders in OUT: built aside and renamed into place whole, put back after a kill, checked against
what was recorded, and told apart from folders someone else made (never replaced)."""
from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ingest.archive import fsync_dir, sha256_file
from store.parts import FOLDER

_VOLUME = re.compile(r"^(?:notes|receipts|issues|references)_v[0-9]+_p[0-9]+-[0-9]+\.pdf$")


def intact(folder: Path, row: dict[str, Any], sha256: Callable[[Path], str] = sha256_file) -> bool:
    """The folder holds exactly the four part folders and the volumes recorded for it, with their sha256 (a volume
    an operator deleted, edited or a stray file dropped in makes the file rebuilt, not 'unchanged')."""
    if not folder.is_dir() or folder.is_symlink():
        return False
    want = {f"{p}/" for p in FOLDER.values()} | set(row.get("_volumes", {}))
    have = {p.relative_to(folder).as_posix() + ("/" if p.is_dir() else "") for p in folder.rglob("*")}
    if have != want:
        return False
    return all(sha256(folder / rel) == sha for rel, sha in row["_volumes"].items())


def made_by_export(folder: Path) -> bool:
    """Nothing there, a link (replaced, its target never touched), or only part folders and volumes: a folder a
    run whose state was lost made. Anything else is someone's and is never replaced."""
    if folder.is_symlink() or not folder.exists():
        return True
    if not folder.is_dir():
        return False
    for p in folder.rglob("*"):
        rel = p.relative_to(folder).parts
        if p.is_symlink() or rel[0] not in FOLDER.values():
            return False
        if (len(rel) == 2 and not (p.is_file() and _VOLUME.match(rel[1]))) or len(rel) > 2:
            return False
    return True


def _tree(root: Path) -> dict[str, bytes | None]:
    """Relative path → bytes (None for a folder)."""
    return {p.relative_to(root).as_posix(): (None if p.is_dir() else p.read_bytes()) for p in root.rglob("*")}


def _fsync_tree(root: Path) -> None:
    for p in sorted(root.rglob("*"), reverse=True):
        if p.is_file():
            with open(p, "rb") as fh:
                os.fsync(fh.fileno())
        else:
            fsync_dir(p)
    fsync_dir(root)


def place(out: Path, work: Path, name: str, work_dir: str, *,
          on_aside: Callable[[Path], None] = lambda _: None) -> bool:
    """Rename the complete work folder into place; False when an identical folder is already there."""
    final = out / name
    if final.is_dir() and not final.is_symlink() and _tree(final) == _tree(work):
        shutil.rmtree(work)
        return False
    _fsync_tree(work)
    old = out / work_dir / f"{name}.old"
    if final.exists() or final.is_symlink():
        os.rename(final, old)
        on_aside(old)
    os.rename(work, final)
    fsync_dir(out)
    shutil.rmtree(old, ignore_errors=True)
    return True


def recover(out: Path, work_dir: str) -> None:
    """What a killed run left: a folder caught between its two renames goes back; work files go. Links planted
    in OUT under the export's own names are removed (the link, never what it points at)."""
    if (out / work_dir).is_symlink() or ((out / work_dir).exists() and not (out / work_dir).is_dir()):
        (out / work_dir).unlink()
    for old in (out / work_dir).glob("*.old"):
        if not (out / old.name[:-4]).exists():
            os.rename(old, out / old.name[:-4])
    shutil.rmtree(out / work_dir, ignore_errors=True)
