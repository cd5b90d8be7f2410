"""After a crash or power cut: make the archive and the database agree before taking new files.

Runs only under the share lock (ingest/sharelock.py), so no other live nasti process has work in flight. Archive
files are never deleted unless a record says they are this process's own unfinished work; anything else the
database does not reference is moved to `<archive>/_quarantine/<UTC time>/` and reported.

On a shared archive (PostgreSQL: several machines mount it) recovery is driven by the database alone: the records in
flight and their staging. The walk over the whole archive is not made — files no row references yet may be another
machine's work in progress, and at millions of files over SMB/NFS the walk takes minutes; `nasti fsck` walks it and
reports, never deleting.
"""
from __future__ import annotations

import datetime as dt
import errno
import logging
import os
import shutil
from pathlib import Path

from sqlalchemy import delete, select

from ingest import share as sharefs
from ingest.failures import unlink_if_own
from ingest.pipeline import STAGING
from ingest.reasons import reason
from store import dblocks, repo
from store.db import Store
from store.models import Document, OcrBatch, OcrResult

log = logging.getLogger("nasti.ingest")
QUARANTINE = "_quarantine"
OWN = {STAGING, QUARANTINE}   # archive folders that are not archive content


def recover(store: Store, share: Path, archive: Path, *, walk: bool | None = None) -> dict[str, int]:
    """Settle records whose original is no longer in the share, remove unfinished archive files of records still
    in work, keep OCR results of failed documents waiting for a retry, and (``walk``; default: unless the database
    is PostgreSQL, whose archive is shared) quarantine unreferenced files.

    Records whose original is still in the share are left alone: the next scan finds them and `Ingestor.handle`
    resumes each one from its recorded state.
    """
    if walk is None:
        walk = store.engine.dialect.name != "postgresql"
    counts = {"quarantined": 0, "unfinished_removed": 0, "vanished": 0, "settled": 0}
    keep: set[Path] = set()
    unfinished: set[Path] = set()
    orphaned: set[Path] = set()
    waiting: set[str] = set()
    own_sha: dict[Path, str] = {}   # an unfinished record's original copy: removed only if it holds its bytes
    with store.session() as s:   # shared: the records in flight only (not millions of done ones)
        copied = select(Document).where(Document.archive_path.is_not(None))
        for doc in s.scalars(copied if walk else copied.where(Document.status != "done")):
            paths = {archive / p for p in (doc.archive_path, doc.pdf_path) if p}
            if doc.status == "done":
                keep |= paths
            else:   # written down before the copy began: this record's own half-made files; on a shared archive
                # too — a leader that lost the lead ended its (fenced) copy before this one took the epoch
                unfinished |= {p.with_name(p.name + ".part") for p in paths}
                if (sharefs.on_disk(share, doc.share_path)).exists():
                    if walk:   # shared: a leader that lost its lock may still be finishing it; resuming keeps it
                        unfinished |= paths     # the original is still in the share: its copy is redundant
                        if doc.archive_path:    # ... if it is its copy (not another file at that name)
                            own_sha[archive / doc.archive_path] = doc.sha256
                else:
                    orphaned |= paths       # maybe the only copy left (a deleted original, an unmounted share)
        if not walk and (unfinished | orphaned):   # a done record's file stays, whatever another record says
            rels = [f.relative_to(archive).as_posix() for f in unfinished | orphaned]
            for a, b in s.execute(select(Document.archive_path, Document.pdf_path).where(
                    Document.status == "done", Document.archive_path.in_(rels) | Document.pdf_path.in_(rels))):
                keep |= {archive / p for p in (a, b) if p}
        for doc in s.scalars(select(Document).where(Document.status.in_((*repo.ACTIVE, "failed"))
                                                    | Document.settled.is_(False))):
            original = sharefs.on_disk(share, doc.share_path)
            if original.exists() or original.is_symlink():
                if doc.status == "failed":
                    waiting.add(str(doc.id))
                continue
            if doc.status in repo.FINAL and doc.status != "failed":
                doc.settled = True          # the share was already updated; only the flag was lost
                counts["settled"] += 1
            else:
                r = reason("removed")
                doc.reason_code, doc.reason, doc.reason_hi, doc.problem = r.code, r.en, r.hi, None
                repo.transition(s, doc, "rejected", "original no longer in the share", actor="recovery")
                doc.settled = True
                counts["vanished"] += 1
                orphaned |= {archive / p for p in (doc.archive_path, doc.pdf_path) if p}
                doc.archive_path = doc.pdf_path = None
    with dblocks.fenced(store):   # a watcher that no longer leads removes and moves nothing (store/dblocks.py)
        for f in unfinished - keep:
            if f in own_sha:   # other bytes stay, and the walk sets them aside like any unreferenced file
                counts["unfinished_removed"] += unlink_if_own(f, own_sha[f])
            elif f.is_file():
                f.unlink()
                counts["unfinished_removed"] += 1
        stamp = quarantine_stamp()
        for f in orphaned - keep - unfinished:   # never deleted: moved aside with everything else nobody references
            if f.is_file():
                counts["quarantined"] += _set_aside(archive, f, stamp, "belongs to an unfinished record whose "
                                                    "original left the share")
    with store.session() as s:   # pages OCR workers on other machines are reading (workers/): theirs, not ours
        over = select(Document.id).where(Document.status.in_(tuple(set(repo.FINAL) - {"failed"})))
        s.execute(delete(OcrBatch).where(OcrBatch.document_id.in_(over)))   # a closed document's pages: not needed
        s.execute(delete(OcrResult).where(OcrResult.document_id.in_(over)))
        waiting |= {str(d) for d in s.scalars(select(OcrBatch.document_id).distinct())}
        staging = archive / STAGING
        here = list(staging.iterdir()) if staging.is_dir() else []
        known = None if walk else {str(i) for i in s.scalars(select(Document.id).where(
            Document.id.in_([int(d.name) for d in here if d.name.isdigit()])))}
    with dblocks.fenced(store):
        if here:
            for d in here:
                if d.name not in waiting and (known is None or d.name in known):   # shared: only what the DB says
                    shutil.rmtree(d, ignore_errors=True)
    if walk and archive.exists():
        for root, dirs, files in os.walk(archive):
            rel = Path(root).relative_to(archive)
            if not rel.parts:
                dirs[:] = [d for d in dirs if d not in OWN]
            for name in files:
                f = Path(root) / name
                if f in keep or (not rel.parts and name.startswith(".nasti")):
                    continue
                counts["quarantined"] += _set_aside(archive, f, stamp, "is referenced by no document")
    if any(counts.values()):
        log.info("recovery: %s", counts)
    return counts


def quarantine_stamp() -> str:
    """The ``_quarantine/<UTC time>/`` folder name of one round of setting aside."""
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


class SetAsideError(OSError):
    """An archive file could not be moved into ``_quarantine/`` (no permission, an immutable folder, a read-only
    mount). Its one-line message says, Hindi first, then English, what to do; nothing was deleted."""

    def __init__(self, rel: Path | str, folder: Path, e: OSError) -> None:
        why = e.strerror or type(e).__name__
        super().__init__(e.errno, (
            f"संग्रह की फ़ाइल {rel} को {QUARANTINE}/ में नहीं हटाया जा सका ({why}) — nasti उपयोगकर्ता को {folder} "
            "और संग्रह में लिखने की अनुमति दें (`ls -l`, `lsattr`: chattr +i हटाएँ; केवल-पढ़ने वाला माउंट?), फिर दोबारा "
            f"चलाएँ; कुछ भी मिटाया नहीं गया / could not set aside archive file {rel} in {QUARANTINE}/ ({why}): give the "
            f"nasti user write access to {folder} and to the archive (check `ls -l` and `lsattr` for chattr +i, or a "
            "read-only mount), then run again; nothing was deleted"))

    def __str__(self) -> str:       # the message alone, not "[Errno 1] …"
        return str(self.strerror)


def move_aside(archive: Path, rel: Path | str, stamp: str) -> Path | None:
    """Move one archive file to ``_quarantine/<stamp>/`` under its archive-relative path (never delete it); the one
    place files are set aside (recovery here, re-attachment in nasti.vault).

    Never replaces: a name already taken there (two set-asides of one name in the same second, a clock stepped
    back) gets a free one (``name-2.ext``; a folder blocked by a file: ``<stamp>-2/``). A file that vanished
    meanwhile is logged and skipped (None), leaving no empty folder. No permission: :class:`SetAsideError`.
    Only one process sets aside at a time (under the share lock), so a free name stays free until the move."""
    src = archive / rel
    if not src.is_file():
        log.warning("set aside: %s vanished before it could be moved; skipped", rel)
        return None
    quarantine = archive / QUARANTINE
    made: list[Path] = []
    try:
        dest = _free(quarantine, stamp, Path(rel), made)
        os.rename(src, dest)
    except FileNotFoundError:
        _prune(made)
        log.warning("set aside: %s vanished before it could be moved; skipped", rel)
        return None
    except OSError as e:
        _prune(made)
        if e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise SetAsideError(rel, quarantine, e) from e
        raise
    return dest


def _free(quarantine: Path, stamp: str, rel: Path, made: list[Path]) -> Path:
    """A destination for ``rel`` under ``quarantine`` that holds nothing yet (its folders made; those new ones are
    appended to ``made``, deepest last)."""
    for n in range(1, 1000):
        folder = (quarantine / (stamp if n == 1 else f"{stamp}-{n}") / rel).parent
        tried: list[Path] = []
        try:
            _mkdirs(folder, tried)
        except (FileExistsError, NotADirectoryError):   # a file where a folder is needed: another stamp folder
            _prune(tried)
            continue
        made += tried
        for k in range(1, 1000):
            dest = folder / (rel.name if k == 1 else f"{rel.stem}-{k}{rel.suffix}")
            if not os.path.lexists(dest):
                return dest
    raise FileExistsError(errno.EEXIST, "no free name in the quarantine", str(quarantine / stamp / rel))


def _mkdirs(folder: Path, made: list[Path]) -> None:
    for p in (*reversed(folder.parents), folder):
        if p.is_dir():
            continue
        if os.path.lexists(p):
            raise NotADirectoryError(errno.ENOTDIR, "a file where a folder is needed", str(p))
        p.mkdir()
        made.append(p)


def _prune(made: list[Path]) -> None:
    """Remove the folders this move made, if still empty (a vanished file leaves none behind)."""
    for p in reversed(made):
        try:
            p.rmdir()
        except OSError:
            return


def _set_aside(archive: Path, f: Path, stamp: str, why: str) -> bool:
    rel = f.relative_to(archive)
    if (dest := move_aside(archive, rel, stamp)) is None:
        return False
    log.warning("recovery: %s %s; moved to %s", rel, why, dest.relative_to(archive))
    return True
