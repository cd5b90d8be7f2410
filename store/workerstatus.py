"""What the OCR workers are doing (``[queue] backend = "celery"``), read from the database alone: per worker machine
and process the batches it reads now (document, pages, since, lease left), what it finished in the last hour and its
pages per minute; the batches waiting for a worker; the batches that ended rejected or failed, with their reason.
For `nasti worker status` and the dashboard's worker page (report/web/workers_page.py)."""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import and_, func, select, text
from sqlalchemy.orm import Session

from store.models import Document, OcrBatch, OcrBatchLog, OcrResult

HOUR = dt.timedelta(hours=1)
RECENT_FAILURES = dt.timedelta(days=1)


@dataclass
class Running:
    batch: int
    document: int
    source: str
    first_page: int
    last_page: int
    pages_read: int
    since: dt.datetime | None
    lease_left: float | None    # seconds; negative: run out (the reaper gives the batch to another worker)


@dataclass
class Worker:
    machine: str
    process: str
    running: list[Running] = field(default_factory=list)
    batches_hour: int = 0
    pages_hour: int = 0

    @property
    def pages_per_minute(self) -> float:
        return round(self.pages_hour / 60, 2)


@dataclass
class Ended:
    document: int
    source: str
    first_page: int
    last_page: int
    state: str                  # rejected | failed
    code: str | None
    reason: str | None
    machine: str
    process: str
    at: dt.datetime


@dataclass
class Status:
    as_of: dt.datetime
    workers: list[Worker]
    queued_batches: int
    queued_pages: int
    failed: list[Ended]

    def to_json(self) -> dict[str, Any]:
        def iso(v: Any) -> Any:
            if isinstance(v, dt.datetime):
                return v.isoformat()
            if isinstance(v, list):
                return [iso(x) for x in v]
            if isinstance(v, dict):
                return {k: iso(x) for k, x in v.items()}
            return v

        workers = [{**iso(asdict(w)), "pages_per_minute": w.pages_per_minute} for w in self.workers]
        return {"as_of": self.as_of.isoformat(), "workers": workers, "queued_batches": self.queued_batches,
                "queued_pages": self.queued_pages, "failed": [iso(asdict(f)) for f in self.failed]}


def split_worker(worker: str | None) -> tuple[str, str]:
    """(machine, process) of a batch's worker id ``host/boot/pidns:pid`` (workers/batches.py worker_id)."""
    if not worker:
        return "?", "?"
    host, _, pid = worker.rpartition(":")
    return (host.split("/", 1)[0] or "?"), pid or "?"


def _now(s: Session) -> dt.datetime:
    if s.get_bind().dialect.name == "postgresql":   # leases are written in the database server's time
        got = s.scalar(text("SELECT statement_timestamp()"))
        assert isinstance(got, dt.datetime)
        return got.astimezone(dt.UTC)
    return dt.datetime.now(dt.UTC)


def _aware(v: dt.datetime | None) -> dt.datetime | None:
    return v.replace(tzinfo=dt.UTC) if v is not None and v.tzinfo is None else v


def worker_status(s: Session) -> Status:
    now = _now(s)
    workers: dict[tuple[str, str], Worker] = {}

    def of(worker: str | None) -> Worker:
        key = split_worker(worker)
        return workers.setdefault(key, Worker(*key))

    read = (select(func.count()).select_from(OcrResult)
            .where(OcrResult.document_id == OcrBatch.document_id, OcrResult.sha256 == OcrBatch.sha256,
                   OcrResult.number > OcrBatch.first, OcrResult.number <= OcrBatch.last).scalar_subquery())
    for b, source, n in s.execute(select(OcrBatch, Document.source, read).join(
            Document, Document.id == OcrBatch.document_id).where(OcrBatch.state == "running")
            .order_by(OcrBatch.claimed_at, OcrBatch.id)):
        lease = _aware(b.lease_until)
        of(b.worker).running.append(Running(b.id, b.document_id, source, b.first + 1, b.last, int(n or 0),
                                            _aware(b.claimed_at),
                                            round((lease - now).total_seconds(), 1) if lease else None))
    for worker, batches, pages in s.execute(
            select(OcrBatchLog.worker, func.count(), func.sum(OcrBatchLog.last - OcrBatchLog.first))
            .where(OcrBatchLog.state == "done", OcrBatchLog.finished_at >= now - HOUR).group_by(OcrBatchLog.worker)):
        w = of(worker)
        w.batches_hour += int(batches)
        w.pages_hour += int(pages or 0)
    queued, queued_pages = s.execute(select(func.count(), func.sum(OcrBatch.last - OcrBatch.first))
                                     .where(OcrBatch.state == "queued")).one()
    failed = []
    for row, source in s.execute(select(OcrBatchLog, Document.source).join(
            Document, Document.id == OcrBatchLog.document_id).where(and_(
                OcrBatchLog.state.in_(("rejected", "failed")), OcrBatchLog.finished_at >= now - RECENT_FAILURES))
            .order_by(OcrBatchLog.finished_at.desc()).limit(200)):
        machine, process = split_worker(row.worker)
        failed.append(Ended(row.document_id, source, row.first + 1, row.last, row.state, row.error_code,
                            row.error, machine, process, _aware(row.finished_at) or now))
    return Status(now, sorted(workers.values(), key=lambda w: (w.machine, w.process)), int(queued or 0),
                  int(queued_pages or 0), failed)
