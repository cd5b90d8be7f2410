"""The signal a worker gives when it ends a batch: on PostgreSQL, ``NOTIFY nasti_batches, '<document id>'`` in the
transaction that records the batch's end (workers/batches.finish; delivered only if it commits). The leading
watcher LISTENs on a connection of its own and wakes the thread waiting for that document at once, so the last
batch of a document sets its assembly going without waiting for the next look; the look at the database stays as
the fallback (a notification is lost while the listening connection is down) and as the judge — a notification
only says "look now". SQLite (one machine): no signal, the looks alone."""
from __future__ import annotations

import logging
import threading

from sqlalchemy import text
from sqlalchemy.orm import Session

from store.db import Store

CHANNEL = "nasti_batches"
log = logging.getLogger("nasti.ingest")


def notify(s: Session, doc_id: int) -> None:
    """In the caller's transaction: the document's batches changed (sent when it commits)."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SELECT pg_notify(:c, :d)"), {"c": CHANNEL, "d": str(doc_id)})


class Wakeups:
    """Per document an event set by a worker's notification; :meth:`wait` returns when it is set or at ``timeout``."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._events: dict[int, threading.Event] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.listening = threading.Event()   # the LISTEN is in place (tests wait for it)
        self._thread: threading.Thread | None = None
        if store.engine.dialect.name == "postgresql":
            self._thread = threading.Thread(target=self._listen, daemon=True, name="nasti-wakeups")
            self._thread.start()

    def _event(self, doc_id: int) -> threading.Event:
        with self._lock:
            return self._events.setdefault(doc_id, threading.Event())

    def wait(self, doc_id: int, timeout: float) -> bool:
        """True when a worker signalled this document (the signal is consumed)."""
        ev = self._event(doc_id)
        got = ev.wait(timeout)
        ev.clear()
        return got

    def forget(self, doc_id: int) -> None:
        with self._lock:
            self._events.pop(doc_id, None)

    def _listen(self) -> None:
        import psycopg

        engine = self.store.engine
        while not self._stop.is_set():
            try:
                args, params = engine.dialect.create_connect_args(engine.url)
                with psycopg.connect(*args, **{**params, "autocommit": True}) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.listening.set()
                    while not self._stop.is_set():
                        for n in conn.notifies(timeout=1.0):
                            if n.payload.isdigit():
                                self._event(int(n.payload)).set()
            except Exception as e:   # the server restarting: the looks carry on meanwhile; listen again
                self.listening.clear()
                log.debug("batch notifications unavailable (%s); listening again shortly", e)
                self._stop.wait(2.0)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
