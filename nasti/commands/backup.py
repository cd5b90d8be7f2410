"""`nasti backup OUT` and `nasti restore IN` (see nasti.vault.backup for the layout of a backup folder)."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nasti.app import app, load_config, out, print_json
from nasti.commands._common import fail, share_quiet


@app.command()
def backup(dest: Annotated[Path, typer.Argument(metavar="OUT", help="backup folder (reused: incremental)")],
           hardlink: Annotated[bool, typer.Option("--hardlink", help="hard-link new archive files instead of "
                                                  "copying them (same file system only)")] = False,
           as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Consistent snapshot of the database (safe while `watch` runs) and an incremental copy of the archive."""
    from nasti.vault.backup import BackupError
    from nasti.vault.backup import backup as run

    cfg = load_config()
    for inside, hi in ((cfg.share, "शेयर"), (cfg.archive, "संग्रह")):   # the watcher would take it apart
        if dest.resolve().is_relative_to(inside.resolve()):
            fail(f"बैकअप नहीं बना / backup refused: {dest} is inside the "
                 f"{'share' if inside == cfg.share else 'archive'} ({hi}); choose a folder outside both", 2)
    try:
        r = run(cfg.store_url, cfg.archive, dest, hardlink=hardlink)
    except BackupError as e:
        fail(f"बैकअप नहीं बना / backup failed: {e}")
    if as_json:
        print_json(r.as_dict())
        return
    out.print(f"backup {dest}: database {r.database}; archive {r.files} files ({r.bytes / 2**20:.1f} MB), "
              f"{r.copied} new or changed copied ({r.copied_bytes / 2**20:.1f} MB), {r.seconds:.1f} s", highlight=False)
    if r.stale:
        out.print(f"  {len(r.stale)} files in the backup are no longer in the archive (kept in the backup)")


@app.command()
def restore(src: Annotated[Path, typer.Argument(metavar="IN", help="a folder written by `nasti backup`")],
            force: Annotated[bool, typer.Option("--force", help="replace a database that holds documents "
                                                "(a copy of it is kept beside it)")] = False,
            as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Put a backup back, then reconcile with the archive: newer archive files are re-attached, never deleted."""
    from nasti.vault.backup import BackupError
    from nasti.vault.rebuild import Attached
    from nasti.vault.restore import restore as run

    cfg = load_config()
    try:
        with share_quiet(cfg):
            r = run(cfg, src, force=force)
    except BackupError as e:
        fail(f"पुनर्स्थापना नहीं हुई / restore refused: {e}", 2)
    if as_json:
        print_json(r.as_dict())
        return
    rec = r.reconciled
    out.print(f"restored {r.database} from {src}" + (f" (previous database kept as {r.kept_previous})"
                                                     if r.kept_previous else ""), highlight=False)
    out.print(f"  archive: {r.files_restored} files brought back, {r.files_present} already present, "
              f"{len(r.files_differ)} differ (kept), {len(r.files_unavailable)} unavailable", highlight=False)
    out.print(f"  newer than the backup: {len(rec.get('attached', []))} documents re-attached, "
              f"{len(rec.get('completed', []))} completed, {len(rec.get('quarantined', []))} files set aside, "
              f"{len(rec.get('vanished', []))} vanished", highlight=False)
    for line in Attached(**rec).set_aside_lines():
        out.print(f"  {line}", highlight=False, markup=False)
