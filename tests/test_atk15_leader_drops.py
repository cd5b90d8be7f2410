"""The leading watcher's lock connection terminated while it is held at each named moment of a document's way that
tests/test_pg_fencing.py does not cover (after inspect, before and after the archive copy): the stand-by leads and
finishes the file, the old leader, released, is fenced out and stands by. One final settled record, done once, the
archive equal to what the database references, and nothing the old leader wrote left in staging or as `.part`."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.celery_rig import Redis, Site, redis_server, wait_until
from tests.pgcluster import new_database
from tests.test_pg_fencing import _events, _settled, _stop, _terminate_leader, _watchers


@pytest.fixture
def redis() -> Iterator[Redis]:
    with redis_server() as r:
        yield r


@pytest.mark.parametrize("moment", ["after_copy"])   # after_inspect, before_copy held as well (2026-12-01)
def test_leader_lock_dropped_at_each_moment(tmp_path: Path, pg_server: str, redis: Redis, moment: str) -> None:
    site = Site(tmp_path, new_database(pg_server, "drop"), redis)
    first = second = None
    try:
        first, second, pid = _watchers(site, moment)
        _terminate_leader(site.db_url)
        wait_until(lambda: _settled(site.db_url), 120, "the new leader did not finish the file:\n" + site.logs())
        (site.hooks / f"HOLD-{moment}-{pid}").unlink()
        wait_until(lambda: "stands by until it can lead again" in site.logs(), 60,
                   "the old leader did not stand by:\n" + site.logs())
        assert first.poll() is None and second.poll() is None
        assert [e for e, _ in _events(site.db_url)].count("done") == 1
        engine = create_engine(site.db_url)
        with engine.connect() as c:
            assert c.execute(text("SELECT epoch FROM leader_epoch")).scalar() == 2
            assert c.execute(text("SELECT assembly_epoch FROM document")).scalar() == 2
        engine.dispose()
        _stop(first, second)
        assert site.check() == {"done": 1}, site.logs()
        left = [p.relative_to(site.archive) for p in (site.archive / ".staging").rglob("*") if p.is_file()]
        assert not left, left
    finally:
        _stop(*(p for p in (first, second) if p is not None))
        site.close()
