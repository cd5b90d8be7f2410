"""Attacks on the leader's fencing (issue 15, store/dblocks.py) as an operator or a failing machine would make them,
on a real throwaway PostgreSQL: the epoch row set back or removed by hand; the migration 0012 taken down and up
again with rows in its tables."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from store.db import Store
from store.dblocks import LeaderLock, claim_assembly, epoch, leading
from tests.pgcluster import new_database


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
        s.execute(text("INSERT INTO office (id, key, name_hi, name_en) VALUES (1, 'x', 'कार्यालय', 'Office')"))
        s.execute(text("INSERT INTO document (id, office_id, source, share_path, sha256, size, status, "
                       "needs_review, settled, pages, blank_pages, received_at, updated_at, part, attempts) "
                       "VALUES (1, 1, 'राजस्व/आदेश.pdf', 'राजस्व/आदेश.pdf', 'ab', 1, 'processing', false, false, 0, "
                       "0, now(), now(), 'receipts', 0)"))
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
