"""`nasti migrate` (also `nasti db upgrade`): the one step that changes the database schema."""
from __future__ import annotations

from typing import Annotated

import typer

from nasti.app import app, load_config, out, print_json
from nasti.commands._common import fail

db_app = typer.Typer(no_args_is_help=True, help="The database: `nasti db upgrade` (same as `nasti migrate`).")
app.add_typer(db_app, name="db")


@app.command()
def migrate(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Bring the database schema to this nasti's version (take a backup first). Other commands refuse an older one."""
    from nasti.schema import SchemaError, safe_url, upgrade

    cfg = load_config()
    try:
        before, after = upgrade(cfg.store_url)
    except SchemaError as e:
        fail(str(e), 2)
    if as_json:
        print_json({"database": safe_url(cfg.store_url), "before": before, "after": after, "changed": before != after})
    elif before == after:
        out.print(f"database already at schema {after}; nothing to do", highlight=False)
    else:
        out.print(f"database migrated: schema {before or '(new)'} → {after}", highlight=False)


@db_app.command("upgrade")
def db_upgrade(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Same as `nasti migrate`."""
    migrate(as_json)
