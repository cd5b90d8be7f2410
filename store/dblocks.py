"""Locks the database holds, so they reach across machines: same-bytes drops one after the other, and one leading
watcher. PostgreSQL: session advisory locks on a connection held for the lock's life (the server drops them when
the holder's connection dies — kill -9, a power cut). SQLite (one machine): the process's own locks and the share's
file lock (ingest/sharelock.py) already do this, so these are no-ops there."""
from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text
from sqlalchemy.exc import SQLAlchemyError

from store.db import Store

LEADER_KEY = 7061737470     # 'nastp': the watcher that leads (7061737469, 'nasti', is the migration lock)


def _key(name: str) -> int:
    """A signed 64-bit advisory-lock key for ``name``."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def _shared(store: Store) -> bool:
    return store.engine.dialect.name == "postgresql"


@contextmanager
def same_bytes(store: Store, sha256: str) -> Iterator[None]:
    """Held while one drop with these bytes is handled: a second watcher's copy waits, then sees the outcome."""
    if not _shared(store):
        yield
        return
    with store.engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _key(sha256)})
        conn.commit()
        try:
            yield
        finally:
            try:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _key(sha256)})
                conn.commit()
            except SQLAlchemyError:   # the server restarted meanwhile: the lock went with the old connection
                conn.invalidate()


class LeaderBusy(Exception):
    """Another watcher leads (holds the database's leader lock)."""


class LeaderLock:
    """The one watcher that takes drops; a second on another machine stands by (``wait``) or exits."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._conn: Connection | None = None

    def acquire(self, *, wait: bool = False, poll: float = 1.0) -> None:
        if not _shared(self.store):
            return
        conn = self.store.engine.connect()
        while True:
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LEADER_KEY}).scalar()
            conn.commit()
            if got:
                self._conn = conn
                return
            if not wait:
                conn.close()
                raise LeaderBusy("another nasti watcher leads this database")
            time.sleep(poll)

    def held(self) -> bool:
        """Still the leader? False once the lock's connection is gone (the server restarted): another watcher
        may lead now, so this one must stop."""
        if not _shared(self.store):
            return True
        if self._conn is None:
            return False
        try:
            got = self._conn.execute(text(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() "
                "AND granted AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = :k)"),
                {"k": LEADER_KEY}).scalar()
            self._conn.commit()
            return bool(got)
        except SQLAlchemyError:
            return False

    def release(self) -> None:
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LEADER_KEY})
                self._conn.commit()
            except SQLAlchemyError:   # the server restarted meanwhile: the lock went with the old connection
                self._conn.invalidate()
            finally:
                self._conn.close()
                self._conn = None
