"""Celery + Redis + PostgreSQL for real: `nasti watch` queues page batches, `nasti worker` processes read them, and
the never-lose invariant holds through killed workers, a restarted Redis and a restarted PostgreSQL
(tests/celery_rig.py). Workers are held at a named moment through hook files, never by sleeping and hoping."""
from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.celery_rig import Redis, Site, redis_server, wait_until
from tests.pgcluster import new_database


@pytest.fixture
def redis() -> Iterator[Redis]:
    with redis_server() as r:
        yield r


@pytest.fixture
def site(tmp_path: Path, pg_server: str, redis: Redis) -> Iterator[Site]:
    s = Site(tmp_path, new_database(pg_server, "celery"), redis)
    try:
        yield s
    finally:
        s.close()


def test_two_workers_share_a_document(site: Site) -> None:
    """One 6-page file, batches of 2 pages: both worker processes read part of it; assembled once."""
    site.start_worker()
    site.start_worker()
    site.drop("a.pdf", 6)
    site.drop("b.pdf", 1)
    t = time.monotonic()
    site.run("watch", "--once")
    print(f"watch --once: {time.monotonic() - t:.1f} s")
    assert site.check() == {"done": 2}, site.logs()
    claims = site.hook_files("claimed")
    assert len(claims) == 4 and len({b for b, _ in claims}) == 4     # each batch read once
    assert len({pid for _, pid in claims}) == 2, claims             # by both workers


def _finish(site: Site, watch: object, timeout: float = 120) -> None:
    import subprocess

    assert isinstance(watch, subprocess.Popen)
    try:
        code = watch.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(watch.pid, signal.SIGKILL)
        raise AssertionError("watch --once did not end:\n" + site.logs()) from None
    assert code == 0, site.logs()


def test_kill_9_of_a_worker_mid_batch(site: Site) -> None:
    """The worker process reading a batch is killed after its first page: the batch is read again (the page already
    recorded is not), by a live process, and the document is archived once with every page."""
    site.start_worker()
    site.hold("page")
    site.drop("a.pdf", 4)
    watch = site.popen("watch", "--once")
    victim = site.held("page")
    os.kill(victim, signal.SIGKILL)
    site.release("page")
    _finish(site, watch)
    assert site.check() == {"done": 1}, site.logs()
    claims = site.hook_files("claimed")
    killed = {b for b, pid in claims if pid == victim}
    assert len(killed) == 1
    again = [(b, pid) for b, pid in claims if b in killed and pid != victim]
    assert len(again) == 1, claims      # taken over once, by another process
    pages = site.hook_files("page")
    assert sum(1 for b, _ in pages if b in killed) == 2      # page 1 before the kill, page 2 after: none twice


def test_redis_restarted_mid_batch(site: Site) -> None:
    """Redis dies with every queued message (no persistence here) while a batch is read; the database still knows
    every batch, so the watcher sends the lost ones again and nothing is lost or read twice."""
    site.start_worker()
    site.hold("claimed")
    site.drop("a.pdf", 6)
    watch = site.popen("watch", "--once")
    site.held("claimed")
    site.redis.kill()
    site.redis.start()
    site.release("claimed")
    _finish(site, watch)
    assert site.check() == {"done": 1}, site.logs()
    claims = site.hook_files("claimed")
    assert len({b for b, _ in claims}) == 3


def test_slow_page_times_out_and_is_not_read_twice(tmp_path: Path, pg_server: str, redis: Redis) -> None:
    """A page slower than the batch's time limit (the worker is held on it past the limit): the batch ends
    rejected (the file's fault, a reason in Hindi and English), the document is returned with it, and no worker
    reads the batch again."""
    site = Site(tmp_path, new_database(pg_server, "slow"), redis, batch_seconds=2)
    try:
        site.start_worker()
        site.hold("page")
        site.drop("slow.pdf", 2)
        site.run("watch", "--once")
        assert site.check() == {"rejected": 1}, site.logs()
        from sqlalchemy import create_engine, text

        engine = create_engine(site.db_url)
        with engine.connect() as c:
            code, reason_hi = c.execute(text("SELECT reason_code, reason_hi FROM document")).one()
        engine.dispose()
        assert code == "page_timeout" and reason_hi
        time.sleep(1.0)     # a second reading would have been claimed by now (requeue after 2 s, worker idle)
        assert len(site.hook_files("claimed")) == 1
    finally:
        site.close()


def test_postgresql_restarted_mid_batch(tmp_path: Path, redis: Redis) -> None:
    """PostgreSQL crashes (`pg_ctl -m immediate`) and comes back while a worker is in the middle of a batch: the
    worker's next write fails and gives the batch back or its lease runs out, the watcher waits for the database,
    and the document ends done once with every page."""
    import shutil

    from tests.pgcluster import private_cluster

    pg, root = private_cluster()
    site = None
    try:
        site = Site(tmp_path, new_database(pg.url, "restart"), redis)
        site.start_worker()
        site.hold("page")
        site.drop("a.pdf", 4)
        watch = site.popen("watch", "--once")
        site.held("page")
        pg.stop("immediate")
        pg.start()
        site.release("page")
        _finish(site, watch)
        assert site.check() == {"done": 1}, site.logs()
    finally:
        if site is not None:
            site.close()
        pg.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


def test_two_watchers_on_one_share_and_the_leader_killed(site: Site) -> None:
    """Two watchers on one share: the second stands by (--wait) while the first leads. The leader is killed (-9) in
    the middle of a batch; the second takes over, picks the drops up where the database left them, and every drop
    ends with one record."""
    from sqlalchemy import create_engine, text

    site.start_worker()
    site.hold("claimed")
    site.drop("a.pdf", 4)
    site.drop("b.pdf", 1)
    first = site.popen("watch", "--wait")
    site.held("claimed")
    second = site.popen("watch", "--wait")
    time.sleep(0.5)
    assert second.poll() is None    # standing by
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(10)
    site.release("claimed")
    engine = create_engine(site.db_url)

    def settled() -> bool:
        with engine.connect() as c:
            return c.execute(text("SELECT count(*) FROM document WHERE settled AND status IN "
                                  "('done', 'rejected', 'duplicate', 'failed')")).scalar() == 2
    try:
        wait_until(settled, 90, "the standing-by watcher did not finish the drops:\n" + site.logs())
    finally:
        engine.dispose()
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(30)
    assert site.check() == {"done": 2}, site.logs()


def test_doctor_checks_the_queue(site: Site) -> None:
    """`nasti doctor`'s queue check (area 7) against the live Redis, then with Redis gone."""
    from common import config as configmod
    from nasti.checks.site import check_queue
    from nasti.doctor import AREAS, Context

    assert AREAS["queue"] == 7
    cfg = configmod.load(str(site.config))
    [ok] = check_queue(Context(cfg))
    assert ok.status == "ok" and "reachable" in ok.message and ok.data["waiting"] == 0, ok
    site.redis.kill()
    [bad] = check_queue(Context(cfg))
    assert bad.status == "fail" and "not reachable" in bad.message and "127.0.0.1" in bad.message, bad


def test_queue_config_is_checked(tmp_path: Path) -> None:
    from common import config as configmod

    cfg = tmp_path / "config.toml"
    cfg.write_text('[queue]\nbackend = "rabbit"\nbatch_pages = 0\n', encoding="utf-8")
    with pytest.raises(configmod.ConfigError) as e:
        configmod.load(str(cfg))
    assert "queue.backend" in str(e.value) and "queue.batch_pages" in str(e.value)
    cfg.write_text('[queue]\nbackend = "celery"\nurl = "redis://:pw@10.0.0.5:6379/0"\nbatch_pages = 4\n',
                   encoding="utf-8")
    q = configmod.load(str(cfg)).queue
    assert (q.backend, q.batch_pages, q.requeue_seconds) == ("celery", 4, 60.0)
