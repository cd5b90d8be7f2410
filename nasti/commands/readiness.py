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


def readiness_table(report: dict[str, Any], lang: str) -> Table:
    from report.i18n import branch_name, ddmmyyyy, t

    title = (f"{report['office_hi'] if lang == 'hi' else report['office_en']} — {t('readiness', lang)} "
             f"({t('as_of', lang)} {ddmmyyyy(report['as_of'])}; {t('cutover', lang)} {ddmmyyyy(report['cutover'])})")
    cols = ("branch", "cutover", "register_files", "digitised_files", "pages", "files_today", "files_week",
            "files_per_day", "projected_completion", "days_left", "status", "rejected", "needs_review", "not_scanned")
    table = Table(*(t(c, lang) for c in cols), title=escape(title))
    for r in [*report["branches"], report["total"]]:
        proj = ddmmyyyy(r["projected_completion"]) if r["projected_completion"] else (
            t("no_throughput", lang) if r["status"] not in ("done",) else "")
        cells = [branch_name(r, lang), ddmmyyyy(r["cutover"]), r["register_files"], r["digitised_files"], r["pages"],
                 r["files_today"], r["files_week"], r["files_per_day"], proj,
                 "" if r["days_left"] is None else r["days_left"],
                 f"[{_STYLE[r['status']]}]{escape(t(r['status'], lang))}[/]", r["blockers"]["rejected"],
                 r["blockers"]["needs_review"], r["blockers"]["not_scanned"]]
        table.add_row(*(c if isinstance(c, str) and c.startswith("[") else escape(str(c)) for c in cells),
                      end_section=r["branch"] == report["branches"][-1]["branch"] if report["branches"] else False)
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
    out.print(readiness_table(report, lang))
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
