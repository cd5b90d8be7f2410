"""The Celery application: one task, ``nasti.ocr_batch(batch_id)``, that reads a batch of pages on a worker machine.

Messages are JSON and carry a batch id only; the batch, its document and the page results live in the database
(workers/batches.py). Acks late and rejected when the worker process is lost, so a killed worker's message comes
back; prefetch 1, so a worker holds only the batch it reads; the task's time limit stays far below the broker's
visibility timeout (beyond it Redis would hand the same message to a second worker while the first still reads).
Every worker process reads single-threaded (OMP_THREAD_LIMIT=1), one process per core.
"""
from __future__ import annotations

import logging
import os
import shutil
import signal
import time
from dataclasses import dataclass
from typing import Any

from celery import Celery
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_process_init

from common.config import Config
from ingest import share as sharefs
from ocr.errors import EngineMissing, OcrError
from ocr.page import PageTask, process_page
from store.db import Store
from workers import batches

os.environ["OMP_THREAD_LIMIT"] = "1"
log = logging.getLogger("nasti.worker")
TASK = "nasti.ocr_batch"
QUEUE = "nasti"         # the broker's queue (Redis lists: QUEUE for batches sent again, first; QUEUE_NEW for new ones)
AGAIN, NEW = 0, 5       # message priorities (Redis: 0 is served first): a killed worker's batch jumps the backlog
_SEP = "\x06\x16"
QUEUE_KEYS = (QUEUE, f"{QUEUE}{_SEP}{NEW}")
STAGING = ".staging"    # = ingest.pipeline.STAGING (the pipeline module is not imported by workers)


@dataclass(frozen=True)
class Limits:
    """How long a batch may take (soft: the task stops and says so), when its lease runs out, and the broker's
    visibility timeout, all from ``[ocr] page_timeout`` and ``[queue] batch_pages``."""

    soft: float
    hard: float
    lease: float
    visibility: float


def limits(cfg: Config) -> Limits:
    soft = cfg.queue.batch_seconds or cfg.ocr.page_timeout * 3 * cfg.queue.batch_pages + 10
    hard = soft + 15
    return Limits(soft=soft, hard=hard, lease=cfg.ocr.page_timeout * 3 + 15, visibility=max(3600.0, hard * 4))


_state: dict[str, Any] = {}


def safe_broker_url(url: str) -> str:
    """The broker URL without its password (for logs and the doctor)."""
    from urllib.parse import urlsplit

    u = urlsplit(url)
    host = f"{u.hostname or ''}{':' + str(u.port) if u.port else ''}"
    return f"{u.scheme}://{'***@' if u.password else ''}{host}{u.path}"


def make_app(cfg: Config) -> Celery:
    lim = limits(cfg)
    app = Celery("nasti", broker=cfg.queue.url)
    app.conf.update(
        task_serializer="json", accept_content=["json"], result_serializer="json", task_ignore_result=True,
        task_acks_late=True, task_reject_on_worker_lost=True, worker_prefetch_multiplier=1,
        task_soft_time_limit=lim.soft, task_time_limit=lim.hard,
        broker_transport_options={"visibility_timeout": lim.visibility, "priority_steps": [AGAIN, NEW],
                                  "sep": _SEP, "queue_order_strategy": "priority"},
        broker_connection_retry_on_startup=True, worker_hijack_root_logger=False,
        task_default_queue=QUEUE,
    )
    _state["cfg"] = cfg

    @app.task(name=TASK)
    def ocr_batch(batch_id: int) -> str:
        return run_batch(batch_id)

    return app


@worker_process_init.connect
def _fresh_store(**_: Any) -> None:
    """Each pool process opens its own connections (never ones inherited through fork)."""
    _state.pop("store", None)
    _state["pool_process"] = True   # a Celery pool process: its parent is the worker's main process


def _store() -> Store:
    if "store" not in _state:
        _state["store"] = Store(_state["cfg"].store_url, migrate_schema=False)
    store: Store = _state["store"]
    return store


def _hook(name: str, batch_id: int) -> None:
    """Tests: write ``<dir>/<name>-<batch>-<pid>`` at this moment (a kill test waits for it, then kills the pid).
    While ``<dir>/HOLD-<name>`` exists the worker then waits there (≤ 60 s): the test acts, then removes it."""
    folder = os.environ.get("NASTI_WORKER_HOOKS")
    if not folder:
        return
    path = os.path.join(folder, f"{name}-{batch_id}-{os.getpid()}")
    with open(path, "w") as fh:
        fh.write(str(os.getpid()))
    hold = os.path.join(folder, f"HOLD-{name}")
    end = time.monotonic() + 60
    while os.path.exists(hold) and time.monotonic() < end:
        time.sleep(0.05)


def _schema_moved(store: Store) -> str | None:
    """The database's schema revision when it is no longer the one this worker was built for (`nasti db upgrade`
    ran on the server while this older worker kept running), else None."""
    from sqlalchemy import text

    from store.db import head_revision

    if "head" not in _state:
        _state["head"] = head_revision()
    with store.session() as s:
        current = s.scalar(text("SELECT version_num FROM alembic_version"))
    return None if current == _state["head"] else str(current)


def run_batch(batch_id: int) -> str:
    cfg: Config = _state["cfg"]
    store = _store()
    lim = limits(cfg)
    if (moved := _schema_moved(store)) is not None:   # the batch stays queued for an up-to-date worker
        log.error("the database's schema is now %s, this worker knows %s: batch %s left for an up-to-date worker; "
                  "install this machine's nasti at the server's version and start `nasti worker` again",
                  moved, _state["head"], batch_id)
        try:   # its message is consumed: the leader sends it again at its next look, not after the backlog
            batches.unsent(store, batch_id)
        except Exception as e:   # a schema this worker cannot write to: the reaper's fallback remains
            log.warning("batch %s could not be marked for sending again (%s)", batch_id, e)
        if _state.get("pool_process"):   # stop taking batches (idle, it would take every one sent again first):
            os.kill(os.getppid(), signal.SIGTERM)   # the worker's warm shutdown; its other batches end first
        return "schema"
    b = batches.claim(store, batch_id, lim.lease)
    if b is None:
        return "not mine"
    _hook("claimed", batch_id)
    from sqlalchemy import select

    from store.models import Document

    with store.session() as s:
        share_path = s.scalar(select(Document.share_path).where(Document.id == b.document_id))
    source = sharefs.on_disk(cfg.share, share_path or "")
    if not source.is_file():   # this machine's share is not mounted (or elsewhere): its fault, never the file's
        log.error("batch %s: %s is not in this machine's share %s: is the share mounted here? the batch goes back "
                  "to the queue", batch_id, share_path, cfg.share)
        batches.release(store, b)
        return "no source"
    staging = cfg.archive / STAGING / str(b.document_id)
    staging.mkdir(parents=True, exist_ok=True)
    have = batches.done_pages(store, b)
    o = cfg.ocr
    try:
        for i in range(b.first, b.last):
            if i + 1 in have:
                continue
            r = process_page(PageTask(source=source, kind=b.kind, index=i, languages=o.languages, dpi=o.dpi,
                                      timeout=o.page_timeout, max_pixels=cfg.limits.max_pixels,
                                      layer=staging / f"page-{i + 1:05d}.pdf", psm=o.psm, mode=o.mode))
            if not batches.record(store, b, r, lim.lease, archive=cfg.archive):
                if batches.closed(store, b.document_id):   # closed while this page was read: the leader removed
                    shutil.rmtree(staging, ignore_errors=True)   # its staging already; this layer re-made it
                return "taken over"     # the lease ran out and another worker has it now
            _hook("page", batch_id)
    except SoftTimeLimitExceeded:
        batches.finish(store, b, "rejected", "page_timeout", f"batch over its limit of {lim.soft:.0f} s")
        return "timeout"
    except EngineMissing as e:   # an installation problem on this machine: another worker may have the engine
        log.error("%s", e.detail)
        raise
    except OcrError as e:
        batches.finish(store, b, "rejected", e.code, e.detail[:2000])
        return "rejected"
    except Exception:   # the database went away, a bug: give the batch back now (else its lease runs out)
        try:
            batches.release(store, b)
        except Exception:
            log.warning("batch %s could not be given back; its lease will run out", batch_id)
        raise
    batches.finish(store, b, "done")
    return "done"
