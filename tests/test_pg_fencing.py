"""Fencing the leading watcher on PostgreSQL for real (store/dblocks.py, migration 0012): a leader whose lock
connection is terminated (``pg_terminate_backend``: a network blip, a server that dropped it) while it is held just
before its record or settle commit; the standing-by watcher takes the lead and finishes the file; the old leader,
released, commits nothing, moves nothing and stands by. The never-lose invariant holds (tests/celery_rig.py)."""
from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from store.db import Store
from store.dblocks import LEADER_KEY, LeaderLock, NotLeader, claim_assembly, epoch, leading
from tests.celery_rig import Redis, Site, redis_server, wait_until
from tests.pgcluster import new_database
from tests.rows import processing_document


@pytest.fixture
def redis() -> Iterator[Redis]:
    with redis_server() as r:
        yield r


def _terminate_leader(db_url: str) -> int:
    """pg_terminate_backend on the connection that holds the leader lock; its server pid."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as c:
            pid = c.execute(text("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 "
                                 "AND ((classid::bigint << 32) | objid::bigint) = :k"), {"k": LEADER_KEY}).scalar()
            assert pid is not None
            assert c.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar()
            return int(pid)
    finally:
        engine.dispose()


def test_a_fenced_out_store_commits_nothing(pg_server: str) -> None:
    """Two leader locks on one database: the first loses its connection, the second leads (epoch + 1); every
    transaction of the first's store now fails before writing, and the assembly claim goes to the newer epoch."""
    url = new_database(pg_server, "fence")
    from nasti.schema import upgrade

    upgrade(url)
    a, b = Store(url, migrate_schema=False), Store(url, migrate_schema=False)
    first, second = LeaderLock(a), LeaderLock(b)
    try:
        first.acquire()
        one = epoch(a)
        assert one >= 1 and leading(a)
        with a.session() as s:
            s.execute(text("INSERT INTO office (key, name_hi, name_en) VALUES ('x', 'कार्यालय', 'Office')"))
        _terminate_leader(url)
        second.acquire(wait=True, poll=0.1)
        assert epoch(b) == one + 1
        assert not leading(a) and leading(b) and not first.held()
        with pytest.raises(NotLeader), a.session() as s:
            s.execute(text("UPDATE office SET name_en = 'stale leader' WHERE key = 'x'"))
        with b.session() as s:
            assert s.scalar(text("SELECT name_en FROM office WHERE key = 'x'")) == "Office"
            doc = s.scalar(text("SELECT min(id) FROM office"))
            assert doc is not None
    finally:
        first.release()
        second.release()
        a.close()
        b.close()


def test_assembly_is_claimed_once_per_leader(pg_server: str) -> None:
    """The assembly claim (a conditional UPDATE on the document row): a newer epoch takes it over, an older never."""
    url = new_database(pg_server, "claim")
    from nasti.schema import upgrade

    upgrade(url)
    st = Store(url, migrate_schema=False)
    try:
        with st.session() as s:
            processing_document(s, source="r/a.pdf")
        with st.session() as s:
            assert claim_assembly(s, 1, 5)
        with st.session() as s:
            assert not claim_assembly(s, 1, 4)      # an older leader: never
            assert claim_assembly(s, 1, 6)          # the leader that took over
        with st.session() as s:
            s.execute(text("UPDATE document SET status = 'done' WHERE id = 1"))
        with st.session() as s:
            assert not claim_assembly(s, 1, 7)      # done: assembled already
    finally:
        st.close()


def test_the_worker_ending_a_batch_wakes_the_leader(pg_server: str) -> None:
    """workers/wake.py: the NOTIFY committed with a batch's end wakes the leader's thread waiting for that document
    at once (no look at the database needed); a batch that could not be ended (not this worker's) sends nothing."""
    import time

    from workers import batches
    from workers.wake import Wakeups

    url = new_database(pg_server, "wake")
    from nasti.schema import upgrade

    upgrade(url)
    st = Store(url, migrate_schema=False)
    wakeups = Wakeups(st)
    try:
        with st.session() as s:
            processing_document(s, doc_id=7, source="r/a.pdf")
        assert wakeups.listening.wait(10)
        first, second = batches.plan(st, 7, "ab", "pdf", 4, 2)
        b = batches.claim(st, first, lease=60)
        assert b is not None
        assert not wakeups.wait(7, 0.3)                 # nothing ended yet
        t = time.monotonic()
        assert batches.finish(st, b, "done")
        assert wakeups.wait(7, 10) and time.monotonic() - t < 2
        assert not batches.finish(st, b, "done")        # ended already: no second signal
        assert not wakeups.wait(7, 0.5)
        c = batches.claim(st, second, lease=60)
        assert c is not None and batches.finish(st, c, "rejected", "page_timeout", "over its limit")
        assert wakeups.wait(7, 10)                      # the last batch: the leader looks at once
    finally:
        wakeups.close()
        st.close()


def _watchers(site: Site, moment: str) -> tuple[subprocess.Popen[str], subprocess.Popen[str], int]:
    """The first watcher leads and is held at ``moment``; the second stands by. Returns both and the first's pid."""
    site.extra_env["NASTI_WATCH_HOOKS"] = str(site.hooks)
    site.start_worker()
    (site.hooks / f"HOLD-{moment}").touch()
    site.drop("a.pdf", 3)
    first = site.popen("watch", "--wait")
    found = wait_until(lambda: next(iter(site.hooks.glob(f"{moment}-*")), None), 120,
                       f"the leader did not reach {moment}")
    pid = int(found.name.rsplit("-", 1)[1])
    assert pid == first.pid
    (site.hooks / f"HOLD-{moment}-{pid}").touch()      # only the old leader stays held
    (site.hooks / f"HOLD-{moment}").unlink()
    second = site.popen("watch", "--wait")
    # The stand-by runs on "another machine": there the share's file lock (ingest/sharelock.py) is not the one this
    # machine holds (an SMB mount that does not forward flock); only the database's leader lock keeps them apart.
    (site.share / ".nasti.lock").unlink()
    (site.archive / ".nasti-share.lock").unlink()
    return first, second, pid


def _events(db_url: str) -> list[tuple[str, str | None]]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as c:
            return [(r[0], r[1]) for r in c.execute(text("SELECT to_state, actor FROM event ORDER BY id"))]
    finally:
        engine.dispose()


def _settled(db_url: str) -> bool:
    engine = create_engine(db_url)
    try:
        with engine.connect() as c:
            return bool(c.execute(text("SELECT count(*) FROM document WHERE settled AND status = 'done'")).scalar())
    finally:
        engine.dispose()


def _stop(*procs: subprocess.Popen[str]) -> None:
    for p in procs:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
    for p in procs:
        try:
            p.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait(10)


@pytest.mark.parametrize("moment", ["before_done", "before_settle"])
def test_old_leader_held_before_its_commit_is_fenced_out(tmp_path: Path, pg_server: str, redis: Redis,
                                                         moment: str) -> None:
    """The leader is held just before it commits `done` (or settles the original out of the share); its lock
    connection is terminated; the stand-by leads and finishes the file; the old leader, released, is refused by
    the fence and stands by. One record, done once, settled, archived byte-identical, PDF pages right."""
    site = Site(tmp_path, new_database(pg_server, "fenced"), redis)
    first = second = None
    try:
        first, second, pid = _watchers(site, moment)
        _terminate_leader(site.db_url)
        wait_until(lambda: _settled(site.db_url), 120, "the new leader did not finish the file:\n" + site.logs())
        assert not (site.share / "revenue" / "a.pdf").exists()
        (site.hooks / f"HOLD-{moment}-{pid}").unlink()     # the old leader goes on: its next transaction is fenced
        wait_until(lambda: "stands by until it can lead again" in site.logs(), 60,
                   "the old leader did not stand by:\n" + site.logs())
        assert first.poll() is None and second.poll() is None
        assert [e for e, _ in _events(site.db_url)].count("done") == 1
        engine = create_engine(site.db_url)
        with engine.connect() as c:
            assert c.execute(text("SELECT epoch FROM leader_epoch")).scalar() == 2
            if moment == "before_done":   # the new leader assembled it
                assert c.execute(text("SELECT assembly_epoch FROM document")).scalar() == 2
        engine.dispose()
        _stop(first, second)
        assert site.check() == {"done": 1}, site.logs()
    finally:
        _stop(*(p for p in (first, second) if p is not None))
        site.close()
