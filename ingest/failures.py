"""How a document ends when things go wrong that are not the file's fault: the clerk changed it mid-way
(`rejected`, reason `replaced` / `removed`), or nasti hit an error it did not foresee (`failed`, bounded retries)."""
from __future__ import annotations

import errno
import logging
import traceback
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest.archive import ArchiveConflict, sha256_file
from ingest.reasons import reason
from ingest.steps import ENV_BACKOFF, backoff
from store import repo
from store.db import Store
from store.models import Document, Event, utcnow
from store.repo import MAX_ATTEMPTS

log = logging.getLogger("nasti.ingest")
FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
# environment problems: retried every ENV_BACKOFF without counting attempts, shown as health lines
# an archive conflict (another file where the copy goes) waits for the operator the same way
ENVIRONMENT = ("archive_full", "archive_unwritable", "archive_conflict", "engine_missing", "file_unreadable")


def archive_problem(e: OSError) -> str:
    if isinstance(e.__cause__, ArchiveConflict):
        return "archive_conflict"
    return "archive_full" if e.errno in FULL else "archive_unwritable"


def _since(doc: Document) -> float:
    last = doc.updated_at
    now = utcnow()
    if last.tzinfo is None:
        now = now.replace(tzinfo=None)
    return (now - last).total_seconds()


def may_retry(doc: Document) -> bool:
    """A failed document is tried again after a back-off; one nasti itself failed on MAX_ATTEMPTS times is not."""
    if doc.problem in ENVIRONMENT:
        return _since(doc) >= ENV_BACKOFF.total_seconds()
    return doc.attempts < MAX_ATTEMPTS and _since(doc) >= backoff(doc.attempts).total_seconds()


def unreadable_record(s: Session, source: str) -> Document | None:
    """The `failed` record of a file at `source` that nasti was not allowed to read."""
    return s.scalar(select(Document).where(Document.source == source, Document.status == "failed",
                                           Document.problem == "file_unreadable")
                    .order_by(Document.id.desc()).limit(1))


def drop_own_copies(store: Store, archive: Path, doc_id: int) -> None:
    """Remove the archive files this (not done) document started to write, so nothing is left orphaned."""
    with store.session() as s:
        doc = s.get_one(Document, doc_id)
        if doc.status == "done":
            return
        remove_own_copies(archive, doc)
        doc.archive_path = doc.pdf_path = None


def forget_copies(store: Store, doc_id: int) -> None:
    """The archive paths written down for `doc_id` name files that are not its own (an archive conflict): they are
    forgotten, not removed."""
    with store.session() as s:
        doc = s.get_one(Document, doc_id)
        doc.archive_path = doc.pdf_path = None


def remove_own_copies(archive: Path, doc: Document) -> None:
    """Unlink the archive files recorded for `doc` (not done) and their temporaries — the original's copy only when it
    holds the document's bytes: another file at that name (an older original, an id used again) is not its own."""
    for rel in (doc.archive_path, doc.pdf_path):
        if rel:
            _unlink_file(archive / (rel + ".part"))
    if doc.pdf_path:
        _unlink_file(archive / doc.pdf_path)
    if doc.archive_path:
        try:
            unlink_if_own(archive / doc.archive_path, doc.sha256)
        except OSError as e:   # a directory there, no permission: left, and the record still reaches its state
            log.warning("%s could not be checked or removed (%s); left as it is", archive / doc.archive_path, e)


def _unlink_file(path: Path) -> None:
    """Remove a file (or a symlink, not what it points to); anything else there — a directory — stays, logged: a
    clean-up that raised here left its document in `processing` for good (attack round, 2026-12-02)."""
    try:
        if path.is_symlink() or path.is_file():
            path.unlink()
        elif path.exists():
            log.warning("%s is not a file; left as it is", path)
    except FileNotFoundError:
        pass
    except OSError as e:
        log.warning("%s could not be removed (%s); left as it is", path, e)


def unlink_if_own(copy: Path, sha256: str) -> bool:
    """Remove `copy` if it holds these bytes; a file with other bytes stays (logged). True when removed."""
    try:
        if sha256_file(copy) != sha256:
            log.warning("%s is not the copy its record expects (other bytes); left as it is", copy)
            return False
        copy.unlink()
    except FileNotFoundError:
        return False
    return True


def close_changed(store: Store, archive: Path, doc_id: int, how: str, step: str) -> None:
    """The clerk replaced, renamed or removed the file during `step`: the record closes, nothing is moved."""
    drop_own_copies(store, archive, doc_id)
    with store.session() as s:
        doc = s.get_one(Document, doc_id)
        r = reason(how)
        doc.reason_code, doc.reason, doc.reason_hi = r.code, r.en, r.hi
        doc.problem = None
        repo.transition(s, doc, "rejected", f"the file at {doc.source} was {how} during the {step} step",
                        actor="clerk")
        doc.settled = True   # the share already shows it: the file is gone or is a new drop


def close_superseded(s: Session, archive: Path, source: str, sha256: str) -> None:
    """New bytes under a name whose earlier bytes were still in work (a crash, then the clerk overwrote the file),
    waited for a retry, or waited to be settled: those records close, and nothing of theirs is moved."""
    for doc in s.scalars(select(Document).where(Document.source == source, Document.sha256 != sha256,
                                                Document.status.in_((*repo.ACTIVE, "failed"))
                                                | Document.settled.is_(False))):
        if doc.status in repo.ACTIVE or doc.status == "failed":
            remove_own_copies(archive, doc)
            doc.archive_path = doc.pdf_path = None
            r = reason("replaced")
            doc.reason_code, doc.reason, doc.reason_hi = r.code, r.en, r.hi
            repo.transition(s, doc, "rejected", "a new file was put under this name before this one was finished",
                            actor="clerk")
        else:
            s.add(Event(document_id=doc.id, from_state=doc.status, to_state=doc.status, actor="clerk", at=utcnow(),
                        detail="a new file was put under this name before the share was updated; nothing moved"))
        doc.settled, doc.problem = True, None


def fail(store: Store, archive: Path, doc_id: int, e: BaseException, step: str, *, problem: str | None) -> bool:
    """End in `failed`, the original kept in the share; the technical detail goes into the event only.
    Returns True when staging (the OCR results) should be kept for the retry."""
    drop_own_copies(store, archive, doc_id)
    tb = traceback.extract_tb(e.__traceback__)[-3:]
    where = "; ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in tb)
    detail = f"{step}: {type(e).__name__}: {e} [{where}]"[:2000]
    with store.session() as s:
        doc = s.get_one(Document, doc_id)
        if problem is None:
            doc.attempts += 1
            r = reason("internal_error")
            doc.needs_review = doc.needs_review or doc.attempts >= MAX_ATTEMPTS
            detail += f" (attempt {doc.attempts} of {MAX_ATTEMPTS})"
        else:
            r = reason(problem if problem != "engine_missing" else "internal_error")
        doc.problem = problem
        doc.reason_code, doc.reason, doc.reason_hi = problem or "internal_error", r.en, r.hi
        repo.transition(s, doc, "failed", detail)
        doc.settled = True   # `failed` keeps the original where the clerk put it
    log.warning("%s failed at the %s step (%s: %s); the original stays in the share", doc_id, step,
                type(e).__name__, e)
    return problem in ("archive_full", "archive_unwritable", "archive_conflict")
