"""PostgreSQL at scale (run by hand): `nasti status`, `nasti readiness` and search timings on a seeded database.
Writes bench/results/scale_pg.md.

    .venv/bin/python -m bench.scale_pg_bench [--documents 200000] [--pages-per-doc 20] [--search-pages 100000]

A throwaway PostgreSQL server (tests/pgcluster.py, fsync off). Status/readiness: documents and page rows seeded as
bench/readiness_bench.py does (14 branches, 25,000 register files). Search: a second database with documents written
and indexed through ``store.search.index.index_document`` as bench/search_bench.py does, queried through
``store.search.query.search`` — the bounded ranking (at most CANDIDATES matching pages ranked) against the unbounded
query it replaced. The issue's 1 M documents / 60 M pages is more than this shared 2-core machine can seed in the
time given: the sizes measured are printed in the results.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bench.readiness_bench import AS_OF, BRANCHES, REGISTER_FILES, seed
from bench.search_bench import build
from common.config import BranchConfig, Config, OfficeConfig
from report.readiness import readiness
from store.db import Store
from store.queries import status_counts
from store.search import query as searchq
from tests.pgcluster import new_database, server

RESULTS = Path(__file__).resolve().parent / "results" / "scale_pg.md"
RUNS = 20
_UNBOUNDED = """
SELECT document_id, page, r FROM (
    SELECT DISTINCT ON (f.document_id) f.document_id, f.page, ts_rank(f.tsv, q.q) AS r
    FROM page_fts AS f CROSS JOIN (SELECT CAST(:m AS tsquery) AS q) AS q
    JOIN document AS d ON d.id = f.document_id
    WHERE f.tsv @@ q.q ORDER BY f.document_id, r DESC, f.page
) AS h ORDER BY r DESC, document_id LIMIT :limit
"""


def timed(fn: Callable[[], Any], runs: int = RUNS) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), statistics.quantiles(times, n=20)[-1]


def readiness_timings(pg: str, documents: int, pages_per_doc: int) -> tuple[list[tuple[str, float, float]], float]:
    store = Store(new_database(pg, "ready"))
    t0 = time.perf_counter()
    seed(store, documents, pages_per_doc)
    with store.engine.connect() as c:
        c.execute(text("ANALYZE"))
        c.commit()
    seeded = time.perf_counter() - t0
    cfg = Config(path=None, share=Path("/nonexistent"), store_url=store.url, archive=Path("/nonexistent"),
                 office=OfficeConfig(cutover=AS_OF.replace(year=AS_OF.year + 1)),
                 branches={k: BranchConfig(k, k[:3].upper(), k, k) for k in BRANCHES})
    rows = []
    with store.session() as s:
        status_counts(s)
        rows.append(("status_counts (nasti status)", *timed(lambda: status_counts(s))))
        rows.append(("readiness (nasti readiness)", *timed(lambda: readiness(s, cfg, as_of=AS_OF), 10)))
    store.close()
    return rows, seeded


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--documents", type=int, default=200_000)
    ap.add_argument("--pages-per-doc", type=int, default=20)
    ap.add_argument("--search-pages", type=int, default=100_000)
    a = ap.parse_args()
    lines: list[str] = []
    with server() as pg:
        rows: list[tuple[str, float, float]] = []
        seeded = 0.0
        if a.documents:   # 0: search only
            rows, seeded = readiness_timings(pg, a.documents, a.pages_per_doc)
            print(rows, flush=True)

        sstore = Store(new_database(pg, "search"))
        t0 = time.perf_counter()
        _, numbers = build(sstore, a.search_pages, random.Random(7))
        with sstore.engine.connect() as c:
            c.execute(text("ANALYZE"))
            c.commit()
        indexed = time.perf_counter() - t0
        queries = [("common Hindi word", "कार्यालय"), ("Hindi word", "प्रकरण"), ("prefix", "कार्या*"),
                   ("two words (AND)", "तहसीलदार प्रतिवेदन"), ("rare word", "खसरा"),
                   ("file number", numbers[len(numbers) // 2])]
        srows, all_ms = [], []
        with sstore.session() as s:
            for label, q in queries:
                searchq.search(s, q)
                times = []
                for _ in range(RUNS):
                    t1 = time.perf_counter()
                    hits = searchq.search(s, q)
                    times.append((time.perf_counter() - t1) * 1000)
                all_ms += times
                m = searchq.tsquery_literal(searchq.parse_query(q))
                old = timed(lambda m=m: s.execute(text(_UNBOUNDED), {"m": m, "limit": 20}).all(), 5)
                new = timed(lambda q=q: searchq._ranked(s, searchq.parse_query(q), None, 20), 5)
                matching = s.execute(text("SELECT count(*) FROM page_fts WHERE tsv @@ CAST(:m AS tsquery)"),
                                     {"m": m}).scalar()
                srows.append((label, q, matching, len(hits), statistics.median(times),
                              statistics.quantiles(times, n=20)[-1], new[0], old[0]))
        sstore.close()
    p95 = statistics.quantiles(all_ms, n=20)[-1]
    lines = [
        "# PostgreSQL at scale: status, readiness, search", "",
        f"`python -m bench.scale_pg_bench --documents {a.documents} --pages-per-doc {a.pages_per_doc} "
        f"--search-pages {a.search_pages}` — PostgreSQL 15 on loopback (fsync off), {os.cpu_count()} cores shared "
        f"with other work (load average {os.getloadavg()[0]:.1f} at the end).", "",
        f"**Seeded: {a.documents:,} documents, {a.documents * a.pages_per_doc:,} page rows, {REGISTER_FILES:,} "
        f"register files** in {seeded:.0f} s; search: {a.search_pages:,} indexed pages in {indexed:.0f} s. The "
        "issue's 1 M documents / 60 M pages was not seeded here (it would take hours on this machine).", "",
        "| query | median ms | p95 ms |", "|---|---:|---:|",
        *(f"| {n} | {m:.1f} | {p:.1f} |" for n, m, p in rows), "",
        f"Search, {RUNS} runs each (ranking bounded to {searchq.CANDIDATES} candidate pages): all queries p50 "
        f"{statistics.median(all_ms):.1f} ms, p95 {p95:.1f} ms.", "",
        "p50/p95: the whole `search()` (ranking, documents, snippets of 20 hits); the last two columns: the ranking "
        "SQL alone, bounded (now) and unbounded (before), median of 5.", "",
        "| query | text | matching pages | hits | p50 ms | p95 ms | ranking SQL bounded ms | unbounded ms |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
        *(f"| {lab} | `{q}` | {mp:,} | {h} | {p50:.1f} | {p95_:.1f} | {new:.1f} | {old:.1f} |"
          for lab, q, mp, h, p50, p95_, new, old in srows),
    ]
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
