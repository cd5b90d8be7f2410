"""`nasti doctor [--quick] [--json]`: can this installation run? Config, share, OCR engines, database, disk."""
from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from nasti.app import app, err, out, print_json, state

_MARK = {"ok": "[green]✓[/]", "warn": "[yellow]![/]", "fail": "[bold red]✗[/]"}
_NOT_CHECKED = "[dim]–[/]"     # an ok finding that says what was left out (data.checked false)


@app.command(epilog="Exit codes: 0 everything works (warnings allowed); 2 config; 3 share (missing, not mounted, not "
                    "writable); 4 OCR engines (tesseract, its models, poppler); 5 database (unreachable, schema "
                    "behind or ahead, archive files it does not know); 6 storage (archive not writable, none of its "
                    "recorded files there — not mounted?, not enough disk, log file); 7 queue (Redis not "
                    "reachable, with \\[queue] backend = \"celery\"); 1 doctor itself "
                    "failed. With several problems: the first in this order.")
def doctor(quick: Annotated[bool, typer.Option("--quick", help=(
               "for the service's start-up: leave out the test OCR read and the disk estimate; check the archive "
               "cheaply — every archived file of a done document exists with its recorded size (no hashing), and "
               "archive files the database does not know are looked for only when it knows none (an empty or "
               "wrong database: exit 5, as in the full check); an older database restored beside a newer archive "
               "is not looked for (the line marked – says so; `nasti watch` finds it before it starts)"))] = False,
           as_json: Annotated[bool, typer.Option("--json", help="{ok, exit_code, checks: [{check, area, status, "
                                                                "message, data}]}")] = False) -> None:
    """Check that nasti can run here, naming each problem and how to fix it."""
    from common import config as configmod
    from nasti import doctor as doc

    try:
        cfg = configmod.load(state.config_path)
    except configmod.ConfigError as e:
        findings = [doc.Finding("config", "config", "fail", p) for p in e.problems]
    else:
        from nasti import logs

        logs.setup(err, level=logs.level_for(state.verbose, state.quiet, cfg.log.level), tz_name=cfg.office.timezone)
        findings = doc.run(cfg, quick=quick)
    report = doc.as_json(findings)
    if as_json:
        print_json(report)
    else:
        for f in findings:
            mark = _NOT_CHECKED if f.data.get("checked") is False else _MARK[f.status]
            out.print(f"{mark} {f.area:<8} {escape(f.message)}", highlight=False)
        fails = sum(f.status == "fail" for f in findings)
        warns = sum(f.status == "warn" for f in findings)
        out.print(f"doctor: {fails} problems, {warns} warnings (exit {report['exit_code']})", highlight=False)
    raise typer.Exit(report["exit_code"])
