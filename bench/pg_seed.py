"""Seed a PostgreSQL database server-side for the scale benchmark (bench/scale_pg_bench.py): offices, Hindi-named
branches (the same keys in every office), register files, documents, page rows and search-index rows, written with
``INSERT ... SELECT generate_series`` (never the ORM: 60 M rows through it would take hours).

Distribution (``random()`` with a fixed seed): 60 offices under 10 divisions, 14 branches each (10 of them with a
register of 400 files), documents spread unevenly over the branches (some offices far bigger than others);
0.5 % received, 0.5 % processing, 3 % rejected (half later resolved), 2 % duplicate, the rest done over the year
before ``AS_OF``; 5 % of done documents await review; 80 % of done documents in a branch with a register are
matched to one of its files (older files more often, so some files stay undigitised); 30 % of the documents done
more than 60 days ago are exported for eOffice. Pages per done document: 1–127 (mean 64), 3 % blank.

Search: page texts come from ``TEMPLATES`` synthetic pages made of the body lines of generated Hindi, English and
mixed letters (bench/search_bench.py), tokenised and turned into tsvector literals by nasti's own
``index_text``/``tsvector_literal`` in Python; the first ``search_docs`` done documents get those texts in their
``page.text`` and one ``page_fts`` row per page (``body`` left empty: PostgreSQL search reads only ``tsv``), the
first page also carrying the document's file number as ``meta`` (weight A), as ``index_document`` writes it.
"""
from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable

from sqlalchemy import Engine, text

from bench.search_bench import line_pool, page_text
from store.search.pg import tsvector_literal
from store.search.tokenize import index_text

AS_OF = dt.date(2026, 11, 25)
OFFICES = 60
DIVISIONS = 10
BRANCHES_HI = ("स्थापना", "राजस्व", "भू-अभिलेख", "नज़ूल", "विधि", "निर्वाचन", "लेखा", "नज़ारत", "आवक",
               "अभिलेखागार", "ई-गवर्नेंस", "खाद्य", "राहत", "भू-अर्जन")
WITH_REGISTER = 10      # the first 10 branches of each office keep a register
FILES_PER_REGISTER = 400
TEMPLATES = 5000


def _ints(sql: str, **values: int) -> str:
    """``sql`` with each ``:name`` replaced by the whole number given (psycopg would bind a small one as
    smallint, and ``generate_series(smallint, smallint)`` is ambiguous)."""
    for name, v in sorted(values.items(), key=lambda kv: -len(kv[0])):
        sql = sql.replace(f":{name}", str(int(v)))
    return sql


def _log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def structure(engine: Engine) -> None:
    """Divisions, offices (``default`` first), branches and register files."""
    with engine.begin() as c:
        c.execute(text("INSERT INTO division (key, name_hi, name_en) SELECT 'div' || i, 'संभाग ' || i, "
                       "'Division ' || i FROM generate_series(1, :n) i"), {"n": DIVISIONS})
        c.execute(text(
            "INSERT INTO office (key, name_hi, name_en, cutover, kind, division_id, remote) "
            "SELECT CASE WHEN i = 1 THEN 'default' ELSE 'd' || i END, 'कलेक्टर कार्यालय ' || i, 'Collectorate ' || i, "
            "DATE '2027-03-31' + (i % 5) * 30, 'collectorate', 1 + i % :dv, false FROM generate_series(1, :n) i"),
            {"n": OFFICES, "dv": DIVISIONS})
        for j, key in enumerate(BRANCHES_HI):
            c.execute(text(
                "INSERT INTO branch (office_id, key, code, name_hi, name_en, cutover, configured) "
                "SELECT o.id, :key, :code, :key, :en, DATE '2027-01-01' + :j * 10, true FROM office o ORDER BY o.id"),
                {"key": key, "code": f"B{j:02d}", "en": f"branch {j}", "j": j})
        # register files: ids laid out so a document can pick one of its branch's with arithmetic
        c.execute(text("""
            INSERT INTO register_file (id, office_id, branch_id, file_number, key, subject, year, category,
                                       expected_pages, imported_at, updated_at)
            SELECT r.rix * :per + f, b.office_id, b.id, (r.rix * :per + f) || '/राज./' || (1980 + f % 40),
                   (r.rix * :per + f) || 'राज' || (1980 + f % 40), 'पंजी फ़ाइल ' || f, 1980 + f % 40, 'B', 60,
                   TIMESTAMP '2026-01-01', TIMESTAMP '2026-01-01'
            FROM (SELECT id, office_id, row_number() OVER (ORDER BY id) - 1 AS bix FROM branch) AS b
            CROSS JOIN LATERAL (SELECT (b.bix / 14) * :wr + b.bix % 14 AS rix) AS r
            CROSS JOIN generate_series(1, :per) AS f
            WHERE b.bix % 14 < :wr"""), {"per": FILES_PER_REGISTER, "wr": WITH_REGISTER})
        c.execute(text("SELECT setval(pg_get_serial_sequence('register_file', 'id'), "
                       "(SELECT max(id) FROM register_file))"))


_DOCS = """
WITH g AS (
    SELECT i, random() AS rb, random() AS rs, random() AS rv, random() AS rp, random() AS rm, random() AS rf,
           random() AS rd, random() AS rx FROM generate_series(:lo, :hi) AS i
), b AS (
    SELECT g.*, br.id AS branch_id, br.office_id, br.bix FROM g
    JOIN (SELECT id, office_id, row_number() OVER (ORDER BY id) - 1 AS bix FROM branch) AS br
      ON br.bix = floor(pow(g.rb, 1.6) * :nb)::int
), s AS (
    SELECT b.*, CASE WHEN rs < 0.005 THEN 'received' WHEN rs < 0.01 THEN 'processing' WHEN rs < 0.04 THEN 'rejected'
                     WHEN rs < 0.06 THEN 'duplicate' ELSE 'done' END AS status,
           CASE WHEN bix % 14 < :wr AND rm < 0.8
                THEN ((bix / 14) * :wr + bix % 14) * :per + 1 + floor(pow(rf, 2) * :per)::int END AS rfile
    FROM b
), t AS (
    SELECT s.*, CASE WHEN status = 'done' THEN CAST(:asof AS timestamp) - rd * INTERVAL '365 days' END AS done_at,
           CASE WHEN status = 'done' THEN 1 + floor(rp * 127)::int ELSE 0 END AS npages
    FROM s
)
INSERT INTO document (id, office_id, branch_id, source, share_path, sha256, size, kind, status, needs_review,
                      file_number, file_number_key, file_number_source, subject, pages, blank_pages, confidence,
                      register_file_id, settled, attempts, resolved_by_id, part, exported_at, exported_as,
                      received_at, done_at, updated_at)
SELECT i, office_id, branch_id, 'b' || bix || '/' || i || '.pdf', 'b' || bix || '/' || i || '.pdf',
       md5(i::text) || md5((i + 1)::text), 100000 + i % 5000000, 'pdf', status,
       status = 'done' AND rv < 0.05,
       CASE WHEN rfile IS NOT NULL AND status = 'done' THEN rfile || '/राज./' || (1980 + (rfile - 1) % :per % 40)
            WHEN status = 'done' AND rv < 0.9 THEN (1 + floor(rf * 3000)::int) || '/राज./' || (1990 + i % 30) END,
       CASE WHEN rfile IS NOT NULL AND status = 'done' THEN rfile || 'राज' || (1980 + (rfile - 1) % :per % 40)
            WHEN status = 'done' AND rv < 0.9 THEN (1 + floor(rf * 3000)::int) || 'राज' || (1990 + i % 30) END,
       CASE WHEN status = 'done' THEN 'ocr' END, CASE WHEN status = 'done' THEN 'भूमि आवंटन प्रकरण' END,
       npages, floor(npages * 0.03)::int, CASE WHEN status = 'done' THEN 0.91 END,
       CASE WHEN status = 'done' THEN rfile END, true, 0,
       CASE WHEN status = 'rejected' AND rx < 0.5 THEN i + 1 END, 'receipts',
       CASE WHEN status = 'done' AND done_at < CAST(:asof AS timestamp) - INTERVAL '60 days' AND rx < 0.3
            THEN done_at END,
       CASE WHEN status = 'done' AND done_at < CAST(:asof AS timestamp) - INTERVAL '60 days' AND rx < 0.3
            THEN 'fl-' || coalesce(rfile, i) END,
       coalesce(done_at, CAST(:asof AS timestamp) - rd * INTERVAL '365 days') - INTERVAL '1 hour',
       done_at, coalesce(done_at, CAST(:asof AS timestamp) - rd * INTERVAL '365 days')
FROM t
"""


def documents(engine: Engine, n: int, chunk: int = 100_000) -> None:
    with engine.begin() as c:
        c.execute(text("SELECT setseed(0.42)"))
        nb = int(c.execute(text("SELECT count(*) FROM branch")).scalar_one())
        for lo in range(1, n + 1, chunk):
            c.execute(text(_ints(_DOCS, lo=lo, hi=min(n, lo + chunk - 1), nb=nb, wr=WITH_REGISTER,
                                 per=FILES_PER_REGISTER)), {"asof": f"{AS_OF} 00:00:00"})
        c.execute(text("SELECT setval(pg_get_serial_sequence('document', 'id'), :n)"), {"n": n})
    _log(f"{n:,} documents")


def _templates(engine: Engine) -> None:
    """``_tpl``: TEMPLATES synthetic pages, their text and the tsvector nasti's own tokens make of it."""
    rng = random.Random(7)
    pool = line_pool()
    rows = []
    for i in range(TEMPLATES):
        t = page_text(rng, pool)
        rows.append({"i": i, "text": t, "tsv": tsvector_literal(index_text(t))})
    with engine.begin() as c:
        c.execute(text("CREATE TABLE _tpl (i int PRIMARY KEY, text text NOT NULL, tsv tsvector NOT NULL)"))
        c.execute(text("INSERT INTO _tpl VALUES (:i, :text, CAST(:tsv AS tsvector))"), rows)


def _without_indexes(engine: Engine, table: str, load: Callable[[], None]) -> None:
    """Run ``load`` with ``table``'s indexes and constraints (but NOT NULL) dropped, then build them again."""
    with engine.begin() as c:
        cons = c.execute(text("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                              "WHERE conrelid = CAST(:t AS regclass) AND contype IN ('p', 'u', 'f')"),
                         {"t": table}).all()
        idx = c.execute(text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = :t AND indexname NOT IN "
                             "(SELECT conname FROM pg_constraint WHERE conrelid = CAST(:t AS regclass))"),
                        {"t": table}).all()
        for name, _ in idx:
            c.execute(text(f'DROP INDEX "{name}"'))
        for name, _ in sorted(cons, key=lambda r: not r[1].startswith("FOREIGN")):   # foreign keys first
            c.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
    load()
    with engine.begin() as c:
        c.execute(text("SET maintenance_work_mem = '1GB'"))
        for name, definition in sorted(cons, key=lambda r: r[1].startswith("FOREIGN")):
            c.execute(text(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'))
        for _, definition in idx:
            c.execute(text(definition))
    _log(f"{table}: indexes built")


_PAGES = """
INSERT INTO page (document_id, number, text, confidence, blank, language, rotation, seconds, handwritten)
SELECT d.id, n, CASE WHEN d.id <= :sd THEN t.text ELSE '' END, 0.91, n <= d.blank_pages, 'hin+eng', 0, 2.4, false
FROM document AS d CROSS JOIN LATERAL generate_series(1, d.pages) AS n
LEFT JOIN _tpl AS t ON d.id <= :sd AND t.i = (d.id * 131 + n) % :nt
WHERE d.id BETWEEN :lo AND :hi
"""
_FTS = """
INSERT INTO page_fts (body, meta, document_id, page, tsv)
SELECT '', CASE WHEN p.number = 1 THEN coalesce(d.file_number, '') ELSE '' END, d.id, p.number,
       CASE WHEN p.number = 1 AND d.file_number_key IS NOT NULL
            THEN t.tsv || CAST(format('%s:1A %s:2A %s:3A %s:4A %s:5A %s:6A %s:7A',
                                      quote_literal(split_part(d.file_number, '/', 1)), quote_literal('राज'),
                                      quote_literal(split_part(d.file_number, '/', 3)),
                                      quote_literal(d.file_number_key), quote_literal('भूमि'),
                                      quote_literal('आवंटन'), quote_literal('प्रकरण')) AS tsvector)
            ELSE t.tsv END
FROM document AS d JOIN page AS p ON p.document_id = d.id JOIN _tpl AS t ON t.i = (d.id * 131 + p.number) % :nt
WHERE d.id BETWEEN :lo AND :hi AND d.status = 'done'
"""


def pages(engine: Engine, documents_: int, search_docs: int, chunk: int = 20_000) -> None:
    """Page rows for every document (``page.text`` only for the first ``search_docs``: the indexed ones)."""
    _templates(engine)

    def load() -> None:
        t0 = time.perf_counter()
        with engine.connect() as c:
            for lo in range(1, documents_ + 1, chunk):
                c.execute(text(_ints(_PAGES, lo=lo, hi=min(documents_, lo + chunk - 1), sd=search_docs,
                                     nt=TEMPLATES)))
                c.commit()
                if lo // chunk % 5 == 0:
                    _log(f"pages: documents up to {lo + chunk - 1:,} ({time.perf_counter() - t0:.0f} s)")
    _without_indexes(engine, "page", load)


def search_index(engine: Engine, search_docs: int, chunk: int = 5_000) -> int:
    """``page_fts`` rows for the done documents among the first ``search_docs``; returns how many."""
    def load() -> None:
        t0 = time.perf_counter()
        with engine.connect() as c:
            for lo in range(1, search_docs + 1, chunk):
                c.execute(text(_ints(_FTS, lo=lo, hi=min(search_docs, lo + chunk - 1), nt=TEMPLATES)))
                c.commit()
                _log(f"page_fts: documents up to {lo + chunk - 1:,} ({time.perf_counter() - t0:.0f} s)")
    _without_indexes(engine, "page_fts", load)
    with engine.connect() as c:
        return int(c.execute(text("SELECT count(*) FROM page_fts")).scalar_one())
