"""Attacks on the leader's fencing (issue 15, store/dblocks.py) as an operator or a failing machine would make them,
on a real throwaway PostgreSQL: the epoch row set back or removed by hand; the migration 0012 taken down and up
again with rows in its tables."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from store.db import Store
from store.dblocks import LeaderLock, claim_assembly, epoch, leading
from tests.pgcluster import new_database
from tests.rows import processing_document


def _raw(url: str, sql: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as c:
            c.execute(text(sql))
    finally:
        engine.dispose()


@pytest.fixture
def pg_store(pg_server: str) -> Iterator[tuple[str, Store]]:
    from nasti.schema import upgrade

    url = new_database(pg_server, "atk")
    upgrade(url)
    st = Store(url, migrate_schema=False)
    with st.session() as s:
        processing_document(s)
        for table in ("office", "document"):   # rows with their ids given: the next ones come after
            s.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 1)"))
    try:
        yield url, st
    finally:
        st.close()


@pytest.mark.parametrize("tamper", ["UPDATE leader_epoch SET epoch = 0", "DELETE FROM leader_epoch",
                                    "UPDATE leader_epoch SET epoch = 2"])
def test_an_epoch_set_back_by_hand_does_not_strand_a_claimed_document(pg_store: tuple[str, Store],
                                                                       tamper: str) -> None:
    """A leader claimed a document's assembly at epoch 5 and lost the lead; an operator then set the epoch row back
    (a restore of that one table, a hand "reset") or removed it. The next leader must still be able to claim the
    document, else it is refused as "no longer this watcher's" at every start and stays in processing forever."""
    url, st = pg_store
    _raw(url, "UPDATE leader_epoch SET epoch = 4")
    first = LeaderLock(st)
    first.acquire()
    try:
        assert epoch(st) == 5
        with st.session() as s:
            assert claim_assembly(s, 1, epoch(st))
    finally:
        first.release()
    _raw(url, tamper)
    second = LeaderLock(st)
    second.acquire()
    try:
        assert leading(st) and epoch(st) > 5
        with st.session() as s:
            assert claim_assembly(s, 1, epoch(st)), "the new leader cannot assemble the document"
    finally:
        second.release()



def test_a_standing_by_watcher_outlives_a_postgresql_restart() -> None:
    """`nasti watch --wait` on the second machine polls for the leader lock; PostgreSQL crashes (`-m immediate`) and
    comes back meanwhile. The stand-by keeps standing by and leads once the lock is free — it does not die with the
    driver's error (which would leave the district with no watcher at all once the leader, too, goes)."""
    import shutil
    import threading
    import time

    from nasti.schema import upgrade
    from tests.pgcluster import private_cluster

    pg, root = private_cluster()
    try:
        url = new_database(pg.url, "standby")
        upgrade(url)
        a, b = Store(url, migrate_schema=False), Store(url, migrate_schema=False)
        leader, standby = LeaderLock(a), LeaderLock(b)
        leader.acquire()
        failed: list[BaseException] = []

        def stand_by() -> None:
            try:
                standby.acquire(wait=True, poll=0.2)
            except BaseException as e:   # what the watcher would die of
                failed.append(e)

        t = threading.Thread(target=stand_by, daemon=True)
        t.start()
        t.join(1.0)
        assert t.is_alive() and not failed
        pg.stop("immediate")      # the leader's lock goes with its connection
        time.sleep(1.0)           # the stand-by polls a server that is not there
        pg.start()
        t.join(30)
        assert not failed, failed
        assert not t.is_alive(), "the stand-by did not lead once the server was back"
        assert leading(b) and epoch(b) == 2
        leader.release()
        standby.release()
        a.close()
        b.close()
    finally:
        pg.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


def test_a_leader_fenced_out_during_recovery_stands_by(tmp_path: Path, pg_server: str) -> None:
    """The watcher takes the lead and recovers (the in-flight records, their staging); its lock connection drops
    and the stand-by leads before recovery's first transaction. The fence refuses it — and the watcher must then
    stand by (LOST) like at every other moment, not die with NotLeader's traceback out of `nasti watch`."""
    from rich.console import Console

    from common.config import load
    from nasti import service
    from nasti.schema import upgrade
    from tests.test_pg_fencing import _terminate_leader

    url = new_database(pg_server, "recov")
    upgrade(url)
    for d in ("share/revenue", "archive"):
        (tmp_path / d).mkdir(parents=True)
    conf = tmp_path / "config.toml"
    conf.write_text(f'[share]\npath = "{tmp_path / "share"}"\n[store]\nurl = "{url}"\n'
                    f'[archive]\npath = "{tmp_path / "archive"}"\n'
                    '[branches.revenue]\ncode = "REV"\nname_hi = "राजस्व"\nname_en = "Revenue"\n', encoding="utf-8")
    cfg = load(str(conf))
    a, b = Store(url, migrate_schema=False), Store(url, migrate_schema=False)
    first, second = LeaderLock(a), LeaderLock(b)
    try:
        first.acquire()
        _terminate_leader(url)
        second.acquire(wait=True, poll=0.1)
        code = service._watch_leading(cfg, a, once=True, console=Console(file=open(tmp_path / "out", "w")),
                                      progress_console=None, accept_archive_mismatch=False, leader=first)
        assert code == service.LOST
    finally:
        first.release()
        second.release()
        a.close()
        b.close()


@pytest.mark.parametrize("original", ["vanished", "still_there"])
def test_a_half_copy_left_by_a_killed_leader_is_not_left_forever(tmp_path: Path, pg_store: tuple[str, Store],
                                                                   original: str) -> None:
    """The leader is killed (-9, a power cut) in the middle of the archive copy: `<name>.part` is left half-written
    next to where the copy goes. On a shared archive recovery walks nothing — it goes by the records in flight. The
    half copy is nobody's (a leader that lost the lead finished its fenced copy before the new one took the epoch):
    it must go, whether the original vanished meanwhile (the record closes as removed) or is still in the share."""
    from ingest.recover import recover

    _, st = pg_store
    share, archive = tmp_path / "share", tmp_path / "archive"
    (share / "राजस्व").mkdir(parents=True)
    (archive / "राजस्व").mkdir(parents=True)
    if original == "still_there":
        (share / "राजस्व" / "आदेश.pdf").write_bytes(b"%PDF-1.4 scan")
    with st.session() as s:
        s.execute(text("UPDATE document SET archive_path = 'राजस्व/1-आदेश.pdf', pdf_path = 'राजस्व/1-आदेश.ocr.pdf'"))
    half = archive / "राजस्व" / "1-आदेश.pdf.part"
    half.write_bytes(b"%PDF-1.4 half")
    recover(st, share, archive)
    assert not half.exists()
    with st.session() as s:
        status = s.execute(text("SELECT status FROM document")).scalar()
    assert status == ("rejected" if original == "vanished" else "processing")


def test_a_leader_fenced_out_between_two_segments_writes_no_more_of_the_archive(tmp_path: Path,
                                                                                 pg_store: tuple[str, Store]) -> None:
    """A batch scan split at cover sheets (ingest/split.py record_batch) moves each segment's searchable PDF into the
    archive one after the other. The lead goes to the stand-by after the first: the second must not be written by
    the fenced-out watcher (it would overwrite what the new leader recorded — its self-description included — as
    the single-document path's fenced move already guarantees), and nothing of it is committed."""
    from common.config import load
    from ingest import split
    from ingest.cover_tags import Plan, Segment
    from ingest.steps import HOOKS
    from ocr.page import PageResult
    from store.dblocks import NotLeader
    from tests.celery_rig import pdf
    from tests.test_pg_fencing import _terminate_leader

    url, st = pg_store
    share, archive, staging = tmp_path / "share", tmp_path / "archive", tmp_path / "archive" / ".staging" / "1"
    for d in (share / "राजस्व", archive / "राजस्व", staging):
        d.mkdir(parents=True)
    conf = tmp_path / "config.toml"
    conf.write_text(f'[share]\npath = "{share}"\n[store]\nurl = "{url}"\n[archive]\npath = "{archive}"\n',
                    encoding="utf-8")
    cfg = load(str(conf))
    with st.session() as s:
        s.execute(text("UPDATE document SET archive_path = 'राजस्व/1-बैच.pdf', pdf_path = 'राजस्व/1-बैच.ocr.pdf'"))
    built = staging / "searchable.pdf"
    built.write_bytes(pdf(2, "बैच"))
    results = [PageResult(number=n, text="कार्यालय आदेश", confidence=90.0, blank=False, language="hin", rotation=0,
                          seconds=0.1, layer=None) for n in (1, 2)]
    plan = Plan((Segment(0, (0,)), Segment(1, (1,))), (None, None), (None, None))
    a_lock, other = LeaderLock(st), Store(url, migrate_schema=False)
    b_lock = LeaderLock(other)
    a_lock.acquire()

    def lead_moves(**_: object) -> None:
        if b_lock.fence is None:
            _terminate_leader(url)
            b_lock.acquire(wait=True, poll=0.1)

    HOOKS["after_segment"] = lead_moves
    try:
        with pytest.raises(NotLeader):
            split.record_batch(cfg, st, 1, built, "pdf", results, plan, staging, share / "राजस्व" / "बैच.pdf")
        assert (archive / "राजस्व" / "1-बैच.ocr.pdf").is_file()          # moved while it still led
        assert not (archive / "राजस्व" / "1-बैच.2.ocr.pdf").exists()     # not after
        with other.session() as s:
            assert s.execute(text("SELECT count(*) FROM document WHERE status = 'done'")).scalar() == 0
    finally:
        HOOKS.pop("after_segment", None)
        a_lock.release()
        b_lock.release()
        other.close()


def test_the_leader_hears_workers_again_after_its_listening_connection_was_killed(pg_store: tuple[str, Store]) -> None:
    """The connection that LISTENs for workers' batch ends is killed (a network blip, an operator's
    pg_terminate_backend): a batch ended meanwhile is not heard (the looks at the database find it), and the
    listener is back by itself for the next one."""
    import time

    from workers import batches
    from workers.wake import CHANNEL, Wakeups

    url, st = pg_store
    wakeups = Wakeups(st)
    try:
        assert wakeups.listening.wait(10)
        first, second = batches.plan(st, 1, "ab", "pdf", 4, 2)
        engine = create_engine(url)
        try:
            with engine.connect() as c:
                pids = c.execute(text("SELECT pid FROM pg_stat_activity WHERE query LIKE :q"),
                                 {"q": f"LISTEN {CHANNEL}%"}).scalars().all()
                assert pids
                for pid in pids:
                    c.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
        finally:
            engine.dispose()
        deadline = time.monotonic() + 5
        while wakeups.listening.is_set() and time.monotonic() < deadline:
            time.sleep(0.05)
        b = batches.claim(st, first, lease=60)
        assert b is not None and batches.finish(st, b, "done")
        assert [x.state for x in batches.states(st, 1, "ab")] == ["done", "queued"]   # the look finds it
        assert wakeups.listening.wait(15), "the listener did not come back"
        c2 = batches.claim(st, second, lease=60)
        assert c2 is not None and batches.finish(st, c2, "done")
        assert wakeups.wait(1, 10)
    finally:
        wakeups.close()


@pytest.mark.parametrize("tamper", ["DELETE FROM leader_epoch", "UPDATE leader_epoch SET epoch = epoch + 100"])
def test_the_epoch_row_changed_under_a_running_leader(pg_store: tuple[str, Store], tamper: str) -> None:
    """An operator removes or edits the epoch row while a watcher leads: it can no longer prove it leads, so it
    commits nothing more (NotLeader) — and when it takes the lead again it leads, and can still assemble the
    document it had claimed."""
    from store.dblocks import NotLeader

    url, st = pg_store
    lock = LeaderLock(st)
    lock.acquire()
    try:
        with st.session() as s:
            assert claim_assembly(s, 1, epoch(st))
        _raw(url, tamper)
        assert not leading(st)
        with pytest.raises(NotLeader), st.session() as s:
            s.execute(text("UPDATE document SET pages = 3"))
    finally:
        lock.release()
    again = LeaderLock(st)
    again.acquire()
    try:
        assert leading(st)
        with st.session() as s:
            assert claim_assembly(s, 1, epoch(st))
            assert s.execute(text("SELECT pages FROM document")).scalar() == 0
    finally:
        again.release()


def test_a_fenced_out_leader_does_not_make_staging_again(tmp_path: Path, pg_store: tuple[str, Store]) -> None:
    """The leader (queue backend "celery") lost the lead after inspecting a document; the new leader finished it and
    removed its staging. The old one goes on to plan the document's batches: it is refused (fenced) — and must not
    have made the document's staging folder again first (left in the archive until the next leader restarts)."""
    from common.config import load
    from ingest.validate import Inspected
    from store.dblocks import NotLeader
    from tests.test_pg_fencing import _terminate_leader
    from workers.remote import CeleryIngestor

    url, st = pg_store
    share, archive = tmp_path / "share", tmp_path / "archive"
    (share / "राजस्व").mkdir(parents=True)
    archive.mkdir()
    (share / "राजस्व" / "आदेश.pdf").write_bytes(b"%PDF-1.4")
    conf = tmp_path / "config.toml"
    conf.write_text(f'[share]\npath = "{share}"\n[store]\nurl = "{url}"\n[archive]\npath = "{archive}"\n'
                    '[queue]\nbackend = "celery"\nurl = "redis://127.0.0.1:1/0"\n', encoding="utf-8")
    cfg = load(str(conf))
    other = Store(url, migrate_schema=False)
    a_lock, b_lock = LeaderLock(st), LeaderLock(other)
    a_lock.acquire()
    ingestor = CeleryIngestor(cfg, st)
    try:
        _terminate_leader(url)
        b_lock.acquire(wait=True, poll=0.1)
        staging = archive / ".staging" / "1"
        with pytest.raises(NotLeader):
            ingestor._ocr_or_kept(share / "राजस्व" / "आदेश.pdf", Inspected("pdf", 2), staging, "ab")
        assert not staging.exists()
    finally:
        ingestor.close()
        a_lock.release()
        b_lock.release()
        other.close()


def test_a_partitioned_leaders_connections_are_dropped_within_a_minute() -> None:
    """The leading machine is cut off the network (a switch fails, a cable is pulled) without closing its
    connections. PostgreSQL keeps their sessions — the leader lock with them, and any fenced transaction's hold on
    the epoch row — until TCP keepalive gives up: with the kernel's defaults over two hours, in which no watcher
    can lead and nothing is digitised. Every nasti connection asks the server to probe after 30 s and give up
    after 3 missed probes 10 s apart (server-side keepalive; a user timeout for unacknowledged data)."""
    import shutil

    from tests.celery_rig import free_port
    from tests.pgcluster import private_cluster

    port = free_port()
    pg, root = private_cluster(port)
    try:
        url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"   # over TCP, as another machine
        st = Store(url, migrate_schema=False)
        lock = LeaderLock(st)
        try:
            with st.session() as s:
                got = {k: s.execute(text(f"SHOW {k}")).scalar() for k in
                       ("tcp_keepalives_idle", "tcp_keepalives_interval", "tcp_keepalives_count")}
            assert got == {"tcp_keepalives_idle": "30", "tcp_keepalives_interval": "10",
                           "tcp_keepalives_count": "3"}, got
            with st.engine.connect() as c:   # the kind of connection the leader lock is held on
                assert c.execute(text("SHOW tcp_user_timeout")).scalar() == "60000"
        finally:
            lock.release()
            st.close()
    finally:
        pg.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


def test_two_threads_of_one_leader_handle_copies_of_the_same_bytes_one_after_the_other(
        pg_store: tuple[str, Store]) -> None:
    """The same bytes dropped into two branch folders are in flight in one leader at once: its same-bytes lock is an
    advisory lock on its one lock connection, which PostgreSQL grants to its own session again — both copies were
    recorded `done` (a whole-suite run), none as the duplicate. The second must wait for the first."""
    import threading
    import time

    from store.dblocks import same_bytes

    _, st = pg_store
    lock = LeaderLock(st)
    lock.acquire()
    inside: list[str] = []
    overlap: list[bool] = []

    def handle(name: str) -> None:
        with same_bytes(st, "ab" * 32):
            inside.append(name)
            overlap.append(len(inside) > 1)
            time.sleep(0.5)
            inside.remove(name)

    try:
        threads = [threading.Thread(target=handle, args=(n,)) for n in ("राजस्व", "स्थापना")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    finally:
        lock.release()
    assert overlap == [False, False]
