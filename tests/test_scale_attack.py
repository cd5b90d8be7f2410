"""Attacks on the scale-out path (workers/, store/dblocks.py, recovery on a shared archive) as an operator or a fault
would make them: worker machines whose clocks disagree, whose archive is mounted elsewhere, a document closed while
its pages are read, two workers at the same instant, a poison page, a worker older than the schema, a watcher on an
empty PostgreSQL database, a restarting machine on a shared archive. In-process against the session's PostgreSQL
server where the fault can be set up there; each asserts what the never-lose invariant needs."""
from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import func, select, text

from ocr.page import PageResult
from store import repo
from store.db import Store
from store.models import Document, OcrResult
from tests.pgcluster import new_database
from workers import batches


@pytest.fixture
def store(pg_server: str) -> Iterator[Store]:
    from nasti.schema import upgrade

    url = new_database(pg_server, "atk")
    upgrade(url)
    s = Store(url, migrate_schema=False)
    try:
        yield s
    finally:
        s.close()


def _doc(store: Store, name: str = "a.pdf", status: str = "processing") -> int:
    with store.session() as s:
        office = repo.ensure_office(s, key="default", name_hi="का", name_en="O", cutover=None)
        d = repo.new_document(s, office_id=office.id, branch_id=None, source=f"revenue/{name}",
                              share_path=f"revenue/{name}", sha256=name.encode().hex().ljust(64, "0")[:64], size=1)
        d.status = status
        return d.id


def _sha(store: Store, doc_id: int) -> str:
    with store.session() as s:
        return s.get_one(Document, doc_id).sha256


def _page(n: int, layer: Path | None) -> PageResult:
    return PageResult(number=n, text="कार्यालय आदेश", confidence=90.0, blank=False, language="hin", rotation=0,
                      seconds=0.1, layer=layer)


def _worker_process(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """workers.app as in a `nasti worker` pool process on this store (an empty share, an archive)."""
    from common.config import load
    from workers import app as wapp

    cfg_file = tmp_path / "config.toml"
    (tmp_path / "share" / "revenue").mkdir(parents=True)
    (tmp_path / "archive").mkdir()
    cfg_file.write_text(f'[share]\npath = "share"\n[store]\nurl = "{store.engine.url.render_as_string(False)}"\n'
                        '[archive]\npath = "archive"\n[queue]\nbackend = "celery"\nurl = "redis://127.0.0.1:1/0"\n',
                        encoding="utf-8")
    monkeypatch.setitem(wapp._state, "cfg", load(str(cfg_file)))
    monkeypatch.setitem(wapp._state, "store", store)
    return wapp


def test_a_worker_clock_behind_does_not_lose_its_lease(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker machine whose clock is 10 minutes slow claims a batch: the lease must be measured on the database's
    clock, else the watcher's reaper finds it expired at once and a second worker reads the same pages."""
    doc = _doc(store)
    sha = _sha(store, doc)
    (bid,) = batches.plan(store, doc, sha, "pdf", 2, 2)
    real = batches._now
    monkeypatch.setattr(batches, "_now", lambda: real() - dt.timedelta(minutes=10))
    assert batches.claim(store, bid, lease=60) is not None
    monkeypatch.setattr(batches, "_now", real)
    assert batches.reap(store, doc, sha, requeue_after=1) == []       # the live worker keeps its batch
    monkeypatch.setattr(batches, "_now", lambda: real() + dt.timedelta(minutes=10))   # a fast clock elsewhere
    monkeypatch.setattr(batches, "worker_id", lambda: "other-host:1")
    assert batches.claim(store, bid, lease=60) is None                 # and nobody else takes it over
    (b,) = batches.states(store, doc, sha)
    assert b.state == "running" and b.attempts == 1


def test_a_page_read_after_the_document_closed_leaves_no_result(store: Store) -> None:
    """The clerk replaced the file mid-batch: the watcher closes the document and forgets its batches; the worker
    still reading records its next page — which must not leave an ocr_result row nobody will ever delete."""
    doc = _doc(store)
    sha = _sha(store, doc)
    (bid,) = batches.plan(store, doc, sha, "pdf", 2, 2)
    b = batches.claim(store, bid, lease=60)
    assert b is not None
    batches.forget(store, doc)
    assert batches.record(store, b, _page(1, None), lease=60) is False
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(OcrResult)) == 0


def test_a_worker_with_the_archive_mounted_elsewhere(store: Store, tmp_path: Path) -> None:
    """Worker machines mount the shared archive where their admin chose (/mnt/archive, here /srv/nasti/archive):
    the text layers a worker recorded must be found by the watcher, not judged missing and read again for ever."""
    archive = tmp_path / "srv-archive"
    elsewhere = tmp_path / "mnt-archive"     # the worker's mount point for the same folder
    archive.mkdir()
    elsewhere.symlink_to(archive)
    doc = _doc(store)
    sha = _sha(store, doc)
    (bid,) = batches.plan(store, doc, sha, "pdf", 1, 2)
    b = batches.claim(store, bid, lease=60)
    assert b is not None
    layer = elsewhere / ".staging" / str(doc) / "page-00001.pdf"
    layer.parent.mkdir(parents=True)
    layer.write_bytes(b"%PDF-1.4 layer")
    assert batches.record(store, b, _page(1, layer), lease=60, archive=elsewhere)
    assert batches.finish(store, b, "done")
    elsewhere.unlink()                       # that path does not exist on the watcher's machine
    got = batches.results(store, doc, sha, 1, archive=archive)
    assert got is not None, "a recorded page was judged missing: its batch goes back to the queue"
    assert got[0].layer == archive / ".staging" / str(doc) / "page-00001.pdf"


def test_two_workers_claim_the_same_batch_at_the_same_instant(store: Store,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Both workers have read the batch as queued before either updates it (a barrier between read and update):
    exactly one takes it."""
    doc = _doc(store)
    sha = _sha(store, doc)
    ids = batches.plan(store, doc, sha, "pdf", 8, 2)
    other = Store(str(store.engine.url.render_as_string(hide_password=False)), migrate_schema=False)
    real_update = batches.update
    barrier = threading.Barrier(2, timeout=10)

    def update_after_both_read(*a: object, **kw: object) -> object:
        barrier.wait()
        return real_update(*a, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(batches, "update", update_after_both_read)
    try:
        for bid in ids:
            got: list[object] = []
            ts = [threading.Thread(target=lambda st=st, got=got, bid=bid: got.append(batches.claim(st, bid, lease=60)))
                  for st in (store, other)]
            for t in ts:
                t.start()
            for t in ts:
                t.join(20)
            assert len(got) == 2 and sum(g is not None for g in got) == 1, got
            barrier.reset()
    finally:
        other.close()
    assert all(b.state == "running" and b.attempts == 1 for b in batches.states(store, doc, sha))


def test_a_poison_page_fails_its_batch_after_three_claims(store: Store, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A page that raises every time it is read (a bug, not the file): the batch is given back each time and ends
    `failed` on its fourth delivery — never an endless loop of deliveries."""
    wapp = _worker_process(store, tmp_path, monkeypatch)

    def poison(task: object) -> PageResult:
        raise ZeroDivisionError("a page nasti cannot handle")

    monkeypatch.setattr(wapp, "process_page", poison)
    (tmp_path / "share" / "revenue" / "a.pdf").write_bytes(b"%PDF-1.4")
    doc = _doc(store)
    sha = _sha(store, doc)
    (bid,) = batches.plan(store, doc, sha, "pdf", 2, 2)
    for _ in range(batches.MAX_CLAIMS):
        with pytest.raises(ZeroDivisionError):
            wapp.run_batch(bid)
        assert batches.reap(store, doc, sha, requeue_after=1) == [bid]   # the watcher sends it again
    assert wapp.run_batch(bid) == "not mine"
    (b,) = batches.states(store, doc, sha)
    assert b.state == "failed" and b.attempts == batches.MAX_CLAIMS


def test_a_running_worker_stops_taking_batches_once_the_schema_moved(store: Store, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """`nasti db upgrade` ran on the server while an older worker kept running: it must not read batches with
    its old idea of the tables (it says so, and the batch stays queued for an up-to-date worker)."""
    wapp = _worker_process(store, tmp_path, monkeypatch)
    doc = _doc(store)
    sha = _sha(store, doc)
    (bid,) = batches.plan(store, doc, sha, "pdf", 2, 2)
    with store.engine.begin() as c:
        c.execute(text("UPDATE alembic_version SET version_num = '0099_future'"))
    assert wapp.run_batch(bid) == "schema"
    (b,) = batches.states(store, doc, sha)
    assert b.state == "queued" and b.attempts == 0


def test_a_watcher_on_an_empty_postgresql_database_refuses(pg_server: str, tmp_path: Path) -> None:
    """A server database is migrated by `nasti db upgrade` alone: a watcher pointed at a new, empty one (a typo in
    the database name, a fresh server) must not create a schema there, but say which command does."""
    import subprocess

    from sqlalchemy import create_engine, inspect

    from tests.conftest import NASTI

    url = new_database(pg_server, "empty")
    (tmp_path / "share" / "revenue").mkdir(parents=True)
    (tmp_path / "archive").mkdir()
    config = tmp_path / "config.toml"
    config.write_text(f'[share]\npath = "share"\n[store]\nurl = "{url}"\n[archive]\npath = "archive"\n'
                      '[branches.revenue]\ncode = "REV"\nname_hi = "राजस्व"\nname_en = "Revenue"\n', encoding="utf-8")
    r = subprocess.run([NASTI, "--config", str(config), "watch", "--once"], capture_output=True, text=True,
                       timeout=120, cwd=tmp_path)
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert "nasti db upgrade" in r.stderr
    engine = create_engine(url)
    try:
        with engine.connect() as c:
            assert inspect(c).get_table_names() == []
    finally:
        engine.dispose()


def test_a_restarting_machine_on_a_shared_archive_touches_only_its_databases_in_flight_work(store: Store,
                                                                                            tmp_path: Path) -> None:
    """PostgreSQL: the share and archive are shared by machines. A watcher starting up (becoming the leader) must
    not walk the whole archive and set aside what the database does not (yet) reference — files another machine
    is writing, staging of pages it reads: recovery works from the database's in-flight records alone, and the
    full walk is `nasti fsck`'s (which reports and never deletes). What the database says is over is cleared."""
    from ingest.recover import recover

    share, archive = tmp_path / "share", tmp_path / "archive"
    (share / "revenue").mkdir(parents=True)
    foreign = archive / "2026" / "REV" / "being-written-elsewhere.pdf"
    foreign.parent.mkdir(parents=True)
    foreign.write_bytes(b"%PDF-1.4 another machine's copy")
    unknown_staging = archive / ".staging" / "999999"
    unknown_staging.mkdir(parents=True)
    (unknown_staging / "page-00001.pdf").write_bytes(b"%PDF layer")
    closed = _doc(store, "closed.pdf", status="rejected")       # closed (the clerk replaced it) with pages queued
    sha = _sha(store, closed)
    batches.plan(store, closed, sha, "pdf", 4, 2)
    (archive / ".staging" / str(closed)).mkdir()
    with store.session() as s:
        s.get_one(Document, closed).settled = True
    counts = recover(store, share, archive)
    assert foreign.is_file() and not (archive / "_quarantine").exists(), counts
    assert (unknown_staging / "page-00001.pdf").is_file()
    assert not (archive / ".staging" / str(closed)).exists()
    assert batches.states(store, closed, sha) == []             # nothing of a closed document stays queued


def test_a_worker_whose_share_is_not_mounted_does_not_reject_the_file(store: Store, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """One worker machine lost its share mount (or mounts it elsewhere): poppler cannot open the file there. That is
    the machine's fault, not the file's: the batch goes back (its claims counted, so it ends `failed`, kept in the
    share for a retry) — never `rejected` as a damaged PDF, which would move the clerk's good file to _rejected/."""
    wapp = _worker_process(store, tmp_path, monkeypatch)    # its share is empty: the real one is not mounted
    doc = _doc(store)
    sha = _sha(store, doc)
    (bid,) = batches.plan(store, doc, sha, "pdf", 2, 2)
    for _ in range(batches.MAX_CLAIMS):
        wapp.run_batch(bid)
        (b,) = batches.states(store, doc, sha)
        assert b.state == "queued", (b.state, b.error_code, b.error)
    assert wapp.run_batch(bid) == "not mine"
    (b,) = batches.states(store, doc, sha)
    assert b.state == "failed"


def test_a_file_deleted_while_its_batches_wait_for_a_worker(pg_server: str, tmp_path: Path) -> None:
    """The clerk drops a file and deletes it again while its page batches wait in the queue (no worker free): the
    watcher must not wait for ever for pages nobody can read — the record closes as removed, nothing stays queued."""
    import subprocess

    from tests.celery_rig import Site, redis_server, wait_until

    with redis_server() as redis:
        site = Site(tmp_path, new_database(pg_server, "gone"), redis)
        try:
            site.drop("a.pdf", 2)
            watch = site.popen("watch", "--once")
            other = Store(site.db_url, migrate_schema=False)

            def queued() -> int:
                with other.session() as s:
                    return int(s.scalar(select(func.count()).select_from(batches.OcrBatch)) or 0)

            try:
                wait_until(queued, 60, "no batch was queued")
            finally:
                other.close()
            (site.share / "revenue" / "a.pdf").unlink()
            try:
                code = watch.wait(60)
            except subprocess.TimeoutExpired:
                watch.kill()
                raise AssertionError("the watcher waits for ever for a deleted file's pages:\n" + site.logs()) \
                    from None
            assert code == 0, site.logs()
            assert site.check() == {"rejected": 1}
        finally:
            site.close()


def test_a_cloned_worker_machine_with_the_same_hostname_is_not_judged_dead(store: Store) -> None:
    """Worker machines cloned from one image often share a hostname: a batch read by a live worker on the clone
    must not look like one whose worker died on this machine (no such pid here) and be taken over at once."""
    import socket

    doc = _doc(store)
    sha = _sha(store, doc)
    (bid,) = batches.plan(store, doc, sha, "pdf", 2, 2)
    with store.session() as s:
        s.execute(batches.update(batches.OcrBatch).where(batches.OcrBatch.id == bid).values(
            state="running", attempts=1, worker=f"{socket.gethostname()}:4194000",     # no such pid here
            lease_until=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)))
    assert batches.claim(store, bid, lease=60) is None
    assert batches.reap(store, doc, sha, requeue_after=1) == []


def test_kill_9_of_a_worker_just_claimed_and_just_recorded(pg_server: str, tmp_path: Path) -> None:
    """One-page batches: a worker killed right after its claim, then one killed after its page's result was
    upserted but before the batch was marked done. Both batches are taken over; the recorded page is not read
    again; the document is archived once with every page."""
    import os
    import signal
    import subprocess

    from tests.celery_rig import Site, redis_server, wait_until

    with redis_server() as redis:
        site = Site(tmp_path, new_database(pg_server, "kill"), redis, batch_pages=1)
        try:
            site.start_worker()
            site.hold("claimed")
            site.drop("a.pdf", 2)
            watch = site.popen("watch", "--once")
            first = site.held("claimed")
            os.kill(first, signal.SIGKILL)
            site.hold("page")
            site.release("claimed")
            second = wait_until(lambda: next((p for _, p in site.hook_files("page") if p != first), None), 60,
                                "no worker recorded a page")
            os.kill(second, signal.SIGKILL)
            site.release("page")
            try:
                code = watch.wait(90)
            except subprocess.TimeoutExpired:
                os.killpg(watch.pid, signal.SIGKILL)
                raise AssertionError("watch --once did not end:\n" + site.logs()) from None
            assert code == 0, site.logs()
            assert site.check() == {"done": 1}, site.logs()
            pages = site.hook_files("page")
            killed_at_page = {b for b, p in pages if p == second}
            assert len(killed_at_page) == 1
            assert sum(1 for b, _ in pages if b in killed_at_page) == 1, pages   # its page was not read twice
        finally:
            site.close()


def test_kill_9_of_the_leading_watcher_during_assembly(pg_server: str, tmp_path: Path) -> None:
    """Workers read every page; the leading watcher is killed (-9) while it assembles the document (its archive
    copy written, not yet recorded). Started again, it leads, finds the pages' results in the database, and the
    document is archived once: no stray copy, no batch left."""
    import subprocess
    import sys

    from tests.celery_rig import Site, redis_server
    from tests.test_share_lock import HOOKED

    with redis_server() as redis:
        site = Site(tmp_path, new_database(pg_server, "asm"), redis)
        try:
            site.start_worker()
            site.drop("a.pdf", 2)
            r = subprocess.run([sys.executable, "-c", HOOKED, str(site.config), "after_copy"], capture_output=True,
                               text=True, timeout=120, cwd=site.root, env=site.env())
            assert r.returncode == -9, (r.returncode, r.stderr[-2000:])
            site.run("watch", "--once")
            assert site.check() == {"done": 1}, site.logs()
        finally:
            site.close()


def test_a_new_leader_does_not_delete_the_old_leaders_fresh_copy(store: Store, tmp_path: Path) -> None:
    """PostgreSQL: the leading watcher lost its lock (its connection dropped) but, for the seconds until its guard
    stops it, still finishes the document in hand: copy in place, `done` about to be committed, then the original
    settled out of the share. The watcher that now leads must not delete that copy at start-up (it would be a done
    record with no archive copy and no original): an in-flight record's copy is overwritten when it resumes."""
    from ingest.recover import recover

    share, archive = tmp_path / "share", tmp_path / "archive"
    (share / "revenue").mkdir(parents=True)
    (share / "revenue" / "a.pdf").write_bytes(b"%PDF-1.4 the clerk's file")
    doc = _doc(store, "a.pdf", status="processing")
    with store.session() as s:
        d = s.get_one(Document, doc)
        d.archive_path, d.pdf_path = "2026/REV/a.pdf", "2026/REV/a.searchable.pdf"
    copy = archive / "2026" / "REV" / "a.pdf"
    copy.parent.mkdir(parents=True)
    copy.write_bytes(b"%PDF-1.4 the clerk's file")
    recover(store, share, archive)
    assert copy.is_file()


def test_flushall_while_other_documents_keep_the_queue_busy(pg_server: str, tmp_path: Path) -> None:
    """Redis is flushed (or restarted without appendonly) and other documents' batches fill the queue again at
    once: the lost batches must be sent again anyway — not wait until the whole backlog has drained."""
    import redis as redis_py

    from tests.celery_rig import Site, redis_server, wait_until

    with redis_server() as redis:
        site = Site(tmp_path, new_database(pg_server, "flush"), redis)
        watch = None
        try:
            site.drop("a.pdf", 2)
            watch = site.popen("watch", "--once")     # no worker: the batch waits in the queue
            other = Store(site.db_url, migrate_schema=False)

            def sent() -> dt.datetime | None:
                with other.session() as s:
                    return s.scalar(select(batches.OcrBatch.queued_at))

            try:
                first = wait_until(sent, 60, "the batch was not sent")
                client = redis_py.Redis.from_url(redis.url)
                client.flushall()
                client.lpush("nasti", "another document's batch")   # the backlog: the queue is not empty
                wait_until(lambda: (sent() or first) > first, 20, "the lost batch was never sent again")
                client.close()
            finally:
                other.close()
        finally:
            if watch is not None:
                watch.kill()
                watch.wait(10)
            site.close()
