"""PostgreSQL for real (a throwaway server from Debian's packages): every migration, the one command that migrates,
and the gate that keeps watchers and workers from migrating."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, text

from nasti.schema import SchemaError, head_revision, open_checked, schema_state, upgrade
from store.db import alembic_config, make_engine
from tests.conftest import NASTI
from tests.pgcluster import new_database


def _revision(url: str) -> str | None:
    engine = make_engine(url)
    try:
        return schema_state(engine).current
    finally:
        engine.dispose()


def test_every_migration_runs_on_postgresql_up_and_down(pg_server: str) -> None:
    url = new_database(pg_server, "mig")
    before, after = upgrade(url)
    assert (before, after) == (None, head_revision())
    engine = make_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
        assert {"document", "page", "event", "page_fts", "register_file", "branch", "office"} <= tables
        with engine.connect() as conn:   # the search table is PostgreSQL's own: a tsvector behind a GIN index
            idx = conn.execute(text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_page_fts_tsv'")).scalar()
        assert idx is not None and "gin" in idx.lower()
        cfg = alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0001")
        assert _revision(url) == "0001"
    finally:
        engine.dispose()
    assert upgrade(url) == ("0001", head_revision())


def test_workers_and_watchers_never_migrate_postgresql(pg_server: str) -> None:
    url = new_database(pg_server, "gate")
    with pytest.raises(SchemaError, match="nasti db upgrade"):
        open_checked(url, create=False)           # a worker on a new database: it says who must migrate
    assert _revision(url) is None
    engine = make_engine(url)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0004")
    engine.dispose()
    for create in (True, False):                  # behind: refused by everyone but `nasti db upgrade`
        with pytest.raises(SchemaError, match="nasti migrate"):
            open_checked(url, create=create)
        assert _revision(url) == "0004"


def test_nasti_db_upgrade_on_postgresql(pg_server: str, tmp_path: Path) -> None:
    url = new_database(pg_server, "cli")
    (tmp_path / "share").mkdir()
    config = tmp_path / "config.toml"
    config.write_text(f'[share]\npath = "share"\n[store]\nurl = "{url}"\n[archive]\npath = "archive"\n',
                      encoding="utf-8")
    r = subprocess.run([NASTI, "--config", str(config), "db", "upgrade"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert _revision(url) == head_revision()
    store = open_checked(url, create=False)       # now a worker may open it
    store.close()


def test_postgresql_ranks_a_bounded_candidate_set(pg_server: str, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A common word is ranked among at most CANDIDATES matching pages (the GIN index finds them), so a word on
    75 k pages costs what a word on CANDIDATES pages costs; a branch filter applies before the cap."""
    from store.search import query
    from tests.tagdocs import Office

    o = Office(tmp_path, url=new_database(pg_server, "cand"))
    for i in range(6):
        o.add(f"revenue/{i}.pdf", [f"कार्यालय कलेक्टर पत्र {i}"])
    only = o.add("establishment/x.pdf", ["कार्यालय स्थापना"])
    monkeypatch.setattr(query, "CANDIDATES", 3)
    with o.store.session() as s:
        assert len(query.search(s, "कार्यालय", limit=2)) == 2
        assert len(query.search(s, "कार्यालय", limit=1)) == 1
        assert len(query.search(s, "कार्यालय")) == 7     # never fewer candidates than the limit asks for
        assert [h.id for h in query.search(s, "कार्यालय", branch="establishment")] == [only]
        sql = "EXPLAIN " + query._POSTGRES.format(source="page_fts", filter_join="")
        plan = "\n".join(r[0] for r in s.execute(text(sql), {"m": "'कार्यालय'", "candidates": 3, "limit": 20}))
    assert "Limit" in plan
    o.store.close()


def test_one_leading_watcher_and_one_active_record_per_drop(pg_server: str) -> None:
    """Across machines the database decides: one watcher holds the leader lock (a second stands by until the first's
    connection goes), copies of the same bytes wait for each other, and a second active record of one drop is
    refused by the database itself."""
    import threading

    from sqlalchemy.exc import IntegrityError

    from store import repo
    from store.db import Store
    from store.dblocks import LeaderBusy, LeaderLock, same_bytes

    url = new_database(pg_server, "lead")
    upgrade(url)
    a, b = Store(url, migrate_schema=False), Store(url, migrate_schema=False)
    try:
        first, second = LeaderLock(a), LeaderLock(b)
        first.acquire()
        with pytest.raises(LeaderBusy):
            second.acquire()
        waiting = threading.Thread(target=second.acquire, kwargs={"wait": True, "poll": 0.05})
        waiting.start()
        waiting.join(0.3)
        assert waiting.is_alive()           # standing by
        first.release()
        waiting.join(5)
        assert not waiting.is_alive()       # took over
        assert second.held()
        with a.engine.connect() as c:       # the server drops the lock's connection (a restart, a network cut)
            c.execute(text("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' "
                           "AND pid <> pg_backend_pid()"))
            c.commit()
        assert not second.held()            # the watcher's guard stops it: two never lead at once
        second.release()

        order: list[str] = []

        def copy() -> None:
            with same_bytes(b, "ab" * 32):
                order.append("b")

        with same_bytes(a, "ab" * 32):
            t = threading.Thread(target=copy)
            t.start()
            t.join(0.3)
            order.append("a")
        t.join(5)
        assert order == ["a", "b"]

        with a.session() as s:
            office = repo.ensure_office(s, key="default", name_hi="का", name_en="O", cutover=None)
            repo.new_document(s, office_id=office.id, branch_id=None, source="revenue/x.pdf",
                              share_path="revenue/x.pdf", sha256="c" * 64, size=1)
        with pytest.raises(IntegrityError), b.session() as s:
            repo.new_document(s, office_id=office.id, branch_id=None, source="revenue/x.pdf",
                              share_path="revenue/x.pdf", sha256="c" * 64, size=1)
    finally:
        a.close()
        b.close()
