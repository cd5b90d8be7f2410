"""Hindi-correct full-text search: whole words, prefixes, phrases, file numbers in either digit set (SQLite FTS5)."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from store.search.pg import tsquery_literal, tsvector_literal
from store.search.query import match_expression, search
from store.search.tokenize import index_text, parse_query
from tests.conftest import NASTI
from tests.pgcluster import new_database
from tests.tagdocs import Office

DOCS = {
    "office": ("revenue/a.pdf", ["कलेक्टर कार्यालय राजगढ़\nविषय: भूमि का नामांतरण\nउपरोक्त विषय में लेख है।"]),
    "admin": ("revenue/b.pdf", ["प्रशासन कार्यालय भोपाल\nई-ऑफिस प्रणाली का प्रशिक्षण दिनांक 02.03.2021 को होगा।"]),
    "reversed": ("establishment/c.pdf", ["कार्यालय प्रशासन द्वारा आदेश जारी।\nप्रतिलिपि सूचनार्थ।"]),
    "car": ("establishment/d.pdf", ["शासकीय कार क्रमांक एमपी-39 की मरम्मत हेतु आवेदन।"]),
    "number": ("revenue/e.pdf", ["कार्यालय कलेक्टर (राजस्व)\nक्रमांक/३७८/राज./२०१७ दिनांक ०१.०२.२०१७\n"
                                 "विषय: सीमांकन प्रकरण"]),
    "named": ("revenue/REV-03_2027_2019-COLL.pdf", ["Office of the Collector\nSubject: Digitisation of records"]),
    "english": ("establishment/f.pdf", ["Training on the e-Office system for all branches.",
                                        "Second page: the administration office will attend."]),
}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def office(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Office, dict[str, int]]:
    """The golden documents, on SQLite (FTS5) and on a real PostgreSQL server (tsvector, bounded ranking)."""
    url = new_database(request.getfixturevalue("pg_server"), "search") if request.param == "postgresql" else None
    o = Office(tmp_path_factory.mktemp("search"), url=url)
    ids = {name: o.add(source, pages) for name, (source, pages) in DOCS.items()}
    return o, ids


def found(office: tuple[Office, dict[str, int]], q: str, **kw: object) -> set[str]:
    o, ids = office
    names = {v: k for k, v in ids.items()}
    with o.store.session() as s:
        return {names[h.id] for h in search(s, q, **kw)}  # type: ignore[arg-type]


@pytest.mark.parametrize(("query", "expected"), [
    ("कार", {"car"}),                                   # never the documents that only say कार्यालय
    ("कार्यालय", {"office", "admin", "reversed", "number"}),
    ("प्रशासन", {"admin", "reversed"}),
    ("ई-ऑफिस", {"admin"}),
    ("कार्या*", {"office", "admin", "reversed", "number"}),
    ('"प्रशासन कार्यालय"', {"admin"}),                    # phrase: order matters
    ("३७८/राज./२०१७", {"number"}),                       # Devanagari digits
    ("378/राज./2017", {"number"}),                       # ASCII digits, printed in Devanagari
    ("REV-03/2027/2019-COLL", {"named"}),                # only in the file name
    ("rev-03/२०२७/2019-coll", {"named"}),
    ("e-Office", {"english"}),
    ("ADMINISTRATION", {"english"}),
    ("नामांतरण", {"office"}),
    ("भूमि नामांतरण", {"office"}),                        # terms AND-ed
    ("भूमि प्रशासन", set()),
])
def test_golden_queries(office, query: str, expected: set[str]) -> None:
    assert found(office, query) == expected


def test_branch_filter_and_limit(office) -> None:
    assert found(office, "कार्यालय", branch="establishment") == {"reversed"}
    o, _ = office
    with o.store.session() as s:
        assert len(search(s, "कार्यालय", limit=2)) == 2


def test_hit_shape_page_snippet_and_order(office) -> None:
    o, ids = office
    with o.store.session() as s:
        hits = search(s, "administration")
        assert [h.id for h in hits] == [ids["english"]]
        hit = hits[0]
        assert hit.page == 2 and hit.branch == "establishment" and "[administration]" in hit.snippet
        ranked = search(s, "कार्यालय")
    assert [h.score for h in ranked] == sorted((h.score for h in ranked), reverse=True)


def test_empty_query_is_an_error(office) -> None:
    o, _ = office
    with o.store.session() as s, pytest.raises(ValueError):
        search(s, " /. ")


def test_cli_json_contract(office) -> None:
    o, ids = office
    r = subprocess.run([NASTI, "--config", str(o.config_path), "search", "३७८/राज./२०१७", "--json"],
                       capture_output=True, text=True, check=True)
    hits = json.loads(r.stdout)
    assert [h["id"] for h in hits] == [ids["number"]]
    assert {"id", "source", "branch", "file_number", "page", "snippet", "score"} <= set(hits[0])
    assert hits[0]["file_number"] == "378/राज./2017"
    bad = subprocess.run([NASTI, "--config", str(o.config_path), "search", "..."], capture_output=True, text=True)
    assert bad.returncode == 2 and "empty search query" in bad.stderr


def test_match_expression_and_postgres_literals() -> None:
    q = parse_query('कार्या* "प्रशासन कार्यालय" ३७८/राज./२०१७')
    assert match_expression(q) == '"कार्या"* AND "प्रशासन कार्यालय" AND ("378 राज 2017" OR "378राज2017")'
    assert tsquery_literal(q) == ("'कार्या':* & ( 'प्रशासन' <-> 'कार्यालय' ) & "
                                  "( '378' <-> 'राज' <-> '2017' | '378राज2017' )")
    assert tsvector_literal(index_text("कार्यालय o'k"), "x") == "'कार्यालय':1 'o':2 'k':3 'x':5A"


def test_reindexed_on_restart_of_a_document(tmp_path: Path) -> None:
    o = Office(tmp_path)
    doc_id = o.add("revenue/x.pdf", ["पहला संस्करण"])
    from ingest.tagger import tag_and_index

    with o.store.session() as s:
        from store.models import Document
        tag_and_index(s, s.get_one(Document, doc_id), [(1, "दूसरा संस्करण")], o.cfg)
        assert [h.id for h in search(s, "दूसरा")] == [doc_id]
        assert search(s, "पहला") == []


def test_migration_0002_backfills_the_index_and_downgrades_without_losing_rows(tmp_path: Path) -> None:
    from alembic import command
    from sqlalchemy import text

    from store.db import alembic_config, make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    cfg = alembic_config()

    def migrate(to: str, down: bool = False) -> None:
        with engine.begin() as c:
            cfg.attributes["connection"] = c
            (command.downgrade if down else command.upgrade)(cfg, to)

    migrate("0001")
    with engine.begin() as c:
        c.execute(text("INSERT INTO office (id, key, name_hi, name_en) VALUES (1, 'default', 'का', 'O')"))
        c.execute(text("INSERT INTO document (id, office_id, source, share_path, sha256, size, status, needs_review, "
                       "pages, blank_pages, settled, received_at, updated_at, file_number, file_number_key) VALUES "
                       "(1, 1, 'r/a.pdf', 'r/a.pdf', 'x', 1, 'done', 0, 1, 0, 1, '2024-01-01', '2024-01-01', "
                       "'378/राज./2017', '378राज2017')"))
        c.execute(text("INSERT INTO page (document_id, number, text, blank, rotation) "
                       "VALUES (1, 1, 'प्रशासन कार्यालय', 0, 0)"))
        c.execute(text("INSERT INTO event (document_id, at, to_state, actor) VALUES (1, '2024-01-01', 'done', 'n')"))
    migrate("head")
    with engine.connect() as c:
        match = "SELECT document_id FROM page_fts WHERE page_fts MATCH :m"
        assert c.execute(text(match), {"m": '"कार्यालय"'}).scalars().all() == [1]
        assert c.execute(text(match), {"m": '"कार"'}).scalars().all() == []
        assert c.execute(text(match), {"m": '"378राज2017"'}).scalars().all() == [1]
    migrate("0001", down=True)
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM page")).scalar() == 1
        assert c.execute(text("SELECT count(*) FROM event")).scalar() == 1
    migrate("head")
