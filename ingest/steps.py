"""The named steps of the document state machine, and the hooks tests use to act between them.

A drop goes preflight → inspect → ocr → record → settle (DESIGN.md §2); the allowed status transitions are declared
once, in `store.repo.ALLOWED` (with `store.repo.MAX_ATTEMPTS`, the bound on retries of `failed`), and checked by
`store.repo.transition`.

`HOOKS` maps a hook name to a callable run at that moment (with keyword context: path, doc_id). Production code
installs none; tests use them to overwrite, rename or delete a file, or kill the process, at a controlled moment
instead of sleeping and hoping.
"""
from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable
from typing import Any

STEPS = ("preflight", "inspect", "ocr", "record", "settle")
HOOK_NAMES = ("after_preflight", "after_inspect", "after_ocr", "before_copy", "before_place", "after_copy",
              "after_segment", "before_done", "after_record", "before_settle", "after_settle")

HOOKS: dict[str, Callable[..., Any]] = {}

BACKOFF = dt.timedelta(seconds=30)  # wait before attempt n+1: BACKOFF × 4^(n-1) (30 s, 2 min, ...)
ENV_BACKOFF = dt.timedelta(seconds=20)  # a full or unwritable archive: try again this often (no attempt counted)


def hook(name: str, **context: Any) -> None:
    """Run the hook installed for `name`, if any; with ``NASTI_WATCH_HOOKS`` set (tests of a watcher in its own
    process), also :func:`file_hook`."""
    assert name in HOOK_NAMES, name
    fn = HOOKS.get(name)
    if fn is not None:
        fn(**context)
    if os.environ.get("NASTI_WATCH_HOOKS"):
        file_hook(name, context.get("doc_id"))


def file_hook(name: str, doc_id: object) -> None:
    """Write ``<dir>/<name>-<doc>-<pid>`` in ``NASTI_WATCH_HOOKS``; while ``<dir>/HOLD-<name>`` or
    ``<dir>/HOLD-<name>-<pid>`` exists, wait there (≤ 120 s): the test acts (kills a lock connection, lets another
    watcher work), then removes it."""
    folder = os.environ["NASTI_WATCH_HOOKS"]
    path = os.path.join(folder, f"{name}-{doc_id}-{os.getpid()}")
    with open(path, "w") as fh:
        fh.write(str(os.getpid()))
    hold, mine = os.path.join(folder, f"HOLD-{name}"), os.path.join(folder, f"HOLD-{name}-{os.getpid()}")
    end = time.monotonic() + 120
    while (os.path.exists(hold) or os.path.exists(mine)) and time.monotonic() < end:
        time.sleep(0.05)


def backoff(attempts: int) -> dt.timedelta:
    return BACKOFF * 4 ** max(0, attempts - 1)
