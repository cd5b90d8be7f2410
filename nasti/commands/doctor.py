"""`nasti doctor [--quick] [--json]`: can this installation run? Config, share, OCR engines, database, disk."""
from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from nasti.app import app, err, out, print_json, state

_MARK = {"ok": "[green]✓[/]", "warn": "[yellow]![/]", "fail": "[bold red]✗[/]"}


@app.command(epilog="Exit codes: 0 everything works (warnings allowed); 2 config; 3 share (missing, not mounted, not "
                    "writable); 4 OCR engines (tesseract, its models, poppler); 5 database (unreachable, schema "
                    "behind or ahead); 6 storage (archive not writable, not enough disk, log file); 7 queue (Redis not "
                    "reachable, with [queue] backend = \"celery\"); 1 doctor itself "
                    "failed. With several problems: the first in this order.")
def doctor(quick: Annotated[bool, typer.Option("--quick", help="leave out the slow checks (a test OCR read); "
                                                                "for the service's start-up")] = False,
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
            out.print(f"{_MARK[f.status]} {f.area:<8} {escape(f.message)}", highlight=False)
        fails = sum(f.status == "fail" for f in findings)
        warns = sum(f.status == "warn" for f in findings)
        out.print(f"doctor: {fails} problems, {warns} warnings (exit {report['exit_code']})", highlight=False)
    raise typer.Exit(report["exit_code"])
