"""`nasti office add|list|key` and `nasti division add`: the offices and divisions one database holds."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from common.text import fold_digits
from nasti.app import app, load_config, open_store, out, print_json
from nasti.commands._common import fail

office_app = typer.Typer(no_args_is_help=True, help="Offices (collectorates, commissioner's offices, others).")
division_app = typer.Typer(no_args_is_help=True, help="Divisions (संभाग).")
app.add_typer(office_app, name="office")
app.add_typer(division_app, name="division")


def _day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(fold_digits(value)) if value else None
    except ValueError:
        fail(f"--cutover '{value}' is not a date; write it as YYYY-MM-DD", 2)


@division_app.command("add")
def division_add(key: Annotated[str, typer.Argument(metavar="KEY")],
                 name_hi: Annotated[str, typer.Option("--name-hi", help="Hindi name")],
                 name_en: Annotated[str, typer.Option("--name-en", help="English name")]) -> None:
    """Add a division (or rename the one with this key)."""
    from store.offices import OfficeError, add_division

    cfg = load_config()
    with open_store(cfg).session() as s:
        try:
            d = add_division(s, key, name_hi, name_en)
        except OfficeError as e:
            fail(str(e), 2)
        out.print(f"division {d.key} ({d.name_en})", highlight=False)


@office_app.command("add")
def office_add(key: Annotated[str, typer.Argument(metavar="KEY")],
               name_hi: Annotated[str, typer.Option("--name-hi", help="Hindi name")],
               name_en: Annotated[str, typer.Option("--name-en", help="English name")],
               kind: Annotated[str | None, typer.Option(help="collectorate (a new office's default), "
                                                               "commissioner or other")] = None,
               division: Annotated[str | None, typer.Option(help="its division's key")] = None,
               cutover: Annotated[str | None, typer.Option(help="no physical file after YYYY-MM-DD")] = None,
               share: Annotated[str | None, typer.Option(help="its own share folder (else the deployment's)")]
               = None,
               remote: Annotated[bool | None, typer.Option("--remote/--local", help="keeps its own server: its "
                                                                            "figures come from daily snapshots; "
                                                                            "prints its key (a new office: local)")]
               = None) -> None:
    """Add an office (or update the one with this key: what is not given stays as it is)."""
    from store.offices import OfficeError, add_office, new_key

    cfg = load_config()
    with open_store(cfg).session() as s:
        try:
            o = add_office(s, key, name_hi, name_en, kind=kind, division=division, cutover=_day(cutover),
                           share=share, remote=remote)
        except OfficeError as e:
            fail(str(e), 2)
        secret = new_key(s, o) if remote and not o.push_key_hash else None
        out.print(f"office {o.key} ({o.name_en}, {o.kind})", highlight=False)
        if secret:
            out.print(f"snapshot key (shown once; give it to the office's engineer): {secret}", highlight=False)


@office_app.command("key")
def office_key(key: Annotated[str, typer.Argument(metavar="KEY")]) -> None:
    """A new snapshot key for a remote office (the old one stops working); printed once."""
    from sqlalchemy import select

    from store.models import Office
    from store.offices import new_key

    cfg = load_config()
    with open_store(cfg).session() as s:
        o = s.scalar(select(Office).where(Office.key == key))
        if o is None:
            fail(f"unknown office '{key}'", 2)
        out.print(new_key(s, o), highlight=False)


@office_app.command("list")
def office_list(as_json: Annotated[bool, typer.Option("--json", help="a JSON array")] = False) -> None:
    """Every office: key, names, kind, division, cutover, share, remote."""
    from store.offices import offices

    cfg = load_config()
    with open_store(cfg).session() as s:
        rows = [{"office": o.key, "name_hi": o.name_hi, "name_en": o.name_en, "kind": o.kind,
                 "division": o.division.key if o.division else None,
                 "cutover": o.cutover.isoformat() if o.cutover else None, "share": o.share, "remote": o.remote}
                for o in offices(s)]
    if as_json:
        print_json(rows)
        return
    for r in rows:
        out.print(f"{r['office']:<16} {r['division'] or '-':<10} {r['kind']:<13} {r['cutover'] or '-':<10} "
                  f"{'remote ' if r['remote'] else ''}{r['name_en']} / {r['name_hi']}", highlight=False)
