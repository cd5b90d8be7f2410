"""After a crash or power cut: make the archive and the database agree before taking new files."""
from __future__ import annotations

import logging
import shutil
from pathlib import Path

from sqlalchemy import select

from ingest.pipeline import STAGING
from ingest.reasons import reason
from store import repo
from store.db import Store
from store.models import Document

log = logging.getLogger("nasti.ingest")


def recover(store: Store, share: Path, archive: Path) -> dict[str, int]:
    """Drop half-written archive files, and settle records whose original is no longer in the share.

    Records whose original is still in the share are left alone: the next scan finds them and `Ingestor.handle`
    resumes each one from its recorded state.
    """
    counts = {"orphans_removed": 0, "vanished": 0, "settled": 0}
    shutil.rmtree(archive / STAGING, ignore_errors=True)
    with store.session() as s:
        keep: set[Path] = set()
        for doc in s.scalars(select(Document).where(Document.status == "done")):
            keep.update(archive / p for p in (doc.archive_path, doc.pdf_path) if p)
        for doc in s.scalars(select(Document).where(Document.status.in_(repo.ACTIVE) | Document.settled.is_(False))):
            original = share / doc.share_path
            if original.exists() or original.is_symlink():
                continue
            if doc.status in repo.FINAL:
                doc.settled = True          # the share was already updated; only the flag was lost
                counts["settled"] += 1
            else:
                r = reason("ocr_failed", "the file was removed from the share before it was processed")
                doc.reason_code, doc.reason, doc.reason_hi = "vanished", r.en, r.hi
                repo.transition(s, doc, "rejected", "original no longer in the share", actor="recovery")
                doc.settled = True
                counts["vanished"] += 1
    if archive.exists():
        for f in archive.rglob("*"):
            if f.is_file() and f not in keep and STAGING not in f.relative_to(archive).parts:
                f.unlink()
                counts["orphans_removed"] += 1
    if any(counts.values()):
        log.info("recovery: %s", counts)
    return counts


