"""Locks the database holds, so they reach across machines: same-bytes drops one after the other, and one leading
watcher. PostgreSQL: session advisory locks on a connection held for the lock's life (the server drops them when
the holder's connection dies — kill -9, a power cut). SQLite (one machine): the process's own locks and the share's
file lock (ingest/sharelock.py) already do this, so these are no-ops there.

Fencing (migration 0012): a leader whose lock connection dropped (a network blip, ``pg_terminate_backend``, a server
restart) may still be in the middle of recording or settling a document while a stand-by becomes leader. Each new
leader adds 1 to the one row of ``leader_epoch`` and keeps the value; from then on *every* transaction of its store
first reads that row ``FOR SHARE`` and goes on only if it still holds its value (:class:`Fence`, a session
``after_begin`` listener), else raises :class:`NotLeader` before anything is written. The share lock on the row
lasts to the transaction's end, and a new leader's increment waits for it: a transaction that passed the check
commits before the new leader does anything, one that starts after the increment aborts. Work on files that must
not happen after leadership moved (the original's removal, the archive copy) is done inside such a transaction
(:func:`fenced`).
"""
from __future__ import annotations

import hashlib
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, event, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from store.db import Store

log = logging.getLogger("nasti.ingest")

LEADER_KEY = 7061737470     # 'nastp': the watcher that leads (7061737469, 'nasti', is the migration lock)


def _key(name: str) -> int:
    """A signed 64-bit advisory-lock key for ``name``."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def _shared(store: Store) -> bool:
    return store.engine.dialect.name == "postgresql"


@contextmanager
def same_bytes(store: Store, sha256: str) -> Iterator[None]:
    """Held while one drop with these bytes is handled: a second watcher's copy waits, then sees the outcome. The
    leading watcher holds it on its leader-lock connection, so it goes with the leader lock: a leader whose
    connection dropped does not keep the new leader waiting for a drop it can no longer record (fencing)."""
    if not _shared(store):
        yield
        return
    if (leader := _leaders.get(id(store))) is not None:
        with leader.same_bytes(sha256):
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


class NotLeader(RuntimeError):
    """This watcher no longer leads (another took the leader epoch): nothing may be committed or moved."""


class Fence:
    """Checks, at the start of every transaction of ``store``'s sessions, that ``epoch`` is still the leader's."""

    def __init__(self, store: Store, epoch: int) -> None:
        self.store, self.epoch, self.lost = store, epoch, False
        event.listen(store._sessions, "after_begin", self._check)   # the store's own session factory

    def _check(self, session: Session, transaction: Any, connection: Connection) -> None:
        if self.lost:
            raise NotLeader(f"leader epoch {self.epoch} is over")
        got = connection.execute(text("SELECT epoch FROM leader_epoch WHERE id = 1 FOR SHARE")).scalar()
        if got != self.epoch:
            self.lost = True
            log.error("another watcher leads now (leader epoch %s, this one had %s): this watcher commits nothing "
                      "more and stands by", got, self.epoch)
            raise NotLeader(f"leader epoch is {got}, this watcher had {self.epoch}")

    def remove(self) -> None:
        if event.contains(self.store._sessions, "after_begin", self._check):
            event.remove(self.store._sessions, "after_begin", self._check)


_fences: dict[int, Fence] = {}   # id(store) → its fence, while this process leads through that store
_leaders: dict[int, LeaderLock] = {}


def epoch(store: Store) -> int:
    """This process's leader epoch on ``store`` (0 on SQLite, or when it does not lead)."""
    f = _fences.get(id(store))
    return f.epoch if f is not None else 0


def leading(store: Store) -> bool:
    """Still the leader (always on SQLite, or for a store without a fence)? Checked against the database."""
    f = _fences.get(id(store))
    if f is None:
        return True
    if f.lost:
        return False
    try:
        with store.session() as s:
            s.execute(text("SELECT 1"))
    except NotLeader:
        return False
    except SQLAlchemyError:   # the database is away: not proven to lead
        return False
    return True


@contextmanager
def fenced(store: Store) -> Iterator[Session | None]:
    """File work that only the leader may do (the archive copy, the original's removal): done inside a transaction
    that passed the fence and holds the epoch row until it ends, so no new leader starts meanwhile. NotLeader
    before anything is done otherwise. Yields the session (None without a fence)."""
    if id(store) not in _fences:
        yield None
        return
    with store.session() as s:
        s.execute(text("SELECT 1"))   # begins the transaction: the fence's check runs here
        yield s


def claim_assembly(s: Session, doc_id: int, mine: int) -> bool:
    """Leader epoch ``mine`` assembles (records) the document: one conditional UPDATE, in the caller's fenced
    transaction. False when it is not in processing any more or a newer leader claimed it."""
    got = s.execute(text("UPDATE document SET assembly_epoch = :e WHERE id = :d AND status = 'processing' AND "
                         "(assembly_epoch IS NULL OR assembly_epoch <= :e)"), {"e": mine, "d": doc_id}).rowcount
    return bool(got == 1)


class LeaderBusy(Exception):
    """Another watcher leads (holds the database's leader lock)."""


class LeaderLock:
    """The one watcher that takes drops; a second on another machine stands by (``wait``) or exits."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._conn: Connection | None = None
        self._mutex = threading.Lock()   # the lock connection is used by the documents' threads and the guard
        self._keys: set[int] = set()     # same-bytes locks this leader's threads hold
        self.fence: Fence | None = None

    def acquire(self, *, wait: bool = False, poll: float = 1.0) -> None:
        """Lead, or raise LeaderBusy; ``wait``: stand by until this watcher can lead — through a database that
        restarts or drops the connection meanwhile (the stand-by reconnects; it must outlive what it stands by
        for). Without ``wait`` a database that cannot be reached raises the driver's error."""
        if not _shared(self.store):
            return
        conn: Connection | None = None
        warned = False
        while True:
            try:
                if conn is None:
                    conn = self.store.engine.connect()
                got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LEADER_KEY}).scalar()
                conn.commit()
                if got:
                    self._conn = conn
                    self._take_epoch(conn)
                    return
            except SQLAlchemyError as e:
                self._conn = None
                if conn is not None:   # a lock taken on it goes with it
                    conn.invalidate()
                    conn.close()
                    conn = None
                if not wait:
                    raise
                if not warned:
                    warned = True
                    log.warning("standing by: the database dropped or refused the leader lock's connection (%s); "
                                "trying again", getattr(e, "orig", e))
            else:
                if not wait:
                    assert conn is not None
                    conn.close()
                    raise LeaderBusy("another nasti watcher leads this database")
            time.sleep(poll)

    def _take_epoch(self, conn: Connection) -> None:
        """Add 1 to the leader epoch (waits for the old leader's transactions that passed the fence to end), and
        fence this store's sessions with it."""
        holder = f"{socket.gethostname()}:{os.getpid()}"
        # above every claim a document still open holds, too: an epoch row set back by hand (a restore of the
        # table, a "reset") would otherwise leave those documents unassemblable (claim_assembly refuses older)
        new = conn.execute(text("UPDATE leader_epoch SET epoch = GREATEST(epoch, (SELECT COALESCE(max("
                                "assembly_epoch), 0) FROM document WHERE status IN ('received', 'processing', "
                                "'failed'))) + 1, holder = :h, taken_at = statement_timestamp() AT TIME ZONE 'UTC' "
                                "WHERE id = 1 RETURNING epoch"),
                           {"h": holder}).scalar()
        if new is None:   # the row was removed by hand: start again above any epoch an old leader could hold
            new = conn.execute(text("INSERT INTO leader_epoch (id, epoch, holder, taken_at) VALUES (1, "
                                    "(extract(epoch FROM clock_timestamp()) * 1000)::bigint, :h, "
                                    "statement_timestamp() AT TIME ZONE 'UTC') RETURNING epoch"),
                               {"h": holder}).scalar()
        conn.commit()
        assert new is not None
        self.fence = Fence(self.store, int(new))
        _fences[id(self.store)] = self.fence
        _leaders[id(self.store)] = self
        log.info("this watcher leads (leader epoch %s)", new)

    def held(self) -> bool:
        """Still the leader? False once the lock's connection is gone (the server restarted): another watcher
        may lead now, so this one must stop."""
        if not _shared(self.store):
            return True
        if self._conn is None or (self.fence is not None and self.fence.lost):
            return False
        try:
            with self._mutex:
                got = self._conn.execute(text(
                    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() "
                    "AND granted AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = :k)"),
                    {"k": LEADER_KEY}).scalar()
                self._conn.commit()
            return bool(got)
        except SQLAlchemyError:
            return False

    @contextmanager
    def same_bytes(self, sha256: str) -> Iterator[None]:
        """The same-bytes lock on the leader-lock connection (tried every 0.2 s: the connection is shared)."""
        k = _key(sha256)
        while True:
            if self._conn is None or (self.fence is not None and self.fence.lost):
                raise NotLeader("the leader lock is gone")
            try:
                with self._mutex:
                    # an advisory lock is its session's however often it is taken: this leader's own threads (two
                    # copies of one file in flight at once) are kept apart by the set of keys it holds
                    got = k not in self._keys and self._conn.execute(
                        text("SELECT pg_try_advisory_lock(:k)"), {"k": k}).scalar()
                    self._conn.commit()
                    if got:
                        self._keys.add(k)
            except SQLAlchemyError as e:   # the lock connection dropped: so did the leader lock
                raise NotLeader("the leader lock's connection dropped") from e
            if got:
                break
            time.sleep(0.2)
        try:
            yield
        finally:
            try:
                with self._mutex:
                    self._keys.discard(k)
                    if self._conn is not None:
                        self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": k})
                        self._conn.commit()
            except SQLAlchemyError:   # gone with the connection
                pass

    def release(self) -> None:
        if self.fence is not None:
            self.fence.remove()
            _fences.pop(id(self.store), None)
            _leaders.pop(id(self.store), None)
            self.fence = None
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LEADER_KEY})
                self._conn.commit()
            except SQLAlchemyError:   # the server restarted meanwhile: the lock went with the old connection
                self._conn.invalidate()
            finally:
                self._conn.close()
                self._conn = None
