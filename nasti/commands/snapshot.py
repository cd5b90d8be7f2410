"""`nasti snapshot push`: send this office's daily readiness (per branch) to the state instance."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from common.text import fold_digits
from nasti.app import app, load_config, open_store, out, print_json
from nasti.commands._common import fail

snapshot_app = typer.Typer(no_args_is_help=True, help="Daily readiness snapshots for the division/state view.")
app.add_typer(snapshot_app, name="snapshot")


@snapshot_app.command("push")
def push(office: Annotated[str, typer.Option("--office", help="this office's key at the state instance")],
         url: Annotated[str | None, typer.Option("--url", help="the state dashboard, https://…")] = None,
         key_file: Annotated[Path | None, typer.Option("--key-file", help="file holding this office's key")]
         = None,
         store_url: Annotated[str | None, typer.Option("--store-url", help="write straight into the state's "
                                                                           "database (a shared database)")] = None,
         as_of: Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD (default today)")] = None,
         as_json: Annotated[bool, typer.Option("--json", help="print the outcome as JSON")] = False) -> None:
    """Compute today's per-branch readiness and upsert it at the state: over HTTPS (--url, --key-file) or
    into a shared database (--store-url). Pushing again the same day replaces that day's figures."""
    from report.snapshot import PushError, parse, payload
    from report.snapshot import push as send

    if (url is None) == (store_url is None):
        fail("give either --url (with --key-file) or --store-url", 2)
    try:
        day = dt.date.fromisoformat(fold_digits(as_of)) if as_of else None
    except ValueError:
        fail(f"--as-of '{as_of}' is not a date; write it as YYYY-MM-DD", 2)
    cfg = load_config()
    with open_store(cfg).session() as s:
        body = payload(s, cfg, office, day)
    if url is not None:
        if key_file is None:
            fail("--url needs --key-file (the office's snapshot key)", 2)
        try:
            key = key_file.read_text(encoding="utf-8").strip()
        except OSError as e:
            fail(f"cannot read --key-file {key_file}: {e.strerror or e}", 2)
        try:
            result = send(url, key, body)
        except PushError as e:
            fail(str(e), 1)
    else:
        from sqlalchemy import select

        from nasti.schema import SchemaError, open_checked
        from store.models import Office
        from store.offices import OfficeError, upsert_snapshot

        try:
            state_store = open_checked(str(store_url))
        except SchemaError as e:
            fail(str(e), 2)
        name, when, taken, rows = parse(body)
        with state_store.session() as s:
            target = s.scalar(select(Office).where(Office.key == name))
            if target is None:
                fail(f"the state database has no office '{name}' (nasti office add {name} … there)", 2)
            try:
                created, updated = upsert_snapshot(s, target, when, rows, taken)
            except OfficeError as e:
                fail(str(e), 2)
        result = {"office": name, "day": when.isoformat(), "created": created, "updated": updated}
    if as_json:
        print_json(result)
    else:
        out.print(f"snapshot {result['office']} {result['day']}: {result['created']} branches new, "
                  f"{result['updated']} replaced", highlight=False)
