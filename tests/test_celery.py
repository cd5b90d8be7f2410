"""Celery + Redis + PostgreSQL for real: `nasti watch` queues page batches, `nasti worker` processes read them, and the
never-lose invariant holds through killed workers, a restarted Redis and a restarted PostgreSQL (tests/celery_rig.py)."""
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
