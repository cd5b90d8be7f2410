"""Readiness benchmark, run by hand (not a test): `nasti status` and `nasti readiness` queries at 100,000 documents
and 2,000,000 pages in SQLite (the target of issue 6: ≤ 200 ms each).

    .venv/bin/python bench/readiness_bench.py [--documents 100000] [--pages-per-doc 20]   # writes
    bench/results/readiness.md and prints it

14 branches; 25,000 register files; documents done over the last 60 days (90 % done, 3 % rejected, 2 % duplicate,
5 % needing review, 85 % matched to a register file). Rows are inserted with SQLAlchemy Core in batches (the
pipeline's path is not what is measured here); then each query runs RUNS times on a warm connection.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert

from common.config import BranchConfig, Config, OfficeConfig
from report.burndown import burndown
from report.readiness import readiness
from store.db import Store
from store.models import Branch, Document, Office, Page, RegisterFile
from store.queries import status_counts

HERE = Path(__file__).resolve().parent
WORK = HERE / "out" / "readiness"
RESULTS = HERE / "results" / "readiness.md"
BRANCHES = ("establishment", "revenue", "land-records", "nazul", "legal", "election", "accounts", "nazarat",
            "inward", "record-room", "egov", "food", "relief", "land-acquisition")
REGISTER_FILES = 25_000
RUNS = 10
AS_OF = dt.date(2026, 11, 25)
BATCH = 20_000


def seed(store: Store, documents: int, pages_per_doc: int) -> None:
    rnd = random.Random(6)
    with store.session() as s:
        office = Office(key="default", name_hi="कलेक्टर कार्यालय", name_en="Collectorate",
                        cutover=dt.date(2027, 3, 31))
        s.add(office)
        s.flush()
        branch_ids = []
        for i, key in enumerate(BRANCHES):
            b = Branch(office_id=office.id, key=key, code=key[:3].upper(), name_hi=key, name_en=key,
                       cutover=AS_OF + dt.timedelta(days=30 + 10 * i), configured=True)
            s.add(b)
            s.flush()
            branch_ids.append(b.id)
        s.execute(insert(RegisterFile), [
            {"office_id": office.id, "branch_id": branch_ids[i % len(branch_ids)], "file_number": f"F-{i}/2019",
             "key": f"f{i}2019", "year": 1990 + i % 35} for i in range(REGISTER_FILES)])
    start = dt.datetime.combine(AS_OF, dt.time()) - dt.timedelta(days=60)
    rows: list[dict[str, Any]] = []
    with store.session() as s:
        for n in range(1, documents + 1):
            roll = rnd.random()
            status = "rejected" if roll < 0.03 else "duplicate" if roll < 0.05 else "done"
            done_at = start + dt.timedelta(seconds=rnd.randrange(61 * 86400)) if status == "done" else None
            rf = rnd.randrange(REGISTER_FILES) + 1 if status == "done" and rnd.random() < 0.85 else None
            rows.append({"id": n, "office_id": 1, "branch_id": branch_ids[(rf or n) % len(branch_ids)],
                         "source": f"b/{n}.pdf", "share_path": f"b/{n}.pdf", "sha256": f"{n:064x}", "size": 1,
                         "status": status, "needs_review": status == "done" and rnd.random() < 0.05,
                         "register_file_id": rf, "pages": pages_per_doc if status == "done" else 0,
                         "blank_pages": 2 if status == "done" else 0, "settled": True,
                         "received_at": done_at or start, "done_at": done_at, "updated_at": done_at or start})
            if len(rows) == BATCH:
                s.execute(insert(Document), rows)
                rows.clear()
        if rows:
            s.execute(insert(Document), rows)
    with store.engine.begin() as conn:  # pages: only their count matters to these queries (they read document)
        batch: list[dict[str, Any]] = []
        for n in range(1, documents + 1):
            for p in range(1, pages_per_doc + 1):
                batch.append({"document_id": n, "number": p, "text": "", "blank": p > pages_per_doc - 2,
                              "rotation": 0})
            if len(batch) >= 200_000:
                conn.execute(insert(Page), batch)
                batch.clear()
        if batch:
            conn.execute(insert(Page), batch)


def timed(fn: Callable[[], Any]) -> tuple[float, float]:
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), max(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--documents", type=int, default=100_000)
    ap.add_argument("--pages-per-doc", type=int, default=20)
    args = ap.parse_args()
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    store = Store(f"sqlite:///{WORK / 'nasti.db'}")
    t0 = time.perf_counter()
    seed(store, args.documents, args.pages_per_doc)
    seeded = time.perf_counter() - t0
    cfg = Config(path=None, share=WORK / "share", store_url=store.url, archive=WORK / "archive",
                 office=OfficeConfig(cutover=dt.date(2027, 3, 31)),
                 branches={k: BranchConfig(k, k[:3].upper(), k, k) for k in BRANCHES})
    results = []
    with store.session() as s:
        status_counts(s)  # warm the page cache once
        for name, fn in (("status_counts (nasti status)", lambda: status_counts(s)),
                         ("readiness (nasti readiness)", lambda: readiness(s, cfg, as_of=AS_OF)),
                         ("burndown (office, 30 days)", lambda: burndown(s, AS_OF, dt.date(2027, 3, 31), 10.0))):
            results.append((name, *timed(fn)))
        total = readiness(s, cfg, as_of=AS_OF)["total"]
    size_mb = (WORK / "nasti.db").stat().st_size / 1e6
    lines = [
        "# Readiness benchmark", "",
        f"SQLite (WAL), {args.documents:,} documents, {args.documents * args.pages_per_doc:,} page rows, "
        f"{REGISTER_FILES:,} register files, {len(BRANCHES)} branches; database {size_mb:,.0f} MB; seeded in "
        f"{seeded:.0f} s. Each query {RUNS} times on a warm connection; {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.1f} during the run (other work shares the machine).", "",
        "| query | median ms | max ms |", "|---|---:|---:|",
        *(f"| {n} | {m:.1f} | {x:.1f} |" for n, m, x in results), "",
        f"Office total: {total['register_files']:,} register files, {total['digitised_files']:,} digitised, "
        f"{total['pages']:,} pages, {total['files_per_day']} files/day, status {total['status']}.", "",
        "Run: `.venv/bin/python bench/readiness_bench.py`",
    ]
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
