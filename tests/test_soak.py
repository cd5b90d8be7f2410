"""The randomised soak (tests/soak.py), bounded to about a minute: drops, duplicate drops, overwrites, renames,
deletions, kill -9 of the watcher and a second watcher; afterwards every invariant holds. Larger runs:
bench/soak.py (results in bench/results/soak.md)."""
from __future__ import annotations

import os
from pathlib import Path

from tests.soak import run_soak

SEED = int(os.environ.get("NASTI_SOAK_SEED", "20261130"))


def test_soak_keeps_every_invariant(tmp_path: Path) -> None:
    report = run_soak(tmp_path, seed=SEED, actions=40, kills=4, seconds=35)
    assert report.violations == [], report
    assert report.kills == 4 and report.second_watchers >= 1 and report.drops >= 25
    assert report.statuses["done"] >= 10
