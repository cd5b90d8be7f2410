"""`nasti readiness` and `nasti export progress`: per-branch progress and readiness against the cutover date."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from nasti.cli import app, load_config, open_store, out, print_json
from nasti.commands._common import fail

export_app = typer.Typer(no_args_is_help=True, help="Export progress (CSV or XLSX).")
app.add_typer(export_app, name="export")

_STYLE = {"on_track": "green", "at_risk": "yellow", "late": "bold red", "done": "bold green", "unknown": "dim"}


def _report(as_of: str | None) -> dict[str, Any]:
    from report.readiness import readiness as build

    cfg = load_config()
    try:
        day = dt.date.fromisoformat(as_of) if as_of else None
    except ValueError:
        fail(f"--as-of '{as_of}' is not a date; write it as YYYY-MM-DD", 2)
    with open_store(cfg).session() as s:
        return build(s, cfg, as_of=day)


_COLUMNS = ("branch", "cutover", "register_files", "digitised_files", "pages", "files_today", "files_week",
            "files_per_day", "projected_completion", "days_left", "status", "rejected", "needs_review", "not_scanned")
_NARROW_DROP = {"pages", "files_today", "files_week"}  # left out below 140 columns


def readiness_table(report: dict[str, Any], lang: str, width: int = 200) -> Table:
    """The readiness rows (branches, then the office total); a projection-less row shows '—*' (see the note)."""
    from report.i18n import branch_name, ddmmyyyy, t

    title = (f"{report['office_hi'] if lang == 'hi' else report['office_en']} — {t('readiness', lang)} "
             f"({t('as_of', lang)} {ddmmyyyy(report['as_of'])}; {t('cutover', lang)} {ddmmyyyy(report['cutover'])})")
    cols = [c for c in _COLUMNS if width >= 140 or c not in _NARROW_DROP]
    rows = [*report["branches"], report["total"]]
    blind = any(not r["projected_completion"] and r["status"] != "done" for r in rows)
    table = Table(title=escape(title), caption=f"* {t('no_throughput', lang)}" if blind else None)
    for c in cols:  # dates and names never cut: the numeric columns give way
        wide = {"cutover": 10, "projected_completion": 10, "branch": 12, "status": 9}.get(c)
        table.add_column(t(c, lang), no_wrap=bool(wide), min_width=wide)
    last = report["branches"][-1]["branch"] if report["branches"] else None
    for r in rows:
        cell = {**r, **r["blockers"], "branch": branch_name(r, lang), "cutover": ddmmyyyy(r["cutover"]),
                "projected_completion": ddmmyyyy(r["projected_completion"]) if r["projected_completion"]
                else ("" if r["status"] == "done" else "—*"),
                "days_left": "" if r["days_left"] is None else r["days_left"]}
        row = [escape(str(cell[c])) for c in cols]
        row[cols.index("status")] = f"[{_STYLE[r['status']]}]{escape(t(r['status'], lang))}[/]"
        table.add_row(*row, end_section=r["branch"] == last)
    return table


@app.command()
def readiness(as_json: Annotated[bool, typer.Option("--json", help="one object (DESIGN.md §3)")] = False,
              lang: Annotated[str, typer.Option("--lang", help="hi or en")] = "",
              as_of: Annotated[str | None, typer.Option("--as-of", help="report as of YYYY-MM-DD (default today)")]
              = None) -> None:
    """Each branch against the cutover: digitised files, throughput, projected finish, status, blockers."""
    from report.i18n import LANGS, t

    report = _report(as_of)
    if as_json:
        print_json(report)
        return
    lang = lang or load_config().office.language
    if lang not in LANGS:
        fail(f"--lang '{lang}': use hi or en", 2)
    out.print(readiness_table(report, lang, out.width))
    for r in report["branches"]:
        oldest = r["blockers"]["not_scanned_oldest"]
        if oldest:
            files = ", ".join(f"{o['file_number']}" + (f" ({o['year']})" if o["year"] else "") for o in oldest)
            out.print(escape(f"{r['branch']}: {t('oldest_not_scanned', lang)}: {files}"), highlight=False)


@export_app.command("progress")
def export_progress(out_path: Annotated[Path, typer.Argument(metavar="OUT", help="file to write")],
                    fmt: Annotated[str, typer.Option("--format", "-f", help="csv or xlsx")] = "",
                    as_of: Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD")] = None) -> None:
    """Write per-branch progress and readiness (plus the office total) to OUT."""
    from report.export import write

    fmt = fmt or out_path.suffix.lstrip(".").lower()
    if fmt not in ("csv", "xlsx"):
        fail(f"--format '{fmt}': use csv or xlsx", 2)
    write(_report(as_of), out_path, fmt)
    out.print(f"progress written to {out_path}")
