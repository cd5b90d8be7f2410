"""`nasti export eoffice OUT [--branch B] [--file-number N] [--since DATE]`: every ready physical file as an eOffice
migration folder (fl-…/Notes, Receipts, Issues, References), with metadata.csv and SHA256SUMS (package export/)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from nasti.app import err, load_config, open_store, out, print_json
from nasti.commands._common import check_branch, fail
from nasti.commands.readiness import export_app  # `nasti export …`: one command group (progress, eoffice)


@export_app.command("eoffice")
def eoffice(target: Annotated[Path, typer.Argument(metavar="OUT", help="the export folder (created if missing)")],
            branch: Annotated[str | None, typer.Option("--branch", "-b", help="only this branch")] = None,
            file_number: Annotated[str | None, typer.Option("--file-number", "-n",
                                                            help="only this file (either digit set)")] = None,
            since: Annotated[str | None, typer.Option("--since", help="only files with a document done on or "
                                                                      "after this day (YYYY-MM-DD)")] = None,
            by: Annotated[str, typer.Option("--by", help="who exports (recorded in the events)")] = "nasti",
            as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Write one fl-<file number> folder per ready physical file: searchable upload volumes per part under the
    size cap (config export.volume_mb, export.dpi), metadata.csv (UTF-8 with BOM) and SHA256SUMS. A re-run writes
    nothing new unless a file changed."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from export.run import ExportBusy, ExportRefused, export_eoffice

    cfg = load_config()
    start = None
    if since:
        try:
            day = dt.date.fromisoformat(since)
        except ValueError:
            fail(f"--since '{since}' तारीख नहीं है; YYYY-MM-DD लिखें / --since '{since}' is not a date; write "
                 "YYYY-MM-DD", 2)
        start = dt.datetime.combine(day, dt.time(), ZoneInfo(cfg.office.timezone)).astimezone(dt.UTC)
    store = open_store(cfg)
    with store.session() as s:
        branch = check_branch(s, cfg, branch)
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=err, transient=True, disable=as_json or not err.is_terminal)
    task = bar.add_task("pages", total=0)
    with bar:
        try:
            summary = export_eoffice(store, cfg, target.resolve(), branch=branch, file_number=file_number,
                                     since=start, actor=by.strip() or "nasti",
                                     on_start=lambda files, pages: bar.update(task, total=pages),
                                     on_page=lambda: bar.advance(task),
                                     on_file=lambda name: bar.update(task, description=name))
        except (ExportBusy, ExportRefused) as e:
            fail(str(e), 1)
    data = {"written": summary.written, "unchanged": summary.unchanged, "waiting": summary.waiting,
            "refused": summary.refused, "removed": summary.removed, "unfiled": summary.unfiled,
            "pages": summary.pages, "volumes": summary.volumes, "seconds": summary.seconds}
    if as_json:
        print_json(data)
        return
    out.print(f"export: {len(summary.written)} folders written, {len(summary.unchanged)} unchanged, "
              f"{summary.pages} pages in {summary.volumes} volumes, {summary.seconds} s → {target}",
              highlight=False)
    for name, why in summary.refused.items():
        out.print(f"! {name}: {why}", style="yellow", highlight=False, markup=False)
    for name in summary.removed:
        out.print(f"- {name}: फ़ाइल अब नहीं है (दस्तावेज़ दूसरी फ़ाइल में गए), फ़ोल्डर हटाया / the file no longer exists "
                  "(its documents moved to another file); folder removed", highlight=False, markup=False)
    if summary.unfiled:
        out.print(f"! किसी फ़ाइल में नहीं (नस्ती क्रमांक दें: nasti review assign) / in no file (give a file number): "
                  f"{len(summary.unfiled)} — " + ", ".join(summary.unfiled[:10])
                  + (" …" if len(summary.unfiled) > 10 else ""), style="yellow", highlight=False, markup=False)
    if summary.waiting:
        out.print(f"not ready (work pending or review): {len(summary.waiting)} — "
                  + ", ".join(summary.waiting[:10]) + (" …" if len(summary.waiting) > 10 else ""), highlight=False)
