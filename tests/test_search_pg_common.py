"""PostgreSQL search of a word on most pages: the candidates read from the start of the table (store.search.query
MAX_PREFIX) are the ones the GIN index gives, so the hits are the same; an office filter applies on PostgreSQL too."""
from __future__ import annotations

import random

import pytest
from sqlalchemy import event, insert, text

from store import repo
from store.db import Store
from store.models import Document
from store.search import query as searchq
from store.search.pg import tsvector_literal
from store.search.tokenize import index_text
from tests.pgcluster import new_database

WORDS = ("नस्ती", "आदेश", "तहसीलदार", "प्रतिवेदन", "भूमि", "खसरा", "नामांतरण", "कलेक्टर", "जाँच", "सीमांकन")


@pytest.fixture(scope="module")
def store(pg_server: str):  # type: ignore[no-untyped-def]
    st = Store(new_database(pg_server, "common"))
    rng = random.Random(3)
    with st.session() as s:
        offices = [repo.ensure_office(s, key=k, name_hi=k, name_en=k, cutover=None).id for k in ("default", "d2")]
        s.execute(insert(Document), [
            {"id": i, "office_id": offices[i % 2], "branch_id": None, "source": f"{i}.pdf", "share_path": f"{i}.pdf",
             "sha256": f"{i:064x}", "size": 1, "status": "done", "needs_review": False, "pages": 10,
             "blank_pages": 0, "settled": True} for i in range(1, 321)])
        rows = []
        for doc in range(1, 321):
            for page in range(1, 11):
                words = [rng.choice(WORDS) for _ in range(rng.randint(5, 40))]
                if rng.random() < 0.9:
                    words.insert(rng.randrange(len(words)), "कार्यालय")
                body = index_text(" ".join(words))
                rows.append({"doc": doc, "page": page, "body": body, "tsv": tsvector_literal(body)})
        s.execute(text("INSERT INTO page_fts (body, meta, document_id, page, tsv) "
                       "VALUES (:body, '', :doc, :page, CAST(:tsv AS tsvector))"), rows)
        s.execute(text("ANALYZE page_fts"))
    yield st
    st.close()


def test_common_word_same_hits_as_the_index(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    with store.session() as s:
        matching = s.execute(text("SELECT count(*) FROM page_fts WHERE tsv @@ CAST(:m AS tsquery)"),
                             {"m": "'कार्यालय'"}).scalar_one()
        assert matching > searchq.CANDIDATES
        seen: list[str] = []

        def spy(*a: object) -> None:
            seen.append(str(a[2]))
        event.listen(store.engine, "before_cursor_execute", spy)
        fast = searchq.search(s, "कार्यालय", limit=50)
        event.remove(store.engine, "before_cursor_execute", spy)
        took_prefix = [q for q in seen if "FROM page_fts LIMIT" in q]
        took_index = [q for q in seen if "FROM page_fts AS f" in q]
        assert took_prefix and not took_index                     # the prefix path answered
        fast_rare = searchq.search(s, "खसरा नामांतरण", limit=50)
    monkeypatch.setattr(searchq, "MAX_PREFIX", 0)                  # the GIN index path
    with store.session() as s:
        assert searchq.search(s, "कार्यालय", limit=50) == fast
        assert searchq.search(s, "खसरा नामांतरण", limit=50) == fast_rare
    assert len(fast) == 50


def test_office_filter_on_postgres(store: Store) -> None:
    with store.session() as s:
        d2 = s.execute(text("SELECT id FROM office WHERE key = 'd2'")).scalar_one()
        hits = searchq.search(s, "कार्यालय", limit=30, office_ids=[d2])
        assert len(hits) == 30
        offices = set(s.execute(text("SELECT DISTINCT office_id FROM document WHERE id = ANY(:ids)"),
                                {"ids": [h.id for h in hits]}).scalars())
        assert offices == {d2}
        assert searchq.search(s, "कार्यालय", office_ids=[]) == []
