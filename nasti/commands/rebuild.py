"""`nasti rebuild [--archive PATH]` — recreate an empty database from the records in the searchable PDFs."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from nasti.app import app, load_config, open_store, out, print_json
from nasti.commands._common import fail, share_quiet


@app.command()
def rebuild(archive: Annotated[Path | None, typer.Option("--archive", help="archive folder (default: the "
                                                         "configured one)")] = None,
            as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Recreate documents, pages, text, tags and the search index from an archive alone (empty database only)."""
    from nasti.vault.rebuild import rebuild as run

    cfg = load_config()
    store = open_store(cfg)
    try:
        with share_quiet(cfg):
            r = run(store, cfg, archive or cfg.archive)
    except ValueError as e:
        fail(str(e), 2)
    finally:
        store.close()
    if as_json:
        print_json(r.as_dict())
        return
    out.print(f"rebuilt {len(r.attached)} documents from {archive or cfg.archive}", highlight=False)
    if archive and archive.resolve() != cfg.archive.resolve():
        out.print(f"  note: paths are relative to the archive; set [archive] path = \"{archive.resolve()}\" "
                  "(or move the files there) so the documents find their files", highlight=False)
    for label, items in (("conflicting records", r.conflicts), ("originals missing", r.missing_originals),
                         ("files no record names", r.unexplained)):
        if items:
            out.print(f"  {label}: {len(items)} — e.g. {', '.join(items[:3])}", highlight=False)
