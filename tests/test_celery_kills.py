"""kill -9 of the worker process reading a batch, 10 times at random pages (seeded), with Celery + Redis +
PostgreSQL for real: 0 lost, 0 duplicated, the never-lose invariant (tests/celery_rig.py). Hook files say which
process reads which batch; a worker is held at its page hook while the test picks its victim, never by sleeping
and hoping. Bounded: the whole test stays under 3 minutes."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.celery_rig import Redis, Site, redis_server, wait_until
from tests.pgcluster import new_database
from workers.batches import MAX_CLAIMS

KILLS, SEED, DOCS, PAGES = 10, 15, 8, 6
LIMIT = 900.0     # seconds: a bound for a run that hangs, not a speed target (about 90 s on an idle machine)


@pytest.fixture
def redis() -> Iterator[Redis]:
    with redis_server() as r:
        yield r


def _held_pages(site: Site, hold: Path, killed: Counter[int], end: float) -> list[tuple[int, int]] | None:
    """The (batch, pid) of workers that wrote their page hook after ``hold`` existed (so they wait there), whose
    batch may be killed once more without reaching MAX_CLAIMS; None at the time limit."""
    since = hold.stat().st_mtime_ns
    while time.monotonic() < end:
        got = []
        for f in site.hooks.glob("page-*-*"):
            try:
                newer = f.stat().st_mtime_ns > since
            except FileNotFoundError:
                continue
            batch, pid = (int(x) for x in f.name.split("-")[1:])
            if newer and killed[batch] < MAX_CLAIMS - 1:
                got.append((batch, pid))
        if got:
            return sorted(got)
        time.sleep(0.05)
    return None


def test_ten_kills_of_a_worker_at_random_pages(tmp_path: Path, pg_server: str, redis: Redis) -> None:
    rnd = random.Random(SEED)
    site = Site(tmp_path, new_database(pg_server, "kills"), redis, batch_pages=2, requeue_seconds=2)
    watch: subprocess.Popen[str] | None = None
    start = time.monotonic()
    end = start + LIMIT
    try:
        site.start_worker(2)
        for i in range(DOCS):
            site.drop(f"फ़ाइल-{i + 1}.pdf", PAGES)
        hold = site.hooks / "HOLD-page"
        hold.touch()
        watch = site.popen("watch", "--once")
        killed: Counter[int] = Counter()
        victims: list[tuple[int, int]] = []
        while len(victims) < KILLS:
            got = _held_pages(site, hold, killed, end)
            assert got is not None, f"only {len(victims)} kills before the time limit:\n{site.logs()}"
            batch, pid = rnd.choice(got)
            os.kill(pid, signal.SIGKILL)
            killed[batch] += 1
            victims.append((batch, pid))
            for f in site.hooks.glob(f"page-*-{pid}"):
                f.unlink()
            hold.unlink()       # the other held worker goes on; the killed batch comes back to a live process
            wait_until(lambda b=batch, p=pid: any(c == b and q != p and q not in {v for _, v in victims}
                                                  for c, q in site.hook_files("claimed")),
                       max(1.0, end - time.monotonic()), f"batch {batch} was not taken again", every=0.05)
            hold.touch()
        hold.unlink()
        code = watch.wait(max(1.0, end - time.monotonic()))
        assert code == 0, site.logs()
        print(f"{KILLS} kills in {time.monotonic() - start:.1f} s; batches killed: {dict(killed)}")
        assert site.check() == {"done": DOCS}, site.logs()     # 0 lost: every drop done, settled, archived once
        engine = create_engine(site.db_url)
        with engine.connect() as c:                              # 0 duplicated: one record, one `done`, its pages
            assert c.execute(text("SELECT count(*) FROM event WHERE to_state = 'done'")).scalar() == DOCS
            assert c.execute(text("SELECT count(*) FROM page")).scalar() == DOCS * PAGES
            assert c.execute(text("SELECT count(*) FROM (SELECT document_id, number FROM page GROUP BY "
                                  "document_id, number HAVING count(*) > 1) d")).scalar() == 0
        engine.dispose()
        assert len({pid for _, pid in victims}) == KILLS          # each kill took a different, live process
        status = site.run("worker", "status", "--json")             # item 4 on real PostgreSQL rows
        import json

        got = json.loads(status.stdout)
        assert got["queued_batches"] == 0 and not any(w["running"] for w in got["workers"]), got
        assert sum(w["pages_hour"] for w in got["workers"]) == DOCS * PAGES, got   # each batch done once
    finally:
        if watch is not None and watch.poll() is None:
            os.killpg(watch.pid, signal.SIGKILL)
            watch.wait(10)
        site.close()
