"""OCR page batches in the database — the source of truth; a broker message carries only a batch id.

A document's pages are split into batches of ≤ ``[queue] batch_pages`` (:func:`plan`). A worker :func:`claim`s a
batch with one conditional UPDATE (queued → running, or a running batch whose lease ran out or whose worker on this
machine is dead), so a message delivered twice runs the batch once. Each page read is upserted into ``ocr_result``
(:func:`record`), the lease renewed as it goes; the batch ends ``done``, ``rejected`` (the file's fault: a page too
slow, unreadable) or, after :data:`MAX_CLAIMS` claims, ``failed``. :func:`reap` finds what must be sent again.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import socket
from pathlib import Path

from sqlalchemy import delete, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ocr.page import PageResult
from store.db import Store
from store.models import Document, OcrBatch, OcrBatchLog, OcrResult
from workers import wake

MAX_CLAIMS = 3      # a batch claimed this often without finishing fails (no poison loop)
LOG_KEPT = dt.timedelta(days=1)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _clock(s: Session) -> dt.datetime:
    """The time leases are measured by: the database server's on PostgreSQL (worker machines' clocks disagree —
    a slow one would write a lease that is already over, a fast one take over a live worker's batch); this
    machine's on SQLite (one machine)."""
    if s.get_bind().dialect.name == "postgresql":
        got = s.scalar(text("SELECT statement_timestamp()"))
        assert isinstance(got, dt.datetime)
        return got.astimezone(dt.UTC)
    return _now()


def _machine() -> str:
    """This machine as workers name it: the hostname, this boot's id and this process's PID namespace (worker
    machines cloned from one image often share a hostname; containers on one host with the host's network share
    the hostname and the boot; a pid is only worth checking in the very namespace, on the very boot, that ran it)."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()[:8]
    except OSError:
        boot = "noboot"
    try:   # "pid:[4026531836]": one number per PID namespace
        ns = "".join(c for c in os.readlink("/proc/self/ns/pid") if c.isdigit())
    except OSError:
        ns = "nons"
    return f"{socket.gethostname()}/{boot}/{ns}"


def worker_id() -> str:
    return f"{_machine()}:{os.getpid()}"


def plan(store: Store, doc_id: int, sha256: str, kind: str, pages: int, batch_pages: int) -> list[int]:
    """The batches of these bytes (created once); batches that ended rejected or failed in an earlier attempt of the
    document are queued afresh. Returns the ids of the batches not done."""
    with store.session() as s:
        have = {b.first: b for b in s.scalars(select(OcrBatch).where(OcrBatch.document_id == doc_id,
                                                                        OcrBatch.sha256 == sha256))}
        for first in range(0, pages, batch_pages):
            b = have.get(first)
            if b is None:
                s.add(OcrBatch(document_id=doc_id, sha256=sha256, kind=kind, first=first,
                               last=min(pages, first + batch_pages), state="queued", attempts=0))
            elif b.state in ("rejected", "failed"):
                b.state, b.attempts, b.error, b.error_code, b.worker = "queued", 0, None, None, None
        s.flush()
        return list(s.scalars(select(OcrBatch.id).where(OcrBatch.document_id == doc_id, OcrBatch.sha256 == sha256,
                                                        OcrBatch.state != "done").order_by(OcrBatch.first)))


def mark_sent(store: Store, ids: list[int]) -> None:
    with store.session() as s:
        s.execute(update(OcrBatch).where(OcrBatch.id.in_(ids), OcrBatch.state == "queued")
                  .values(queued_at=_clock(s)))


def unsent(store: Store, batch_id: int) -> None:
    """The batch's message was consumed without the batch being taken (a worker of an older nasti turned it down):
    the reaper's next look sends it again, even while the queue is busy (reap: ``queued_at`` None)."""
    with store.session() as s:
        s.execute(update(OcrBatch).where(OcrBatch.id == batch_id, OcrBatch.state == "queued").values(queued_at=None))


def _dead_here(worker: str | None) -> bool:
    """The batch's worker ran on this machine and is gone (killed, crashed): its batch may be taken at once."""
    if not worker or ":" not in worker:
        return False
    host, pid = worker.rsplit(":", 1)
    if host != _machine() or not pid.isdigit():
        return False
    try:   # a killed pool process stays a zombie until its Celery parent notices: dead all the same
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True
    except (OSError, IndexError):
        return False


def claim(store: Store, batch_id: int, lease: float) -> OcrBatch | None:
    """Take the batch for this process, or None (done, or running in a live worker). A batch claimed
    :data:`MAX_CLAIMS` times already ends ``failed`` instead."""
    me = worker_id()
    with store.session() as s:
        now = _clock(s)
        b = s.get(OcrBatch, batch_id)
        if b is None or b.state not in ("queued", "running"):
            return None
        if b.state == "running" and not (b.lease_until and b.lease_until < now) and not _dead_here(b.worker):
            return None
        if b.attempts >= MAX_CLAIMS:
            why = f"claimed {b.attempts} times without finishing (last by {b.worker})"
            if s.execute(update(OcrBatch).where(OcrBatch.id == batch_id, OcrBatch.state == b.state,
                                                OcrBatch.attempts == b.attempts)
                         .values(state="failed", error_code="batch_failed", finished_at=now, error=why)).rowcount:
                _log(s, b, b.worker, "failed", "batch_failed", why, now)
            return None
        taken = s.execute(update(OcrBatch).where(OcrBatch.id == batch_id, OcrBatch.state == b.state,
                                                 OcrBatch.attempts == b.attempts)
                          .values(state="running", attempts=b.attempts + 1, worker=me, claimed_at=now,
                                  lease_until=now + dt.timedelta(seconds=lease))).rowcount
        if taken != 1:
            return None
        s.expire(b)
        s.refresh(b)
        s.expunge(b)
        return b


def done_pages(store: Store, b: OcrBatch) -> set[int]:
    with store.session() as s:
        return set(s.scalars(select(OcrResult.number).where(
            OcrResult.document_id == b.document_id, OcrResult.sha256 == b.sha256,
            OcrResult.number > b.first, OcrResult.number <= b.last)))


def _encode(r: PageResult, archive: Path | None = None) -> str:
    """The page's result as JSON; its text layer relative to the archive (every machine mounts the shared archive
    where its admin chose: /mnt/archive on a worker, /srv/nasti/archive on the server)."""
    d = dataclasses.asdict(r)
    layer = r.layer
    if layer is not None and archive is not None and layer.is_relative_to(archive):
        layer = layer.relative_to(archive)
    d["layer"] = str(layer) if layer is not None else None
    d["doubtful"] = list(r.doubtful)
    return json.dumps(d, ensure_ascii=False)


def _decode(raw: str, archive: Path | None = None) -> PageResult:
    d = json.loads(raw)
    layer = Path(d["layer"]) if d["layer"] else None
    if layer is not None and not layer.is_absolute() and archive is not None:
        layer = archive / layer
    d["layer"] = layer
    d["doubtful"] = tuple(d.get("doubtful") or ())
    return PageResult(**d)


def record(store: Store, b: OcrBatch, r: PageResult, lease: float, *, archive: Path | None = None) -> bool:
    """Renew the lease and upsert one page's result; False (nothing recorded) when the batch is no longer this
    worker's — taken over, or its document closed and its batches forgotten (a result then would be an orphan)."""
    row = {"document_id": b.document_id, "sha256": b.sha256, "number": r.number, "result": _encode(r, archive)}
    with store.session() as s:   # the UPDATE locks the batch's row first: forget() waits for this to commit
        if s.execute(update(OcrBatch).where(OcrBatch.id == b.id, OcrBatch.worker == worker_id(),
                                            OcrBatch.state == "running")
                     .values(lease_until=_clock(s) + dt.timedelta(seconds=lease))).rowcount != 1:
            return False
        ins = (postgresql.insert(OcrResult) if s.get_bind().dialect.name == "postgresql"
               else sqlite.insert(OcrResult)).values(**row)
        s.execute(ins.on_conflict_do_update(index_elements=["document_id", "sha256", "number"],
                                            set_={"result": ins.excluded.result}))
        return True


def closed(store: Store, doc_id: int) -> bool:
    """The document is over (done, rejected, duplicate) or gone: nothing in its staging is wanted any more."""
    with store.session() as s:
        status = s.scalar(select(Document.status).where(Document.id == doc_id))
    return status not in ("received", "processing", "failed")


def finish(store: Store, b: OcrBatch, state: str, code: str | None = None, error: str | None = None) -> bool:
    with store.session() as s:
        now = _clock(s)
        if s.execute(update(OcrBatch).where(OcrBatch.id == b.id, OcrBatch.worker == worker_id(),
                                            OcrBatch.state == "running")
                     .values(state=state, error_code=code, error=error, lease_until=None,
                             finished_at=now)).rowcount != 1:
            return False
        _log(s, b, worker_id(), state, code, error, now)
        wake.notify(s, b.document_id)   # the leader waiting for this document looks now (workers/wake.py)
        return True


def _log(s: Session, b: OcrBatch, worker: str | None, state: str, code: str | None, error: str | None,
         now: dt.datetime) -> None:
    """The ended batch in ``ocr_batch_log`` (the worker status: workers/progress.py); a day of it is kept."""
    s.add(OcrBatchLog(worker=worker, document_id=b.document_id, first=b.first, last=b.last, state=state,
                      error_code=code, error=error, claimed_at=b.claimed_at, finished_at=now))
    s.execute(delete(OcrBatchLog).where(OcrBatchLog.finished_at < now - LOG_KEPT))


def release(store: Store, b: OcrBatch) -> None:
    with store.session() as s:
        s.execute(update(OcrBatch).where(OcrBatch.id == b.id, OcrBatch.worker == worker_id(),
                                         OcrBatch.state == "running").values(state="queued", queued_at=None))


def states(store: Store, doc_id: int, sha256: str) -> list[OcrBatch]:
    with store.session() as s:
        out = list(s.scalars(select(OcrBatch).where(OcrBatch.document_id == doc_id, OcrBatch.sha256 == sha256)
                             .order_by(OcrBatch.first)))
        s.expunge_all()
        return out


def reap(store: Store, doc_id: int, sha256: str, requeue_after: float, *, broker_empty: bool = True) -> list[int]:
    """Batches to send again: running ones whose lease ran out (or whose worker here died) go back to queued;
    queued ones sent over ``requeue_after`` seconds ago are sent again only when the broker's queue is empty (their
    message was lost: a Redis restart) — a batch still waiting its turn behind others is never sent twice."""
    out: list[int] = []
    with store.session() as s:
        now = _clock(s)
        for b in s.scalars(select(OcrBatch).where(OcrBatch.document_id == doc_id, OcrBatch.sha256 == sha256,
                                                  OcrBatch.state.in_(("queued", "running")))):
            if b.state == "running" and ((b.lease_until and b.lease_until < now) or _dead_here(b.worker)):
                s.execute(update(OcrBatch).where(OcrBatch.id == b.id, OcrBatch.state == "running",
                                                 OcrBatch.worker == b.worker).values(state="queued"))
                out.append(b.id)
            elif b.state == "queued" and (b.queued_at is None or (
                    broker_empty and b.queued_at < now - dt.timedelta(seconds=requeue_after))):
                out.append(b.id)
    return out


def results(store: Store, doc_id: int, sha256: str, pages: int, *,
            archive: Path | None = None) -> list[PageResult] | None:
    """Every page's result, in order (text layers under ``archive``, this machine's mount of it); None (and the
    batches concerned queued again, their claims still counted: a layer this machine never sees — a worker writing
    to a folder that is not the shared archive — ends in `failed`, not an endless loop) when a page's result or
    its text layer is missing (staging removed by a restart)."""
    with store.session() as s:
        rows = {n: _decode(r, archive) for n, r in s.execute(select(OcrResult.number, OcrResult.result).where(
            OcrResult.document_id == doc_id, OcrResult.sha256 == sha256))}
        missing = [n for n in range(1, pages + 1)
                   if n not in rows or (rows[n].layer is not None and not rows[n].layer.is_file())]
        if not missing:
            return [rows[n] for n in range(1, pages + 1)]
        s.execute(delete(OcrResult).where(OcrResult.document_id == doc_id, OcrResult.sha256 == sha256,
                                          OcrResult.number.in_(missing)))
        s.execute(update(OcrBatch).where(OcrBatch.document_id == doc_id, OcrBatch.sha256 == sha256,
                                         OcrBatch.state == "done",
                                         or_(*[(OcrBatch.first < n) & (OcrBatch.last >= n) for n in missing]))
                  .values(state="queued", queued_at=None))
        return None


def forget(store: Store, doc_id: int) -> None:
    """The document is settled: its batches and page results are no longer needed."""
    with store.session() as s:   # batches first: a worker recording a page holds its batch's row until it commits
        s.execute(delete(OcrBatch).where(OcrBatch.document_id == doc_id))
        s.execute(delete(OcrResult).where(OcrResult.document_id == doc_id))
