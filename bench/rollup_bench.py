"""Roll-up benchmark, run by hand (not a test): the state and division roll-ups, the ranking and one office's
drill-down with many offices in one SQLite database, and the cost of a district's daily snapshot.

    .venv/bin/python bench/rollup_bench.py [--offices 60] [--branches 20] [--documents 50000]
                                           [--snapshot-pages 2000000]
    # writes bench/results/rollup.md and prints it

Offices are spread over 10 divisions; every branch has the same number of register files (documents ÷ branches
× 1.4) and done documents (matched one each, 10 pages, 40 % of them in the last 7 days), inserted with bulk
inserts (nasti.samples.offices.seed_local_office). The snapshot part builds one district with ``--branches``
branches holding ``--snapshot-pages`` pages (15 pages a document) and times ``report.snapshot.payload`` (what
`nasti snapshot push` computes) and the upsert at the state (``store.offices.upsert_snapshot``), and the body size.
Each timing is the median of RUNS runs on a warm connection.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import config as configmod
from nasti.samples.offices import seed_local_office
from report.ranking import rank
from report.readiness import readiness
from report.rollup import office_report, rollup
from report.snapshot import parse, payload
from store import offices as store_offices
from store.db import Store

HERE = Path(__file__).resolve().parent
WORK = HERE / "out" / "rollup"
RESULTS = HERE / "results" / "rollup.md"
TODAY = dt.date(2026, 11, 25)
DIVISIONS = 10
RUNS = 5


def _config(root: Path) -> configmod.Config:
    (root / "share").mkdir(parents=True, exist_ok=True)
    (root / "config.toml").write_text('[share]\npath = "share"\n[store]\nurl = "sqlite:///var/nasti.db"\n'
                                      '[archive]\npath = "var/archive"\n[office]\ntimezone = "UTC"\n',
                                      encoding="utf-8")
    return configmod.load(str(root / "config.toml"))


def _median(fn: Callable[[], Any], runs: int = RUNS) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000, result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--offices", type=int, default=60)
    ap.add_argument("--branches", type=int, default=20)
    ap.add_argument("--documents", type=int, default=50_000)
    ap.add_argument("--snapshot-pages", type=int, default=2_000_000)
    a = ap.parse_args()
    shutil.rmtree(WORK, ignore_errors=True)
    cfg = _config(WORK / "state")
    store = Store(cfg.store_url)
    branches = [f"branch-{i:02d}" for i in range(a.branches)]
    per_branch = max(a.documents // (a.offices * a.branches), 1)
    t0 = time.perf_counter()
    with store.session() as s:
        for d in range(DIVISIONS):
            store_offices.add_division(s, f"div-{d}", f"संभाग {d}", f"Division {d}")
        for i in range(a.offices):
            seed_local_office(s, f"office-{i:02d}", division=f"div-{i % DIVISIONS}",
                              cutover=TODAY + dt.timedelta(days=30 + i), today=TODAY, branches=branches,
                              register_files=int(per_branch * 1.4), digitised=per_branch,
                              done_this_week=int(per_branch * 0.4), kind="commissioner" if i < DIVISIONS else
                              "collectorate")
    seeded = time.perf_counter() - t0
    docs = per_branch * a.offices * a.branches
    with store.session() as s:
        state_ms, state = _median(lambda: rollup(s, cfg, as_of=TODAY))
        div_ms, _ = _median(lambda: rollup(s, cfg, as_of=TODAY, division="div-3"))
        rank_ms, ranked = _median(lambda: rank([o for d in state["divisions"] for o in d["offices"]]))
        office_ms, _ = _median(lambda: office_report(s, cfg, f"office-{min(7, a.offices - 1):02d}", as_of=TODAY))
        listed = store_offices.offices(s)
        naive_ms, _ = _median(lambda: [readiness(s, cfg, as_of=TODAY, oldest=0, office=o.key) for o in listed], 1)
    assert state["total"]["digitised_files"] == docs and len(ranked["ranked"]) == a.offices

    # one district with its own server: SNAPSHOT_PAGES pages in its own database
    dcfg = _config(WORK / "district")
    dstore = Store(dcfg.store_url)
    per_doc = 15
    district_docs = a.snapshot_pages // per_doc
    t1 = time.perf_counter()
    with dstore.session() as s:
        seed_local_office(s, "default", division=None, cutover=TODAY + dt.timedelta(days=90), today=TODAY,
                          branches=branches, register_files=int(district_docs / a.branches * 1.2),
                          digitised=district_docs // a.branches, done_this_week=district_docs // a.branches // 10,
                          pages=per_doc)
    dseeded = time.perf_counter() - t1
    with dstore.session() as s:
        snap_ms, body = _median(lambda: payload(s, dcfg, "office-07", as_of=TODAY), 3)
        plain_ms, _ = _median(lambda: readiness(s, dcfg, as_of=TODAY), 3)
    size = len(json.dumps(body, ensure_ascii=False).encode())
    with store.session() as s:
        target = store_offices.offices(s)[min(7, a.offices - 1)]
        _, day, taken, rows = parse(body)
        upsert_ms, _ = _median(lambda: store_offices.upsert_snapshot(s, target, day, rows, taken))
    pages = sum(r["pages"] for r in body["branches"])

    lines = [
        "# Roll-up timings (bench/rollup_bench.py)", "",
        f"SQLite, one process, this 2-core machine shared with other jobs ({os.cpu_count()} CPUs seen, load "
        f"average {os.getloadavg()[0]:.1f} at the end). "
        f"Seeded {a.offices} offices in {DIVISIONS} divisions × {a.branches} branches = "
        f"{a.offices * a.branches} branches, {docs:,} done documents ({per_branch} per branch, each matched to one "
        f"of {int(per_branch * 1.4)} register files per branch, "
        f"{a.offices * a.branches * int(per_branch * 1.4):,} register files) in {seeded:.1f} s.", "",
        f"Median of {RUNS} runs (ms):", "",
        "| what | ms |", "|---|---:|",
        f"| state roll-up (every office's readiness, divisions, state sums; `nasti readiness --state`) | "
        f"{state_ms:.0f} |",
        f"| the same, one `readiness(office=KEY)` per office (the roll-up's first version; 1 run) | "
        f"{naive_ms:.0f} |",
        f"| one division's roll-up ({a.offices // DIVISIONS} offices; `/division/KEY`) | {div_ms:.0f} |",
        f"| ranking of {a.offices} offices (on the state roll-up) | {rank_ms:.2f} |",
        f"| one office with its {a.branches} branches (`/office/KEY`) | {office_ms:.0f} |", "",
        "## A district's daily snapshot", "",
        f"One district database: {a.branches} branches, {district_docs:,} done documents × {per_doc} pages = "
        f"{pages:,} pages (seeded in {dseeded:.1f} s). Median of 3 runs:", "",
        "| what | value |", "|---|---:|",
        f"| build the snapshot (`report.snapshot.payload`, what `nasti snapshot push` computes) | {snap_ms:.0f} ms |",
        f"| the same office's `nasti readiness` report, for comparison | {plain_ms:.0f} ms |",
        f"| snapshot body sent over HTTPS ({len(body['branches'])} branch rows) | {size:,} bytes |",
        f"| upsert at the state (`store.offices.upsert_snapshot`, replacing a day) | {upsert_ms:.1f} ms |",
        "",
        "The snapshot is per branch, so its size grows with branches, not pages; its cost is one readiness "
        "report of the district's own database. The state never reads a district's documents.",
    ]
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
