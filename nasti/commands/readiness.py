"""`nasti readiness` and `nasti export progress`: per-branch progress and readiness against the cutover date."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from common.text import fold_digits
from nasti.app import app, load_config, open_store, out, print_json
from nasti.commands._common import fail
from nasti.tables import Col, build, dropped_note

export_app = typer.Typer(no_args_is_help=True, help="Export progress (CSV or XLSX).")
app.add_typer(export_app, name="export")

_STYLE = {"on_track": "green", "at_risk": "yellow", "late": "bold red", "done": "bold green", "unknown": "dim",
          "no_register": "dim"}


def _report(as_of: str | None) -> dict[str, Any]:
    from report.readiness import readiness as build

    cfg = load_config()
    try:
        day = dt.date.fromisoformat(fold_digits(as_of)) if as_of else None
    except ValueError:
        fail(f"--as-of '{as_of}' is not a date; write it as YYYY-MM-DD", 2)
    if day is not None and not dt.date(2000, 1, 1) <= day <= dt.date(2999, 12, 31):
        fail(f"--as-of '{as_of}' is outside 2000-01-01 … 2999-12-31", 2)
    with open_store(cfg).session() as s:
        return build(s, cfg, as_of=day)


_COLUMNS = {  # key: keep (lower = left out first in a narrow window)
    "branch": 9, "cutover": 5, "register_files": 8, "digitised_files": 8, "pages": 3, "files_today": 1,
    "files_week": 2, "files_per_day": 6, "projected_completion": 7, "days_left": 4, "status": 9, "rejected": 5,
    "needs_review": 5, "not_scanned": 6,
}
_NUMERIC = {"register_files", "digitised_files", "pages", "files_today", "files_week", "files_per_day", "days_left",
            "rejected", "needs_review", "not_scanned"}


def readiness_table(report: dict[str, Any], lang: str, width: int = 200) -> tuple[Table, list[Col]]:
    """The readiness rows (branches, then the office total) fitting ``width``, and the columns left out; a
    projection-less row shows '—*' (see the note)."""
    from report.i18n import branch_name, ddmmyyyy, t

    title = (f"{report['office_hi'] if lang == 'hi' else report['office_en']} — {t('readiness', lang)} "
             f"({t('as_of', lang)} {ddmmyyyy(report['as_of'])}; "
             + (f"{t('cutover', lang)} {ddmmyyyy(report['cutover'])})" if report["cutover"] else
                f"{t('no_cutover', lang)})"))
    rows = [*report["branches"], report["total"]]
    blind = any(not r["projected_completion"] and r["status"] != "done" for r in rows)
    cols = [Col(c, t(c, lang), numeric=c in _NUMERIC, keep=keep, nowrap=c in ("cutover", "projected_completion"))
            for c, keep in _COLUMNS.items()]
    cells, styles = [], {}
    for i, r in enumerate(rows):
        cell = {**r, **r["blockers"], "branch": branch_name(r, lang), "cutover": ddmmyyyy(r["cutover"]),
                "projected_completion": ddmmyyyy(r["projected_completion"]) if r["projected_completion"]
                else ("" if r["status"] == "done" else "—*"),
                "days_left": "" if r["days_left"] is None else r["days_left"], "status": t(r["status"], lang)}
        cells.append({c: str(cell[c]) for c in _COLUMNS})
        styles[(i, "status")] = _STYLE[r["status"]]
    return build(cols, cells, width, title=title, caption=f"* {t('no_throughput', lang)}" if blind else None,
                 sections=[i == len(rows) - 2 for i in range(len(rows))], cell_styles=styles)


@app.command()
def readiness(as_json: Annotated[bool, typer.Option("--json", help="one JSON object, for scripts")] = False,
              lang: Annotated[str, typer.Option("--lang", help="hi or en (default: [office] language)")] = "",
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
    table, dropped = readiness_table(report, lang, out.width)
    out.print(table)
    if note := dropped_note(dropped, out.width, lang):
        out.print(note, style="dim", highlight=False, markup=False)
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
