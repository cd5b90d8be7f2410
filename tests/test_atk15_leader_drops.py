"""The leading watcher as a failing machine or network would treat it, with real PostgreSQL, Redis, workers and
watchers: PostgreSQL restarted (`-m immediate`) while the only watcher records; the same scan dropped into two branch
folders while the lead moves to the stand-by. One final settled record per drop, done once, the archive equal to
what the database references (tests/celery_rig.py). Held on 2026-12-01 as well, and not kept here (each ~50 s): the
leader's lock connection terminated after inspect, before and after the archive copy (one done record, epoch 2,
nothing left in staging); the lead moving while the old leader waits for a worker's pages."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.celery_rig import Redis, Site, redis_server, wait_until
from tests.pgcluster import new_database
from tests.test_pg_fencing import _events, _settled, _stop, _terminate_leader


@pytest.fixture
def redis() -> Iterator[Redis]:
    with redis_server() as r:
        yield r


@pytest.mark.parametrize("moment", ["after_copy", "before_settle"])
def test_postgresql_restarted_while_the_leader_records(tmp_path: Path, redis: Redis, moment: str) -> None:
    """PostgreSQL crashes (`pg_ctl -m immediate`) and comes back while the only watcher (`nasti watch --wait`) is in
    the middle of recording a document: its leader lock went with the server. It must end with the file done once,
    settled, archived byte-identical — and the watcher still there, leading again."""
    import shutil

    from tests.pgcluster import private_cluster

    pg, root = private_cluster()
    site = watch = None
    try:
        site = Site(tmp_path, new_database(pg.url, "rec"), redis)
        site.extra_env["NASTI_WATCH_HOOKS"] = str(site.hooks)
        site.start_worker()
        (site.hooks / f"HOLD-{moment}").touch()
        site.drop("a.pdf", 3)
        watch = site.popen("watch", "--wait")
        wait_until(lambda: next(iter(site.hooks.glob(f"{moment}-*")), None), 120, f"no {moment}:\n" + site.logs())
        pg.stop("immediate")
        pg.start()
        (site.hooks / f"HOLD-{moment}").unlink()
        wait_until(lambda: _settled(site.db_url), 120, "the file was not finished:\n" + site.logs())
        site.drop("b.pdf", 1)      # the watcher still takes drops (it leads again)
        wait_until(lambda: _done(site.db_url) == 2, 120, "the watcher did not take the next drop:\n" + site.logs())
        assert watch.poll() is None, site.logs()
        assert [e for e, _ in _events(site.db_url)].count("done") == 2
        _stop(watch)
        assert site.check() == {"done": 2}, site.logs()
    finally:
        if watch is not None:
            _stop(watch)
        if site is not None:
            site.close()
        pg.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


def _done(db_url: str) -> int:
    engine = create_engine(db_url)
    try:
        with engine.connect() as c:
            return int(c.execute(text("SELECT count(*) FROM document WHERE settled AND status = 'done'")).scalar() or 0)
    finally:
        engine.dispose()


def test_same_bytes_in_two_branch_folders_while_the_lead_moves(tmp_path: Path, pg_server: str, redis: Redis) -> None:
    """A clerk drops the same scan into two branch folders at once; the leader is held after inspecting the first
    (the second waits for the same-bytes lock) and its lock connection is terminated: the stand-by (another machine,
    no shared file lock) leads. Exactly one `done` and one `duplicate`, both settled; the old leader, released,
    records nothing."""
    from tests.celery_rig import pdf

    site = Site(tmp_path, new_database(pg_server, "twin"), redis)
    first = second = None
    try:
        site.extra_env["NASTI_WATCH_HOOKS"] = str(site.hooks)
        site.start_worker()
        (site.hooks / "HOLD-after_inspect").touch()
        data = pdf(2, "आदेश")
        for folder in ("revenue", "establishment"):
            (site.share / folder).mkdir(exist_ok=True)
            tmp = site.share / folder / ".आदेश.pdf.part"
            tmp.write_bytes(data)
            site.drops[f"{folder}/आदेश.pdf"] = data
        for folder in ("revenue", "establishment"):
            (site.share / folder / ".आदेश.pdf.part").rename(site.share / folder / "आदेश.pdf")
        first = site.popen("watch", "--wait")
        found = wait_until(lambda: next(iter(site.hooks.glob("after_inspect-*")), None), 120,
                           "the leader did not inspect:\n" + site.logs())
        pid = int(found.name.rsplit("-", 1)[1])
        (site.hooks / f"HOLD-after_inspect-{pid}").touch()
        (site.hooks / "HOLD-after_inspect").unlink()
        second = site.popen("watch", "--wait")
        (site.share / ".nasti.lock").unlink()
        (site.archive / ".nasti-share.lock").unlink()
        _terminate_leader(site.db_url)
        engine = create_engine(site.db_url)

        def both() -> bool:
            with engine.connect() as c:
                return c.execute(text("SELECT count(*) FROM document WHERE settled AND status IN "
                                      "('done', 'duplicate')")).scalar() == 2
        try:
            wait_until(both, 180, "the new leader did not finish both drops:\n" + site.logs())
        finally:
            engine.dispose()
        (site.hooks / f"HOLD-after_inspect-{pid}").unlink()
        wait_until(lambda: "stands by until it can lead again" in site.logs(), 60,
                   "the old leader did not stand by:\n" + site.logs())
        _stop(first, second)
        assert site.check() == {"done": 1, "duplicate": 1}, site.logs()
        assert [e for e, _ in _events(site.db_url)].count("done") == 1
    finally:
        _stop(*(p for p in (first, second) if p is not None))
        site.close()
