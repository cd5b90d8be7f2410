"""PostgreSQL at scale (run by hand): `nasti status`, `nasti readiness`, the state roll-up and search timings on a
seeded database. Writes bench/results/scale_pg.md.

    nice -n 10 .venv/bin/python -m bench.scale_pg_bench --documents 1000000 --pages-per-doc 60 \
        [--search-pages 3000000]

A throwaway PostgreSQL cluster (tests/pgcluster.py, fsync off, 2 GB shared buffers) in a temporary folder, removed
at the end. The schema is migrated to the revision before the summary counts (migration 0013_counts), seeded
server-side (bench/pg_seed.py: documents, page rows, register files, search-index rows), then migrated to the head
— the timed backfill of the summary tables — and analysed. Each query runs RUNS times on a warm connection.
``--pages-per-doc`` is the mean the seed aims at (the distribution is fixed: 1–127 pages per done document).
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import text

from bench import pg_seed
from common.config import Config, OfficeConfig
from report.readiness import readiness
from report.rollup import rollup
from store.db import Store, alembic_config, make_engine
from store.health import health
from store.queries import status_counts
from store.search import query as searchq
from tests.pgcluster import Cluster, new_database

RESULTS = Path(__file__).resolve().parent / "results" / "scale_pg.md"
RUNS = 20
TUNING = ("shared_buffers = '2GB'\nmaintenance_work_mem = '1GB'\nwork_mem = '64MB'\nmax_wal_size = '4GB'\n"
          "checkpoint_timeout = '30min'\nsynchronous_commit = off\nfull_page_writes = off\n"
          "max_parallel_maintenance_workers = 1\neffective_cache_size = '12GB'\n")


NOTES = [
    "Notes:",
    "- Status/readiness no longer aggregate documents: `count_branch` / `count_item` (migration 0013_counts) are "
    "kept by triggers in the same transaction as each change; what is left grows with the register (the oldest "
    "undigitised files of one office: its 4,000 register files) or with one week's done documents (the window).",
    "- Search: the seed writes `page_fts` rows in SQL from 5,000 synthetic pages (the body lines of generated Hindi, "
    "English and mixed letters, as bench/search_bench.py) whose tsvectors nasti's own `index_text` / "
    "`tsvector_literal` made, plus each document's file number as meta on its first page; `body` is left empty "
    "(PostgreSQL search reads only `tsv`), `page.text` holds the page text for the indexed documents only. Indexing "
    "all 60 M pages would take ~3.6 h and ~220 GB here (3 M pages: 649 s, 11 GB); the timings are for the pages "
    "counted above.",
    "- A word on most pages (`कार्यालय`, `प्रकरण`, `खसरा` on 25–85 % of pages here) takes its 2,000 candidates "
    "from the start of the table when the planner's estimate says they lie within 16,000 rows (the GIN index "
    "would first gather millions of entries: 213 ms for `कार्यालय`); rarer terms, phrases and file numbers take "
    "the GIN index. The candidates are the same either way (tests/test_search_pg_common.py).",
]


def timed(fn: Callable[[], Any], runs: int = RUNS) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), statistics.quantiles(times, n=20)[-1]


def _upgrade(url: str, revision: str) -> None:
    engine = make_engine(url)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    engine.dispose()


def _before_counts() -> str:
    """The revision the summary-count migration follows (the seed goes in before it; its upgrade backfills)."""
    script = ScriptDirectory.from_config(alembic_config())
    rev = next((r for r in script.walk_revisions() if r.revision == "0013"), None)
    return str(rev.down_revision) if rev is not None else "head"


def _timed(fn: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _analyse(url: str) -> None:
    engine = make_engine(url)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def seed(url: str, documents: int, search_docs: int, upgrade: bool = True) -> list[tuple[str, float]]:
    steps: list[tuple[str, float]] = []
    engine = make_engine(url)

    def step(name: str, fn: Callable[[], Any]) -> None:
        t0 = time.perf_counter()
        fn()
        steps.append((name, time.perf_counter() - t0))
        print(f"{name}: {steps[-1][1]:.0f} s", flush=True)

    step("schema (migrations before 0013_counts)", lambda: _upgrade(url, _before_counts()))
    step("offices, branches, register files", lambda: pg_seed.structure(engine))
    step("documents", lambda: pg_seed.documents(engine, documents))
    step("page rows (+ their indexes)", lambda: pg_seed.pages(engine, documents, search_docs))
    step("search index rows (+ GIN index)", lambda: pg_seed.search_index(engine, search_docs))
    if upgrade:
        step("migration to head (summary backfill)", lambda: _upgrade(url, "head"))
        step("VACUUM ANALYZE", lambda: _analyse(url))
    engine.dispose()
    return steps


def measure(url: str, search_docs: int) -> dict[str, Any]:
    store = Store(url)
    cfg = Config(path=None, share=Path("/nonexistent"), store_url=url, archive=Path("/nonexistent"),
                 office=OfficeConfig(), branches={})
    out: dict[str, Any] = {}
    with store.session() as s:
        sizes = s.execute(text(
            "SELECT pg_database_size(current_database()), (SELECT count(*) FROM document), "
            "(SELECT count(*) FROM page), (SELECT count(*) FROM page_fts), (SELECT count(*) FROM register_file), "
            "(SELECT count(*) FROM branch), (SELECT count(*) FROM office)")).one()
        out["sizes"] = sizes
        as_of = pg_seed.AS_OF
        rows = [("status_counts, every office (`nasti status`)", lambda: status_counts(s)),
                ("status_counts of one office", lambda: status_counts(s, "default")),
                ("health (`nasti status` problems)", lambda: health(s)),
                ("readiness of one office (`nasti readiness`)", lambda: readiness(s, cfg, as_of=as_of)),
                ("state roll-up, 60 offices (report/rollup.py)", lambda: rollup(s, cfg, as_of=as_of))]
        out["reports"] = []
        for name, fn in rows:
            fn()
            out["reports"].append((name, *timed(fn)))
            print(out["reports"][-1], flush=True)
        number = s.execute(text("SELECT file_number FROM document WHERE id <= :n AND status = 'done' AND "
                                "file_number IS NOT NULL ORDER BY id DESC LIMIT 1"), {"n": search_docs // 2}
                           ).scalar_one()
        queries = [("common Hindi word", "कार्यालय"), ("Hindi word", "प्रकरण"), ("prefix", "कार्या*"),
                   ("two words (AND)", "तहसीलदार प्रतिवेदन"), ("rare word", "खसरा"), ("file number", number)]
        out["search"], out["all_ms"] = [], []
        for label, q in queries:
            searchq.search(s, q)
            times = []
            for _ in range(RUNS):
                t1 = time.perf_counter()
                hits = searchq.search(s, q)
                times.append((time.perf_counter() - t1) * 1000)
            out["all_ms"] += times
            m = searchq.tsquery_literal(searchq.parse_query(q))
            matching = s.execute(text("SELECT count(*) FROM page_fts WHERE tsv @@ CAST(:m AS tsquery)"),
                                 {"m": m}).scalar()
            out["search"].append((label, q, matching, len(hits), statistics.median(times),
                                  statistics.quantiles(times, n=20)[-1]))
            print(out["search"][-1], flush=True)
    store.close()
    return out


def write(a: argparse.Namespace, steps: list[tuple[str, float]], m: dict[str, Any], load: tuple[float, ...]) -> None:
    size, docs, pages, fts, files, branches, offices = m["sizes"]
    all_ms = m["all_ms"]
    lines = [
        "# PostgreSQL at scale: status, readiness, search", "",
        f"`nice -n 10 python -m bench.scale_pg_bench --documents {a.documents} --pages-per-doc {a.pages_per_doc} "
        f"--search-pages {a.search_pages}` — PostgreSQL 15 on loopback (fsync off, 2 GB shared buffers), "
        f"{os.cpu_count()} cores shared with two other helpers' work (load average {load[0]:.1f} / {load[1]:.1f} / "
        f"{load[2]:.1f} while measuring).", "",
        f"**Seeded: {docs:,} documents, {pages:,} page rows, {files:,} register files, {branches:,} branches in "
        f"{offices} offices; {fts:,} pages in the search index. Database size {size / 2**30:.1f} GiB.** Seed "
        f"(bench/pg_seed.py, server-side `INSERT … SELECT generate_series`): {sum(t for _, t in steps):.0f} s.", "",
        "| seed step | seconds |", "|---|---:|", *(f"| {n} | {t:.0f} |" for n, t in steps), "",
        f"Status and readiness read the summary tables of migration 0013_counts (kept by triggers), {RUNS} runs each:",
        "", "| query | p50 ms | p95 ms |", "|---|---:|---:|",
        *(f"| {n} | {p50:.1f} | {p95:.1f} |" for n, p50, p95 in m["reports"]), "",
        f"Search over {fts:,} indexed pages (of {pages:,}), {RUNS} runs each through `store.search.query.search` "
        f"(ranking, documents, snippets of 20 hits): all queries p50 {statistics.median(all_ms):.1f} ms, p95 "
        f"{statistics.quantiles(all_ms, n=20)[-1]:.1f} ms.", "",
        "| query | text | matching pages | hits | p50 ms | p95 ms |", "|---|---|---:|---:|---:|---:|",
        *(f"| {lab} | `{q}` | {mp:,} | {h} | {p50:.1f} | {p95:.1f} |" for lab, q, mp, h, p50, p95 in m["search"]),
        "", *NOTES]
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--documents", type=int, default=1_000_000)
    ap.add_argument("--pages-per-doc", type=int, default=60, help="informational: the seed's mean is 64 × 94 %%")
    ap.add_argument("--search-pages", type=int, default=3_000_000, help="pages to put in the search index")
    ap.add_argument("--keep", action="store_true",
                    help="seed only and keep the cluster running until a file 'stop' appears in its folder")
    ap.add_argument("--url", help="measure a database --keep seeded (migrates it to the head first, timed)")
    a = ap.parse_args()
    search_docs = max(1, a.search_pages // 60)
    if a.url:   # the seed steps --keep recorded in the cluster's folder
        from sqlalchemy.engine import make_url
        recorded = Path(str(make_url(a.url).query.get("host", ""))) / "seed.txt"
        import ast
        steps = ast.literal_eval(recorded.read_text()) if recorded.is_file() else []
        steps += [("migration to head (summary backfill)", _timed(lambda: _upgrade(a.url, "head")))]
        steps.append(("VACUUM ANALYZE", _timed(lambda: _analyse(a.url))))
        write(a, steps, measure(a.url, search_docs), os.getloadavg())
        return
    root = Path(tempfile.mkdtemp(prefix="nasti-bigpg-", dir=os.environ.get("BIGPG_DIR")))
    if os.geteuid() == 0:
        import pwd
        pw = pwd.getpwnam("postgres")
        os.chown(root, pw.pw_uid, pw.pw_gid)
    cl = Cluster(root)
    try:
        cl.init()
        with open(cl.data / "postgresql.conf", "a") as fh:
            fh.write(TUNING)
        cl.start()
        url = new_database(cl.url, "scale")
        print(url, flush=True)
        steps = seed(url, a.documents, search_docs, upgrade=not a.keep)
        if a.keep:
            (root / "seed.txt").write_text(repr(steps))
            print("seeded; cluster kept at", url, "— touch", root / "stop", "to remove it", flush=True)
            while not (root / "stop").exists():
                time.sleep(5)
            return
        write(a, steps, measure(url, search_docs), os.getloadavg())
    finally:
        try:
            cl.stop()
        finally:
            import shutil
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
