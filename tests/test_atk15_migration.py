"""Attacks on the leader's fencing (issue 15): the migration 0012 taken down and up again with rows in its tables,
on SQLite and on a real throwaway PostgreSQL."""
from __future__ import annotations

from sqlalchemy import create_engine, text

from store.db import Store
from store.dblocks import LeaderLock, claim_assembly, epoch
from tests import test_atk15_fencing as fencing
from tests.rows import processing_document

_raw = fencing._raw
pg_store = fencing.pg_store   # the same PostgreSQL fixture


def _down_up(url: str) -> None:
    """`0012 → 0011 → head` with alembic, as an engineer backing a release out and in again would."""
    from alembic import command

    from nasti.schema import upgrade
    from store.db import alembic_config

    engine = create_engine(url)
    try:
        cfg = alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0011")
        with engine.connect() as c:
            assert c.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0011"
            assert c.execute(text("SELECT count(*) FROM document")).scalar() == 1   # no document lost on the way
    finally:
        engine.dispose()
    upgrade(url)


def _fill_0012(st: Store) -> None:
    """Rows in everything 0012 added: a claimed document, a batch a worker took and ended, its log row."""
    from workers import batches

    with st.session() as s:
        s.execute(text("UPDATE document SET assembly_epoch = 7"))
    (b,) = batches.plan(st, 1, "ab", "pdf", 2, 2)
    got = batches.claim(st, b, lease=60)
    assert got is not None and batches.finish(st, got, "rejected", "page_timeout", "बहुत धीमा पृष्ठ")


def _check_after(url: str) -> None:
    st = Store(url, migrate_schema=False)
    try:
        lock = LeaderLock(st)
        lock.acquire()
        try:
            with st.session() as s:
                assert s.execute(text("SELECT count(*) FROM document")).scalar() == 1
                assert s.execute(text("SELECT count(*) FROM leader_epoch")).scalar() == 1
                assert claim_assembly(s, 1, epoch(st))
        finally:
            lock.release()
    finally:
        st.close()


def test_0012_down_and_up_again_with_rows_on_postgresql(pg_store: tuple[str, Store]) -> None:
    url, st = pg_store
    _fill_0012(st)
    st.close()
    _down_up(url)
    _check_after(url)


def test_0012_down_and_up_again_with_rows_on_sqlite(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from nasti.schema import upgrade

    url = f"sqlite:///{tmp_path / 'n.db'}"
    upgrade(url)
    st = Store(url, migrate_schema=False)
    try:
        with st.session() as s:
            processing_document(s)
        _fill_0012(st)
    finally:
        st.close()
    _down_up(url)
    _check_after(url)
