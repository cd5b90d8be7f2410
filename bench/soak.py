"""The randomised soak at a larger size than the test (tests/soak.py does the work):

    .venv/bin/python bench/soak.py [--runs 3] [--actions 150] [--kills 12] [--seconds 120] [--seed 1]

Writes bench/results/soak.md: per run the drops, clerk actions, kills, second watchers, final statuses and every
invariant violation (there should be none). Runs with one OCR worker; a run takes a few minutes.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from tests.soak import Report, run_soak

OUT = Path(__file__).resolve().parent / "results" / "soak.md"


def row(r: Report) -> str:
    acts = ", ".join(f"{k} {v}" for k, v in sorted(r.actions.items()))
    stats = ", ".join(f"{k} {v}" for k, v in sorted(r.statuses.items()))
    reasons = ", ".join(f"{k} {v}" for k, v in sorted(r.reasons.items()))
    return (f"| {r.seed} | {r.seconds:.0f} | {r.drops} | {r.contents} ({r.exempt} deleted/overwritten by the clerk) "
            f"| {acts} | {r.kills} | {r.second_watchers} ({dict(r.second_exit_codes)}) | {stats} | {reasons} "
            f"| {len(r.violations)} |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--actions", type=int, default=150)
    ap.add_argument("--kills", type=int, default=12)
    ap.add_argument("--seconds", type=float, default=120)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    reports = []
    for i in range(a.runs):
        with tempfile.TemporaryDirectory(prefix="nasti-soak-") as tmp:
            r = run_soak(Path(tmp), seed=a.seed + i, actions=a.actions, kills=a.kills, seconds=a.seconds)
        print(row(r), flush=True)
        for v in r.violations:
            print("   VIOLATION:", v, flush=True)
        reports.append(r)
    header = [
        "# Soak: clerks and operators against `nasti watch`",
        "",
        "Each run: the clerk drops, re-drops (duplicates), overwrites (in place or by rename), renames and deletes "
        "files at random while `nasti watch --wait` runs; the watcher is killed with kill -9 (its whole process "
        "group, OCR workers included) and restarted; a second `nasti watch --once` is started beside it. Then one "
        "last `watch --once`, and the invariants: every content dropped and not deleted/overwritten by the clerk is "
        "archived byte-identical or under `_rejected/` with a reason file; at most one record per drop (source, "
        "sha256); every record final and settled; no orphan in the archive; no file left in the drop folders.",
        "",
    ]
    section = [
        f"## `bench/soak.py --runs {a.runs} --actions {a.actions} --kills {a.kills} --seconds {a.seconds:.0f} "
        f"--seed {a.seed}`",
        "",
        f"{platform.machine()}, {os.cpu_count()} cores (shared with other work), one OCR worker, 900×300 px Hindi "
        "pages (PNG), ~10 % bad files (empty, truncated PDF, HTML).",
        "",
        "| seed | s | drops | distinct contents | clerk actions | kill -9 | second watchers (exit codes) "
        "| final statuses | reasons (not done) | violations |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *(row(r) for r in reports),
        "",
        f"Total: {sum(r.drops for r in reports)} drops, {sum(sum(r.actions.values()) for r in reports)} clerk "
        f"actions, {sum(r.kills for r in reports)} kills, {sum(r.second_watchers for r in reports)} second "
        f"watchers; violations: {sum(len(r.violations) for r in reports)}.",
        "",
    ]
    previous = OUT.read_text(encoding="utf-8") if OUT.exists() else "\n".join(header)
    OUT.write_text(previous.rstrip("\n") + "\n\n" + "\n".join(section), encoding="utf-8")
    print(OUT.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
