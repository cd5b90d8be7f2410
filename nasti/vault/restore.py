"""`nasti restore IN`: put a backup's database back, bring back missing archive files, then reconcile.

Reconcile, not prune: archive files newer than the backup (scans archived after it was taken) are re-attached from
the record in their searchable PDF (``nasti.vault.rebuild.reconcile``); what carries no record is set aside in
``_quarantine/``. Nothing is deleted, and a database that already holds documents is replaced only with ``force`` —
after a copy of it is kept beside it.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from common.config import Config
from ingest.archive import sha256_file
from nasti.vault.backup import PG_FILE, SQLITE_FILE, BackupError, load_manifest, snapshot_sqlite, sqlite_path
from nasti.vault.rebuild import reconcile
from store.db import Store


@dataclass
class RestoreResult:
    database: str
    kept_previous: str | None = None
    files_restored: int = 0
    files_present: int = 0
    files_differ: list[str] = field(default_factory=list)       # present in the archive with other content: kept
    files_unavailable: list[str] = field(default_factory=list)  # neither in the archive nor (intact) in the backup
    reconciled: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _documents(db: Path) -> int:
    if not db.is_file() or db.stat().st_size == 0:
        return 0
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=60)
    try:
        return int(con.execute("SELECT count(*) FROM document").fetchone()[0])
    except sqlite3.DatabaseError:
        return 0
    finally:
        con.close()


def _restore_sqlite(src: Path, db: Path, force: bool, result: RestoreResult) -> None:
    held = _documents(db)
    if held and not force:
        raise BackupError(f"the database {db} already holds {held} documents; restore replaces it only with "
                          "--force (a copy of it is kept beside it)")
    if db.exists():
        keep = db.with_name(f"{db.name}.before-restore-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}")
        snapshot_sqlite(db, keep)
        result.kept_previous = str(keep)
    db.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    target = sqlite3.connect(db, timeout=60)
    try:
        source.backup(target)   # page by page into the live file, through SQLite's own locking and WAL
    finally:
        target.close()
        source.close()


def _restore_postgres(url: str, dump: Path, force: bool) -> None:
    if shutil.which("pg_restore") is None:
        raise BackupError("the database is PostgreSQL but pg_restore is not installed (apt install postgresql-client)")
    args = ["pg_restore", "--no-owner", "--single-transaction"] + (["--clean", "--if-exists"] if force else [])
    u = make_url(url).set(drivername="postgresql")
    r = subprocess.run([*args, f"--dbname={u.render_as_string(hide_password=False)}", str(dump)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        lines = r.stderr.strip().splitlines()
        first = next((x for x in lines if "error" in x.lower()), lines[-1] if lines else str(r.returncode))
        raise BackupError(f"pg_restore failed (a database that holds tables is replaced only with --force): {first}")


def _archive_back(src: Path, archive: Path, files: dict[str, Any], result: RestoreResult) -> None:
    for rel, info in sorted(files.items()):
        dest = archive / rel
        if dest.exists():
            if dest.stat().st_size == info.get("size"):
                result.files_present += 1
            else:
                result.files_differ.append(rel)
            continue
        copy = src / "archive" / rel
        if not copy.is_file() or sha256_file(copy) != info.get("sha256"):
            result.files_unavailable.append(rel)
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(dest.name + ".part")
        shutil.copy2(copy, tmp)
        tmp.replace(dest)
        result.files_restored += 1
    os.sync()   # the brought-back files are on disk before the database is reconciled against them


def restore(cfg: Config, src: Path, *, force: bool = False) -> RestoreResult:
    manifest = load_manifest(src)
    if not manifest:
        raise BackupError(f"{src} is not a nasti backup (no readable manifest.json)")
    name = str(manifest.get("database") or "")
    if sha256_file(src / name) != manifest.get("database_sha256"):
        raise BackupError(f"the database file of the backup ({name}) does not match its manifest")
    result = RestoreResult(database=name)
    db = sqlite_path(cfg.store_url)
    if name == SQLITE_FILE and db is not None:
        _restore_sqlite(src / name, db, force, result)
    elif name == PG_FILE and make_url(cfg.store_url).get_backend_name() == "postgresql":
        _restore_postgres(cfg.store_url, src / name, force)
    else:
        raise BackupError(f"the backup holds {name}, which does not fit the configured database")
    _archive_back(src, cfg.archive, manifest.get("files") or {}, result)
    store = Store(cfg.store_url)   # migrates a backup taken by an older nasti
    try:
        result.reconciled = reconcile(store, cfg, cfg.archive, actor="restore").as_dict()
    finally:
        store.close()
    return result
