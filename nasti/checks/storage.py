"""Storage: the archive writable with room to spare, free disk against the pages the register still expects,
the log file."""
from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from nasti.checks.registry import Context, Finding, check, fail, ok, warn

PAGES_PER_FILE = 75          # a legacy file is 60-90 pages (DESIGN §1)
MB_PER_PAGE = 0.3            # original scan + searchable PDF, per page, as archived
MIN_FREE_GB = 2.0            # below this even one large batch scan may not fit


def writable_dir(path: Path) -> bool:
    """Can nasti create files in ``path`` (or create ``path`` under its nearest existing parent)?"""
    probe = path
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir():
        return False
    if probe != path:
        return os.access(probe, os.W_OK | os.X_OK)
    try:
        with tempfile.NamedTemporaryFile(dir=path, prefix=".nasti-doctor-"):
            return True
    except OSError:
        return False


def pages_expected(ctx: Context) -> tuple[int, int] | None:
    """(register files not yet digitised, pages expected for them), when the database can say."""
    if ctx.facts.get("schema") != "current":
        return None
    from sqlalchemy import func, select

    from nasti.schema import open_checked
    from store.models import RegisterFile
    from store.queries import register_counts

    store = open_checked(ctx.cfg.store_url)
    try:
        with store.session() as s:
            counts = register_counts(s)
            registered = int(s.scalar(select(func.count(RegisterFile.id))) or 0)
    finally:
        store.close()
    if not registered:
        return None
    left = sum(max(c["register_files"] - c["digitised_files"], 0) for c in counts.values())
    return left, left * PAGES_PER_FILE


def free_space_gb(path: Path) -> float:
    while not path.exists():
        path = path.parent
    return shutil.disk_usage(path).free / 2**30


@check("storage")
def check_archive(ctx: Context) -> Iterator[Finding]:
    archive = ctx.cfg.archive
    if not writable_dir(archive):
        yield fail("archive", "storage", f"the archive {archive} is not writable by this user")
        return
    free_gb = free_space_gb(archive)
    if free_gb < MIN_FREE_GB:
        yield fail("archive", "storage", f"{archive}: only {free_gb:.1f} GB free; add disk space", free_gb=free_gb)
    else:
        yield ok("archive", "storage", f"{archive} writable; {free_gb:.1f} GB free", free_gb=round(free_gb, 1))


@check("storage", slow=True)
def check_disk_estimate(ctx: Context) -> Iterator[Finding]:
    """Free space against the pages the register says are still to come (left out by --quick: a service that
    has weeks of space left should still start)."""
    expected = pages_expected(ctx)
    if expected is None:
        yield warn("disk", "storage", "no branch register imported yet (`nasti register import`): cannot estimate "
                    "the disk space the remaining files need")
        return
    free_gb = free_space_gb(ctx.cfg.archive)
    files, pages = expected
    need_gb = pages * MB_PER_PAGE / 1024
    msg = (f"{files} register files not yet digitised × ~{PAGES_PER_FILE} pages × ~{MB_PER_PAGE} MB = "
           f"~{need_gb:.1f} GB needed, {free_gb:.1f} GB free")
    data = {"files_left": files, "pages_expected": pages, "need_gb": round(need_gb, 1), "free_gb": round(free_gb, 1)}
    if free_gb < need_gb:
        yield fail("disk", "storage", msg + ": add disk space before scanning goes on", **data)
    elif free_gb < need_gb * 1.2 + 5:
        yield warn("disk", "storage", msg + ": little headroom", **data)
    else:
        yield ok("disk", "storage", msg, **data)


@check("storage")
def check_log_file(ctx: Context) -> Iterator[Finding]:
    log = ctx.cfg.log.file
    if log is None:
        yield ok("log", "storage", "logging to stderr only (journald under systemd); [log] file adds a file")
    elif (log.exists() and os.access(log, os.W_OK)) or (not log.exists() and writable_dir(log.parent)):
        yield ok("log", "storage", f"log file {log} writable (rotated at {ctx.cfg.log.max_mb:g} MB, "
                  f"{ctx.cfg.log.backups} kept)")
    else:
        yield fail("log", "storage", f"the log file {log} is not writable by this user")

