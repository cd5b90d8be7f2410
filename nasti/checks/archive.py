"""The archive against the database: `nasti watch`'s start-up verdict (nasti.vault.guard), given before the watcher
meets it, and the files the database records for its done documents.

Full (`nasti doctor`): every archive file is one the database knows (a walk of the whole archive) and every file the
database records is there with its recorded size. Quick (`doctor --quick`, the service's start-up): the same files
and sizes (one stat each, never hashed) and, when the database knows no archived document, the walk up to the first
few files — an empty or wrong database beside a full archive fails as in the full check. A database that knows some
but not all (an older backup restored) is found by the full doctor, and by `nasti watch` itself before it touches
anything; the quick finding says that it did not look.
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from nasti.checks.registry import Context, Finding, check, fail, ok, warn
from nasti.vault import guard
from nasti.vault.scan import Present, References, present, references, walk

KNOWN, FILES = "archive vs database", "archived files"
SHOWN = 3


def _open(ctx: Context) -> Any:
    """The store when the schema is current; None when there is no database yet (the doctor creates nothing)."""
    if ctx.facts.get("schema") != "current":
        return None
    from nasti.schema import open_checked

    return open_checked(ctx.cfg.store_url)


def _any_done(store: Any) -> bool:
    from sqlalchemy import select

    from store.models import Document

    with store.session() as s:
        return s.scalar(select(Document.id).where(Document.status == "done").limit(1)) is not None


@check("database")
def check_archive_known(ctx: Context) -> Iterator[Finding]:
    """Every archive file is one the database knows (an empty or older database beside a full archive: a wrong
    [store] url, an old backup restored): `nasti watch`'s own check, same verdict, exit 5; ``_quarantine/`` and files
    in flight are not the archive proper. Counts only; `nasti fsck` lists them. Quick: only when the database knows
    no archived document, and only up to the first files found."""
    if ctx.facts.get("schema") not in ("current", "new"):
        return
    archive, store = ctx.cfg.archive, _open(ctx)
    try:
        if ctx.quick and store and _any_done(store):
            refs = None
        else:
            refs = references(store) if store else References({}, frozenset(), frozenset(), 0, time.time())
    finally:
        if store:
            store.close()
    if refs is None:
        yield ok(KNOWN, "database", "archive files the database does not know: not looked for (--quick); an "
                 "older database restored beside a newer archive is found by `nasti doctor` without --quick, and by "
                 "`nasti watch` before it starts", checked=False)
        return
    files = walk(archive, limit=guard.SHOWN if ctx.quick else None)
    mismatch = guard.check(None, archive, refs, files)
    total, unknown = len(files.files), len(mismatch.unknown) if mismatch else 0
    if mismatch is None:
        yield ok(KNOWN, "database", f"all {total} archive files are known to the database" if not ctx.quick else
                 "the database knows no archived document, and the archive holds none")
    elif not refs.paths:
        held = f"at least {unknown}" if ctx.quick else str(unknown)
        yield fail(KNOWN, "database",
                   f"the database knows no archived document but the archive {archive} holds {held} files: is "
                   "[store] url the right database? Restore the latest backup (or rebuild the database from the "
                   "archive) before running nasti watch, which refuses to start (exit 5); never delete archive "
                   "files", unknown=unknown)
    else:
        yield fail(KNOWN, "database",
                   f"{unknown} of {total} files in the archive are not known to the database: the database is "
                   "older than the archive (a restored or wrong database?); nasti watch refuses to start (exit 5). "
                   f"Restore the latest backup, or start with `nasti watch {guard.FLAG}` to re-attach them from "
                   "their metadata (nothing is deleted)", unknown=unknown)


@check("storage")
def check_archived_files(ctx: Context) -> Iterator[Finding]:
    """Every file of a done document is in the archive with its recorded size (a stat each, no hashing: `nasti
    fsck` hashes). None there: the archive is not mounted or [archive] path is wrong — fail, before the watcher
    archives new scans into an empty mount point. Some missing: a warning naming them (the watcher can work)."""
    store = _open(ctx)
    if store is None:
        return
    try:
        found = present(store, ctx.cfg.archive)
    finally:
        store.close()
    yield _verdict(found, ctx)


def _verdict(found: Present, ctx: Context) -> Finding:
    archive, how = ctx.cfg.archive, "not hashed; `nasti fsck` hashes them"
    data = {"documents": found.documents, "files": found.files, "missing": len(found.missing),
            "resized": len(found.resized)}
    if found.files and len(found.missing) == found.files:
        return fail(FILES, "storage", f"none of the {found.files} archive files of the {found.documents} done "
                    f"documents is in {archive}: is the archive mounted, is [archive] path right?", **data)
    if found.missing or found.resized:
        named = ", ".join((found.missing + found.resized)[:SHOWN])
        return warn(FILES, "storage", f"{len(found.missing)} of {found.files} archive files of done documents are "
                    f"missing and {len(found.resized)} have another size than recorded (e.g. {named}): `nasti fsck` "
                    "lists them; `nasti restore` brings them back from a backup", **data)
    return ok(FILES, "storage", f"all {found.files} archive files of the {found.documents} done documents are in "
              f"{archive} with their recorded sizes ({how})", **data)
