"""Attacks on the OCR workers (issue 15, workers/app.py) with a real PostgreSQL and real tesseract: a worker still
reading a batch when the leader closes the document."""
from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest import share as sharefs
from store import repo
from store.db import Store
from store.models import Document
from tests.celery_rig import pdf, wait_until
from tests.pgcluster import new_database
from workers import batches


@pytest.fixture
def store(pg_server: str) -> Iterator[Store]:
    from nasti.schema import upgrade

    url = new_database(pg_server, "atkw")
    upgrade(url)
    s = Store(url, migrate_schema=False)
    try:
        yield s
    finally:
        s.close()


@pytest.mark.parametrize("batch_pages", [2, 1])
def test_a_page_read_after_the_document_closed_leaves_nothing_in_staging(store: Store, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch,
                                                                         batch_pages: int) -> None:
    """A worker reads page 1 of a batch; meanwhile the leader closes the document (another batch rejected it, or
    the clerk took the file away), forgets its batches and removes its staging. The worker goes on — to page 2 of
    its batch (its text layer written, the folder made again, the result refused) or to ending its 1-page batch
    (refused) — and what it wrote must not stay in the archive's staging for ever (every such page is a file
    nobody removes until the leader restarts)."""
    from common.config import load
    from workers import app as wapp

    share, archive, hooks = tmp_path / "share", tmp_path / "archive", tmp_path / "hooks"
    for d in (share / "राजस्व", archive, hooks):
        d.mkdir(parents=True)
    data = pdf(2, "आदेश")
    (share / "राजस्व" / "आदेश.pdf").write_bytes(data)
    conf = tmp_path / "config.toml"
    conf.write_text(f'[share]\npath = "share"\n[store]\nurl = "{store.engine.url.render_as_string(False)}"\n'
                    '[archive]\npath = "archive"\n[queue]\nbackend = "celery"\nurl = "redis://127.0.0.1:1/0"\n',
                    encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(wapp._state, "cfg", load(str(conf)))
    monkeypatch.setitem(wapp._state, "store", store)
    monkeypatch.setenv("NASTI_WORKER_HOOKS", str(hooks))
    monkeypatch.setenv("OMP_THREAD_LIMIT", "1")
    import hashlib

    sha = hashlib.sha256(data).hexdigest()
    with store.session() as s:
        office = repo.ensure_office(s, key="default", name_hi="का", name_en="O", cutover=None)
        d = repo.new_document(s, office_id=office.id, branch_id=None, source="राजस्व/आदेश.pdf",
                              share_path=sharefs.raw_relative(share, share / "राजस्व" / "आदेश.pdf"), sha256=sha,
                              size=len(data))
        d.status = "processing"
        doc = d.id
    bid = batches.plan(store, doc, sha, "pdf", 2, batch_pages)[0]
    (hooks / "HOLD-page").touch()
    got: list[str] = []
    t = threading.Thread(target=lambda: got.append(wapp.run_batch(bid)), daemon=True)
    t.start()
    wait_until(lambda: next(iter(hooks.glob("page-*")), None), 120, "the worker did not read page 1")
    with store.session() as s:   # what the leader does when the document closes (pipeline._finish, _process)
        s.get_one(Document, doc).status = "rejected"
    batches.forget(store, doc)
    shutil.rmtree(archive / ".staging" / str(doc))
    (hooks / "HOLD-page").unlink()
    t.join(120)
    assert got == (["taken over"] if batch_pages == 2 else ["done"])
    left = [p.name for p in (archive / ".staging").rglob("*")]
    assert left == [], left


def test_a_batch_an_outdated_worker_turns_down_is_sent_again_while_the_queue_is_busy(
        store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`nasti db upgrade` ran on the server; a worker machine still runs the older nasti. It takes a batch's message,
    sees the schema moved and leaves the batch for an up-to-date worker — but the message is consumed (acked).
    The leader's reaper sends a queued batch again only when the broker's queue is empty: behind a backlog (a
    district's first weeks) the document would wait until every other batch was read. The batch must be sent
    again at the reaper's next look, like one whose message was never sent."""
    from common.config import load
    from workers import app as wapp

    (tmp_path / "archive").mkdir()
    conf = tmp_path / "config.toml"
    conf.write_text(f'[share]\npath = "share"\n[store]\nurl = "{store.engine.url.render_as_string(False)}"\n'
                    '[archive]\npath = "archive"\n[queue]\nbackend = "celery"\nurl = "redis://127.0.0.1:1/0"\n',
                    encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(wapp._state, "cfg", load(str(conf)))
    monkeypatch.setitem(wapp._state, "store", store)
    monkeypatch.setitem(wapp._state, "head", "0011")   # this worker's nasti knows the schema before the upgrade
    with store.session() as s:
        office = repo.ensure_office(s, key="default", name_hi="का", name_en="O", cutover=None)
        d = repo.new_document(s, office_id=office.id, branch_id=None, source="राजस्व/आदेश.pdf",
                              share_path="राजस्व/आदेश.pdf", sha256="ab" * 32, size=1)
        d.status = "processing"
        doc = d.id
    (bid,) = batches.plan(store, doc, "ab" * 32, "pdf", 2, 2)
    batches.mark_sent(store, [bid])
    assert batches.reap(store, doc, "ab" * 32, 3600, broker_empty=False) == []   # sent, waiting its turn
    assert wapp.run_batch(bid) == "schema"
    (b,) = batches.states(store, doc, "ab" * 32)
    assert b.state == "queued" and b.attempts == 0
    assert batches.reap(store, doc, "ab" * 32, 3600, broker_empty=False) == [bid]


def test_the_workers_page_is_not_another_offices(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """/workers names every document being read on the deployment, of every office: the collector of another
    office on a shared (state) deployment does not see it; this deployment's does."""
    from store.users import create
    from tests.test_web import PASSWORD, client, seed_web

    monkeypatch.setenv("NASTI_SECRET", "test-secret")
    web = seed_web(tmp_path)
    _, st, _ = web
    with st.session() as s:
        other = repo.ensure_office(s, key="bhopal", name_hi="भोपाल", name_en="Bhopal", cutover=None)
        create(s, "भोपाल-कलेक्टर", "collector", PASSWORD, office=other)
    assert client(web, "भोपाल-कलेक्टर").get("/workers").status_code == 403
    assert client(web, "collector").get("/workers").status_code == 200


def test_a_worker_in_another_pid_namespace_is_not_taken_for_dead(store: Store) -> None:
    """Two worker containers on one host with the host's network (`network_mode: host`) share the hostname and the
    boot id, but not their process ids: a worker in one must not look for the other's pid in its own /proc, find
    nothing, and take over a batch that a live worker is reading (it would be read twice; and two workers with the
    same pid in their namespaces would even share one worker id)."""
    import subprocess
    import sys

    with store.session() as s:
        office = repo.ensure_office(s, key="default", name_hi="का", name_en="O", cutover=None)
        d = repo.new_document(s, office_id=office.id, branch_id=None, source="राजस्व/आदेश.pdf",
                              share_path="राजस्व/आदेश.pdf", sha256="cd" * 32, size=1)
        d.status = "processing"
        doc = d.id
    (bid,) = batches.plan(store, doc, "cd" * 32, "pdf", 2, 2)
    assert batches.claim(store, bid, lease=600) is not None     # this live process reads it
    code = ("import sys; from store.db import Store; from workers import batches; "
            "st = Store(sys.argv[1], migrate_schema=False); "
            "print('taken' if batches.claim(st, int(sys.argv[2]), lease=600) is not None else 'left'); st.close()")
    r = subprocess.run(["unshare", "--pid", "--fork", "--mount-proc", sys.executable, "-c", code,
                        store.engine.url.render_as_string(False), str(bid)],
                       capture_output=True, text=True, timeout=120, cwd=Path(__file__).parent.parent)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "left"
    (b,) = batches.states(store, doc, "cd" * 32)
    assert b.worker == batches.worker_id() and b.attempts == 1


def test_an_outdated_worker_stops_instead_of_eating_every_batch(tmp_path: Path, pg_server: str) -> None:
    """A real `nasti worker` keeps running while `nasti db upgrade` moves the schema past what it knows. Idle, it is
    the first to take every message — each batch it turns down is sent again and taken by it again, and never
    reaches an up-to-date worker. It must stop taking batches (its process ends; the batch is sent again)."""
    from sqlalchemy import create_engine, text

    from tests.celery_rig import Site, redis_server
    from workers.app import NEW, TASK, make_app

    with redis_server() as redis:
        site = Site(tmp_path, new_database(pg_server, "old"), redis)
        try:
            from common.config import load

            app = make_app(load(str(site.config)))
            worker = site.start_worker()
            wait_until(lambda: app.control.ping(timeout=0.5), 90, "the worker did not start:\n" + site.logs())
            st = Store(site.db_url, migrate_schema=False)
            try:
                with st.session() as s:
                    office = repo.ensure_office(s, key="default", name_hi="का", name_en="O", cutover=None)
                    d = repo.new_document(s, office_id=office.id, branch_id=None, source="revenue/a.pdf",
                                          share_path="revenue/a.pdf", sha256="ef" * 32, size=1)
                    d.status = "processing"
                    doc = d.id
                (bid,) = batches.plan(st, doc, "ef" * 32, "pdf", 2, 2)
                batches.mark_sent(st, [bid])
            finally:
                st.close()
            engine = create_engine(site.db_url)
            with engine.begin() as c:
                c.execute(text("UPDATE alembic_version SET version_num = '0099_future'"))
            engine.dispose()
            app.send_task(TASK, args=[bid], priority=NEW)
            try:
                worker.wait(60)
            except Exception:
                raise AssertionError("the outdated worker kept taking batches:\n" + site.logs()) from None
            assert f"batch {bid} left for an up-to-date worker" in site.logs()
            st = Store(site.db_url, migrate_schema=False)
            try:
                (b,) = batches.states(st, doc, "ef" * 32)
                assert b.state == "queued" and b.attempts == 0 and b.queued_at is None   # sent again at once
            finally:
                st.close()
        finally:
            site.close()
