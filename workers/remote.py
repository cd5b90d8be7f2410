"""`nasti watch` with ``[queue] backend = "celery"``: the pipeline as it is (preflight, inspect, record, settle and
every never-lose rule of ingest/pipeline.py), with the OCR step done by Celery workers on any machine.

The OCR step plans the document's page batches in the database, sends their ids, and waits for the database to say
they are done — re-sending what the reaper finds (a lease run out, a worker killed, a message Redis lost). A batch
rejected (a page too slow, unreadable) rejects the document as the local pool would; a batch that failed
:data:`workers.batches.MAX_CLAIMS` times fails the attempt (counted; after MAX_ATTEMPTS the document waits for
review). The record step (archive copy, searchable PDF, pages, tags, index, `done`) runs here, once per document:
only the leading watcher (store.dblocks.LeaderLock) handles drops, one path at a time (ingest/runner.py).

Assembly exactly once. Who assembles a document is a claim in the database: one conditional UPDATE of the
document row (``assembly_epoch``, store.dblocks.claim_assembly) in a transaction fenced by the leader epoch, taken
while it is `processing`; a leader that lost the lead can neither claim nor commit, and a re-sent message or the
reaper only ever re-runs a *batch* (claimed once by workers/batches.claim), never the assembly. The last batch's
worker signals the leader (workers/wake.py: a NOTIFY committed with the batch's end wakes the thread waiting for
that document at once; the look at the database every 0.25–2 s remains only as the fallback), but does not run
the assembly itself, on purpose: the assembly is the step that decides the document's
fate and the share's (the verified copy of the clerk's original, the check that the file at the path is still the
bytes read, `done`, then the original's removal), and those must stay with the one fenced leader that holds the
drop's same-bytes lock and runs the state machine's error paths (replaced / removed / failed with bounded
retries); a worker machine would need write access to the share and the same fencing, for no gain once it can
wake the leader. The leader trusts the database, never the signal alone: a lost notification costs one look.
"""
from __future__ import annotations

import errno
import logging
import time
import uuid
from pathlib import Path

from celery import Celery
from sqlalchemy.exc import OperationalError

from common.config import Config
from ingest import share as sharefs
from ingest.pipeline import Ingestor, Outcome
from ingest.validate import Inspected
from ocr.errors import OcrError
from ocr.page import PageResult
from store.db import Store
from workers import batches
from workers.app import AGAIN, NEW, QUEUE_KEYS, TASK, make_app
from workers.app import safe_broker_url as _safe
from workers.wake import Wakeups

log = logging.getLogger("nasti.ingest")
EPOCH_KEY = "nasti:broker-epoch"   # set once in Redis: gone after a FLUSHALL or a restart without appendonly
POLL_MAX = 2.0      # seconds between looks at a document's batches (from 0.25 s, growing): 16 documents in flight
REAP_EVERY = 2.0    # must not cost the watcher a core


class BatchFailed(RuntimeError):
    """A batch was claimed MAX_CLAIMS times without finishing (workers killed, a poison page)."""


class CeleryIngestor(Ingestor):
    def __init__(self, cfg: Config, store: Store, app: Celery | None = None) -> None:
        super().__init__(cfg, store, pool=None)  # type: ignore[arg-type]  # no local pool: workers read the pages
        self.app = app or make_app(cfg)
        self.wakeups = Wakeups(store)   # workers signal each batch they end (PostgreSQL NOTIFY)

    def close(self) -> None:
        self.wakeups.close()

    def _send(self, ids: list[int], *, again: bool = False) -> None:
        sent = []
        for batch_id in ids:
            try:
                self.app.send_task(TASK, args=[batch_id], retry=True, priority=AGAIN if again else NEW,
                                   retry_policy={"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5})
                sent.append(batch_id)
            except Exception as e:   # the broker is down: the reaper sends it again later
                log.warning("could not queue OCR batch %s (%s); it is sent again later", batch_id, e)
        if sent:
            batches.mark_sent(self.store, sent)

    def _broker_empty(self) -> bool:
        """No message waits in the broker's queue (then a batch queued long ago lost its message). A broker that
        cannot be asked counts as empty: sending again fails the same way, and a duplicate is harmless."""
        try:
            import redis

            client = redis.Redis.from_url(self.cfg.queue.url, socket_timeout=3, socket_connect_timeout=3)
            try:
                return sum(int(client.llen(k)) for k in QUEUE_KEYS) == 0
            finally:
                client.close()
        except Exception:
            return True

    def _broker_epoch(self) -> str | None:
        """A token Redis holds while it keeps its data: a different one means every message sent before it was lost
        (FLUSHALL, a restart without appendonly), even when other documents' batches fill the queue again."""
        try:
            import redis

            client = redis.Redis.from_url(self.cfg.queue.url, socket_timeout=3, socket_connect_timeout=3)
            try:
                client.set(EPOCH_KEY, uuid.uuid4().hex, nx=True)
                got = client.get(EPOCH_KEY)
                return got.decode() if isinstance(got, bytes) else None
            finally:
                client.close()
        except Exception:
            return None

    def _ocr_or_kept(self, path: Path, found: Inspected, staging: Path, sha: str) -> list[PageResult]:
        doc_id = int(staging.name)
        epoch = self._broker_epoch()   # before sending: a flush after this loses what is sent next
        planned = batches.plan(self.store, doc_id, sha, found.kind, found.pages, self.cfg.queue.batch_pages)
        staging.mkdir(parents=True, exist_ok=True)   # after the plan: a fenced-out leader makes no staging again
        self._send(planned)
        if self.on_pages is not None:
            self.on_pages(sharefs.source_of(self.cfg.share, path), found.pages, None)
        try:
            return self._wait_for_pages(path, found, doc_id, sha, epoch)
        finally:
            self.wakeups.forget(doc_id)

    def _wait_for_pages(self, path: Path, found: Inspected, doc_id: int, sha: str,
                        epoch: str | None) -> list[PageResult]:
        warned, wait, reaped = False, 0.25, time.monotonic()
        started = reaped
        while True:
            try:
                done = self._check(doc_id, sha, found)
                if done is not None:
                    return done
                if time.monotonic() - reaped < REAP_EVERY:
                    if self.wakeups.wait(doc_id, wait):   # a worker ended one of its batches: look again now
                        continue
                    wait = min(POLL_MAX, wait * 1.5)
                    continue
                reaped = time.monotonic()
                if not path.exists():   # the clerk took the file away: the pipeline closes the record (removed)
                    raise FileNotFoundError(errno.ENOENT, "the file left the share while its pages waited for OCR",
                                            str(path))
                now = self._broker_epoch()
                lost = epoch is not None and now is not None and now != epoch
                epoch = now or epoch
                self._send(batches.reap(self.store, doc_id, sha, self.cfg.queue.requeue_seconds,
                                        broker_empty=lost or self._broker_empty()), again=True)
                if not warned and time.monotonic() - started > 5 * self.cfg.queue.requeue_seconds and all(
                        b.state == "queued" for b in batches.states(self.store, doc_id, sha)):
                    warned = True   # said once per document: the operator can act, nothing is lost meanwhile
                    log.warning("%s: no OCR worker has taken its pages for %.0f s: is `nasti worker` running on a "
                                "machine that reaches %s?", path.name, time.monotonic() - started,
                                _safe(self.cfg.queue.url))
            except OperationalError as e:   # the database restarting: its state is the truth, wait for it
                log.warning("database unavailable while waiting for OCR of %s: %s", path.name, e.orig)
                time.sleep(1.0)
            self.wakeups.wait(doc_id, wait)

    def _check(self, doc_id: int, sha: str, found: Inspected) -> list[PageResult] | None:
        todo = batches.states(self.store, doc_id, sha)
        for b in todo:
            if b.state == "rejected":
                raise OcrError(b.error or "a page could not be read", code=b.error_code or None)
        for b in todo:
            if b.state == "failed":
                raise BatchFailed(f"OCR batch of pages {b.first + 1}-{b.last} failed: {b.error}")
        if all(b.state == "done" for b in todo):
            got = batches.results(self.store, doc_id, sha, found.pages, archive=self.cfg.archive)
            if got is None:
                self._send(batches.plan(self.store, doc_id, sha, found.kind, found.pages,
                                        self.cfg.queue.batch_pages))
            return got
        return None

    def _finish(self, doc_id: int, path: Path, ident: object, sha: str) -> Outcome:
        out = super()._finish(doc_id, path, ident, sha)  # type: ignore[arg-type]
        if out.status in ("done", "rejected", "duplicate"):
            batches.forget(self.store, doc_id)
        return out
