"""FileStabilityTracker on its own: quiet period, second look, deletion, change."""
from __future__ import annotations

import os
from pathlib import Path

from watch_folder.stability import FileStabilityTracker


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_ready_only_after_quiet_and_unchanged_second_look(tmp_path: Path) -> None:
    clock = Clock()
    tr = FileStabilityTracker(quiet=3, recheck=1, clock=clock)
    f = tmp_path / "a.pdf"
    f.write_bytes(b"x" * 10)
    tr.touch(f)
    clock.t += 2
    assert tr.ready() == []          # not quiet yet
    clock.t += 1.5
    assert tr.ready() == []          # first look
    clock.t += 1.1
    assert tr.ready() == [f]         # unchanged on the second look
    assert tr.ready() == []          # handed out once


def test_a_growing_file_is_not_ready(tmp_path: Path) -> None:
    clock = Clock()
    tr = FileStabilityTracker(quiet=1, recheck=1, clock=clock)
    f = tmp_path / "slow.tif"
    f.write_bytes(b"a")
    tr.touch(f)
    clock.t += 1.5
    tr.ready()                                  # first look
    with open(f, "ab") as fh:                   # the copy goes on without an event reaching us (SMB)
        fh.write(b"more")
    os.utime(f, ns=(1, 2_000_000_000))
    clock.t += 1.5
    assert tr.ready() == []                     # changed: looks again later
    clock.t += 1.5
    assert tr.ready() == [f]


def test_deleted_before_stable_is_forgotten_without_error(tmp_path: Path) -> None:
    clock = Clock()
    tr = FileStabilityTracker(quiet=1, recheck=1, clock=clock)
    f = tmp_path / "gone.pdf"
    f.write_bytes(b"x")
    tr.touch(f)
    f.unlink()
    clock.t += 5
    assert tr.ready() == []
    assert tr.pending() == 0
