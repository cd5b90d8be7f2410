"""`nasti backup OUT`: a consistent online snapshot of the database and an incremental copy of the archive.

Layout of OUT (rsync-friendly: unchanged files are never rewritten, copies keep their modification time)::

    OUT/nasti.db          SQLite snapshot (online backup API: one read transaction, complete even in WAL mode)
    OUT/nasti.pgdump      … or pg_dump's custom format on PostgreSQL
    OUT/archive/…         the archive's files, copied (or hard-linked) only when new or changed
    OUT/manifest.json     every archive file with size, mtime and sha256; written last (the backup is complete)
    OUT/SHA256SUMS        the same checksums for `cd OUT && sha256sum -c SHA256SUMS`

The database is snapshotted first and the archive listed after it, so every file the snapshot references is in the
manifest (archive files are written before the row that references them commits). A checksum is reused from the
previous manifest when the file's size and mtime are unchanged, so a nightly run reads only the new files.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from ingest.archive import CHUNK, sha256_file
from nasti.vault.scan import walk

MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
SQLITE_FILE = "nasti.db"
PG_FILE = "nasti.pgdump"
FORMAT = 1


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why (English; the command adds Hindi)."""


@dataclass
class BackupResult:
    database: str
    files: int = 0
    bytes: int = 0
    copied: int = 0
    copied_bytes: int = 0
    hashed: int = 0
    seconds: float = 0.0
    stale: list[str] = field(default_factory=list)   # in OUT/archive from an earlier run, gone from the archive

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def sqlite_path(url: str) -> Path | None:
    u = make_url(url)
    return Path(u.database) if u.get_backend_name() == "sqlite" and u.database not in (None, "", ":memory:") \
        else None


def snapshot_sqlite(src: Path, dest: Path) -> None:
    """Copy a live SQLite database (WAL included) consistently, through ``dest.part``."""
    tmp = dest.with_name(dest.name + ".part")
    tmp.unlink(missing_ok=True)
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True, timeout=60)
    try:
        target = sqlite3.connect(tmp)
        try:
            source.backup(target)       # all pages in one step: one read transaction, a consistent snapshot
            target.execute("PRAGMA journal_mode=DELETE")   # a single self-contained file
        finally:
            target.close()
    finally:
        source.close()
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    tmp.replace(dest)


def dump_postgres(url: str, dest: Path) -> None:
    if shutil.which("pg_dump") is None:
        raise BackupError("the database is PostgreSQL but pg_dump is not installed (apt install postgresql-client)")
    u = make_url(url).set(drivername="postgresql")
    tmp = dest.with_name(dest.name + ".part")
    r = subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={tmp}",
                        u.render_as_string(hide_password=False)], capture_output=True, text=True)
    if r.returncode != 0:
        tmp.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {r.stderr.strip().splitlines()[-1] if r.stderr.strip() else r.returncode}")
    tmp.replace(dest)


def load_manifest(folder: Path) -> dict[str, Any]:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _copy_hashing(src: Path, dest: Path) -> str:
    """Copy ``src`` to ``dest`` (through .part, mtime kept) and return the sha256 of what was read."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".part")
    h = hashlib.sha256()
    with open(src, "rb") as fin, open(tmp, "wb") as fout:
        while chunk := fin.read(CHUNK):
            h.update(chunk)
            fout.write(chunk)
    shutil.copystat(src, tmp)
    tmp.replace(dest)
    return h.hexdigest()


def _link(src: Path, dest: Path) -> bool:
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.unlink(missing_ok=True)
    try:
        os.link(src, dest)
        return True
    except OSError:
        return False


def backup(url: str, archive: Path, out: Path, *, hardlink: bool = False) -> BackupResult:
    t0 = time.monotonic()
    out.mkdir(parents=True, exist_ok=True)
    previous = load_manifest(out).get("files", {})
    db = sqlite_path(url)
    if db is not None:
        if not db.is_file():
            raise BackupError(f"no database at {db}")
        snapshot_sqlite(db, out / SQLITE_FILE)
        result = BackupResult(database=SQLITE_FILE)
    elif make_url(url).get_backend_name() == "postgresql":
        dump_postgres(url, out / PG_FILE)
        result = BackupResult(database=PG_FILE)
    else:
        raise BackupError(f"cannot back up a {make_url(url).get_backend_name()} database")
    taken = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    files: dict[str, dict[str, Any]] = {}
    found = walk(archive)
    listed = {**found.files, **{rel: archive / rel for rel in found.quarantined}}  # set-aside files are kept too
    for rel, src in sorted(listed.items()):
        try:
            st = src.stat()
        except FileNotFoundError:
            continue
        old = previous.get(rel) or {}
        dest = out / "archive" / rel
        same = old.get("size") == st.st_size and old.get("mtime_ns") == st.st_mtime_ns and old.get("sha256")
        try:
            dst = dest.stat()
            present = dst.st_size == st.st_size and dst.st_mtime_ns == st.st_mtime_ns
        except FileNotFoundError:
            present = False
        if same and present:
            sha = str(old["sha256"])
        elif hardlink and _link(src, dest):
            sha, result.hashed = sha256_file(src), result.hashed + 1
            result.copied, result.copied_bytes = result.copied + 1, result.copied_bytes + st.st_size
        else:
            sha, result.hashed = _copy_hashing(src, dest), result.hashed + 1
            result.copied, result.copied_bytes = result.copied + 1, result.copied_bytes + st.st_size
        files[rel] = {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": sha}
        result.files, result.bytes = result.files + 1, result.bytes + st.st_size
    kept = walk(out / "archive")
    result.stale = sorted((set(kept.files) | set(kept.quarantined)) - set(files))
    manifest = {"format": FORMAT, "created": taken, "database": result.database,
                "database_sha256": sha256_file(out / result.database), "files": files}
    os.sync()   # every copy on disk before the manifest says so (one sync, not one fsync per file)
    _write(out / SUMS, "".join(f"{v['sha256']}  archive/{k}\n" for k, v in sorted(files.items())))
    _write(out / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    result.seconds = round(time.monotonic() - t0, 3)
    return result


def _write(path: Path, body: str) -> None:
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(body, encoding="utf-8")
    tmp.replace(path)
