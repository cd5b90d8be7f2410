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

export_app = typer.Typer(no_args_is_help=True, help="Export progress (CSV or XLSX), or files for eOffice.")
app.add_typer(export_app, name="export")

_STYLE = {"on_track": "green", "at_risk": "yellow", "late": "bold red", "done": "bold green", "unknown": "dim",
          "no_register": "dim"}


def _day(as_of: str | None) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(fold_digits(as_of)) if as_of else None
    except ValueError:
        fail(f"--as-of '{as_of}' is not a date; write it as YYYY-MM-DD", 2)
    if day is not None and not dt.date(2000, 1, 1) <= day <= dt.date(2999, 12, 31):
        fail(f"--as-of '{as_of}' is outside 2000-01-01 … 2999-12-31", 2)
    return day


def _report(as_of: str | None, office: str | None = None) -> dict[str, Any]:
    from nasti.commands._common import check_office
    from report.readiness import readiness as build

    cfg = load_config()
    day = _day(as_of)
    with open_store(cfg).session() as s:
        return build(s, cfg, as_of=day, office=check_office(s, office))


def _rollup(as_of: str | None, division: str | None) -> dict[str, Any]:
    from report.rollup import rollup
    from store.offices import OfficeError

    cfg = load_config()
    day = _day(as_of)
    with open_store(cfg).session() as s:
        try:
            return rollup(s, cfg, as_of=day, division=division)
        except OfficeError as e:
            fail(str(e), 2)


_COUNT_NAMES = {"no_register": ("रजिस्टर नहीं", "no register"), "stale": ("पुराना स्नैपशॉट", "stale")}


def _print_rollup(report: dict[str, Any], lang: str) -> None:
    from report.i18n import ddmmyyyy, t

    table = Table(title=f"{t('readiness', lang)} ({t('as_of', lang)} {ddmmyyyy(report['as_of'])})")
    for c in ("office", "cutover", "register_files", "digitised_files", "pages", "files_per_day",
              "projected_completion", "status"):
        table.add_column(t(c, lang) if c != "office" else ("कार्यालय" if lang == "hi" else "Office"),
                         justify="right" if c in _NUMERIC or c in ("pages", "files_per_day") else "left")
    name = "name_hi" if lang == "hi" else "name_en"
    for d in report["divisions"]:
        for o in d["offices"]:
            status = t(o["status"], lang) if o["register_files"] else "—"
            table.add_row(escape(o[name]) + (" ⚠" if o["stale"] else ""), ddmmyyyy(o["cutover"]),
                          str(o["register_files"]), str(o["digitised_files"]), str(o["pages"]),
                          str(o["files_per_day"]), ddmmyyyy(o["projected_completion"]) or "—",
                          f"[{_STYLE[o['status']]}]{status}[/]")
        tot = d["total"]
        table.add_row(f"[bold]{escape(d[name])}[/]", "", str(tot["register_files"]), str(tot["digitised_files"]),
                      str(tot["pages"]), str(tot["files_per_day"]), ddmmyyyy(tot["projected_completion"]) or "—",
                      " ".join(f"{_COUNT_NAMES.get(k, (k, k))[lang == 'en'] if k in _COUNT_NAMES else t(k, lang)} {v}"
                               for k, v in tot["counts"].items() if v), end_section=True)
    out.print(table)


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


def contract_statuses(report: dict[str, Any]) -> dict[str, Any]:
    """The JSON contract's `status` (DESIGN.md §3: on_track | at_risk | late | done | unknown) for each branch and the
    total: a branch without a register is `unknown` there; nasti's own finer verdict (`no_register`) is `judged`."""
    def one(row: dict[str, Any]) -> dict[str, Any]:
        judged = row.get("status")
        return {**row, "status": "unknown" if judged == "no_register" else judged, "judged": judged}

    return {**report, "branches": [one(r) for r in report.get("branches", [])],
            **({"total": one(report["total"])} if isinstance(report.get("total"), dict) else {})}


@app.command()
def readiness(as_json: Annotated[bool, typer.Option("--json", help="one JSON object, for scripts")] = False,
              lang: Annotated[str, typer.Option("--lang", help="hi or en (default: [office] language)")] = "",
              as_of: Annotated[str | None, typer.Option("--as-of", help="report as of YYYY-MM-DD (default today)")]
              = None,
              office: Annotated[str | None, typer.Option("--office", help="one office's branches (its key)")] = None,
              division: Annotated[str | None, typer.Option("--division", help="a division's offices, rolled up")]
              = None,
              state_wide: Annotated[bool, typer.Option("--state", help="every division and office, rolled up")]
              = False) -> None:
    """Each branch against the cutover: digitised files, throughput, projected finish, status, blockers; with
    --division or --state, each office and the sums."""
    from report.i18n import LANGS, t

    if sum(x is not None and x is not False for x in (office, division, state_wide or None)) > 1:
        fail("give one of --office, --division, --state", 2)
    lang = lang or ("" if as_json else load_config().office.language)
    if not as_json and lang not in LANGS:
        fail(f"--lang '{lang}': use hi or en", 2)
    if division or state_wide:
        rolled = _rollup(as_of, division)
        if as_json:
            print_json(rolled)
        else:
            _print_rollup(rolled, lang)
        return
    report = _report(as_of, office)
    if as_json:
        print_json(contract_statuses(report))
        return
    table, dropped = readiness_table(report, lang, out.width)
    out.print(table)
    if note := dropped_note(dropped, out.width, lang):
        out.print(note, style="dim", highlight=False, markup=False)
    for r in report["branches"]:
        oldest = r["blockers"]["not_scanned_oldest"]
        if oldest:
            files = ", ".join(f"{o['file_number']}" + (f" ({o['year']})" if o["year"] else "") for o in oldest)
            out.print(escape(f"{r['branch']}: {t('oldest_not_scanned', lang)}: {files}"), highlight=False)


@app.command()
def ranking(as_json: Annotated[bool, typer.Option("--json", help="one JSON object, for scripts")] = False,
            division: Annotated[str | None, typer.Option("--division", help="only this division's offices")]
            = None,
            as_of: Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD (default today)")] = None) -> None:
    """Offices ranked by pace (files/day over 7 days ÷ files/day needed by the cutover), then share digitised,
    then projected finish; offices without a register or with a stale snapshot are listed apart."""
    from report.ranking import rank

    rolled = _rollup(as_of, division)
    result = {"as_of": rolled["as_of"], "division": division,
              **rank([o for d in rolled["divisions"] for o in d["offices"]])}
    if as_json:
        print_json(result)
        return
    for r in result["ranked"]:
        pace = "—" if r["pace"] is None else f"{r['pace']:.2f}"
        out.print(f"{r['rank']:>3}. {r['name_en']:<32} pace {pace:>6}  {r['share'] * 100:5.1f}%  "
                  f"{r['projected_completion'] or '—'}  {r['status']}", highlight=False, markup=False)
    for r in result["apart"]:
        out.print(f"  -  {r['name_en']:<32} {r['reason']}", highlight=False, markup=False)


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
