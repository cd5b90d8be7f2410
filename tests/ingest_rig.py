"""Test helper: the real ingest pipeline in-process (real files, real OCR pool with tesseract, real SQLite), with
the step hooks of ingest/steps.py to act at controlled moments, and the invariants every run must keep."""
from __future__ import annotations

import contextlib
import io
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from PIL import Image

from common import config as configmod
from ingest.pipeline import Ingestor, Outcome
from ingest.steps import HOOKS
from ocr.pool import OcrPool
from store.db import Store
from tests import hostile
from tests.conftest import write_config


class Rig:
    def __init__(self, root: Path, extra: str = "") -> None:
        self.root = root
        self.share = root / "share"
        self.share.mkdir(exist_ok=True)
        self.config = write_config(root, "[ocr]\nworkers = 1\n" + extra)
        self.cfg = configmod.load(str(self.config))
        self.archive = self.cfg.archive
        self.archive.mkdir(parents=True, exist_ok=True)
        self.store = Store(self.cfg.store_url)
        self.pool = OcrPool(1)
        self.ingestor = Ingestor(self.cfg, self.store, self.pool)
        self.ocr_runs = 0
        real_ocr = self.ingestor._ocr

        def counted(*a: Any, **kw: Any) -> Any:   # a spy: how often whole documents were OCR'd
            self.ocr_runs += 1
            return real_ocr(*a, **kw)

        self.ingestor._ocr = counted  # type: ignore[method-assign]

    def close(self) -> None:
        HOOKS.clear()
        self.pool.close()
        self.store.close()

    def drop(self, source: str, data: bytes) -> Path:
        path = self.share / source
        hostile.write(path, data)
        return path

    def handle(self, path: Path) -> Outcome | None:
        """Like the watcher: handle the path, and again while the outcome says the path holds new bytes."""
        outcome = self.ingestor.handle(path)
        for _ in range(3):
            if outcome is None or not outcome.again:
                break
            outcome = self.ingestor.handle(path)
        return outcome

    def rows(self, sql: str = "select * from document order by id", *args: Any) -> list[sqlite3.Row]:
        db = sqlite3.connect(self.root / "var" / "nasti.db")
        db.row_factory = sqlite3.Row
        try:
            return db.execute(sql, args).fetchall()
        finally:
            db.close()

    def docs(self) -> list[sqlite3.Row]:
        return self.rows()

    def events(self, doc_id: int) -> list[sqlite3.Row]:
        return self.rows("select * from event where document_id = ? order by id", doc_id)


@contextlib.contextmanager
def rig(root: Path, extra: str = "") -> Iterator[Rig]:
    r = Rig(root, extra)
    try:
        yield r
    finally:
        r.close()


def png(text: str, size: tuple[int, int] | None = None) -> bytes:
    img = hostile.small_page(text) if size is None else Image.new("L", size, 255)
    buf = io.BytesIO()
    img.save(buf, "PNG", dpi=(300, 300))
    return buf.getvalue()


def archive_files(archive: Path) -> set[Path]:
    return {p for p in archive.rglob("*") if p.is_file() and ".staging" not in p.parts
            and "_quarantine" not in p.parts and not (p.parent == archive and p.name.startswith(".nasti"))}


def check_invariants(share: Path, archive: Path, db_path: Path) -> dict[str, int]:
    """No document left in work, every done one archived byte-identical with its PDF, every returned one under
    _rejected/ with its reason file, no orphan in the archive. Returns counts per status."""
    import hashlib

    db = sqlite3.connect(db_path)
    rows = db.execute("select id, source, sha256, status, archive_path, pdf_path, rejected_path, settled, problem "
                      "from document").fetchall()
    db.close()
    counts: dict[str, int] = {}
    referenced: set[Path] = set()
    for doc_id, source, sha, status, arch, pdf, rej, settled, problem in rows:
        counts[status] = counts.get(status, 0) + 1
        assert status in ("done", "rejected", "duplicate", "failed"), (doc_id, source, status)
        if status == "done":
            assert hashlib.sha256((archive / arch).read_bytes()).hexdigest() == sha, (doc_id, source)
            assert (archive / pdf).is_file(), (doc_id, source)
            referenced |= {archive / arch, archive / pdf}
        elif rej and settled and problem is None:
            moved = share / rej
            assert moved.exists() or moved.is_symlink(), (doc_id, source, rej)
            assert (share / (rej + ".reason.txt")).exists() or (share / (rej + ".resolved.txt")).exists()
    orphans = archive_files(archive) - referenced
    assert not orphans, sorted(map(str, orphans))[:5]
    return counts


@contextlib.contextmanager
def mounted(kind: str, target: Path, size_kb: int = 0) -> Iterator[bool]:
    """A real small tmpfs (a disk that fills up) or a read-only bind mount over `target`. Yields False when the
    machine does not let us mount (not root): the caller then injects the same OS error instead."""
    target.mkdir(parents=True, exist_ok=True)
    if kind == "tmpfs":
        cmds = [["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(target)]]
    else:
        cmds = [["mount", "--bind", str(target), str(target)], ["mount", "-o", "remount,ro,bind", str(target)]]
    ok = all(subprocess.run(c, capture_output=True).returncode == 0 for c in cmds)
    try:
        yield ok
    finally:
        if ok or kind != "tmpfs":
            subprocess.run(["umount", str(target)], capture_output=True)
