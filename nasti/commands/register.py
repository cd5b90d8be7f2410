"""`nasti register import|list|unmatched` — the branch register of physical files."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from nasti.app import app, load_config, open_store, out, print_json
from nasti.commands._common import case_errors, check_branch, fail

register_app = typer.Typer(no_args_is_help=True, help="The branch register (inventory) of physical files.")
app.add_typer(register_app, name="register")


@register_app.command("import")
def import_(file: Annotated[Path, typer.Argument(metavar="FILE", help="CSV or XLSX; Hindi or English headers")],
            branch: Annotated[str, typer.Option("--branch", "-b", help="the branch key (share folder)")],
            as_json: Annotated[bool, typer.Option("--json")] = False,
            office: Annotated[str | None, typer.Option("--office", help="another office of this database "
                                                                        "(nasti office list)")] = None) -> None:
    """Import (or update) a branch register: file number, subject, year, category, expected pages, location."""
    from store.cases import import_register

    cfg = load_config()
    if not file.is_file():
        fail(f"{file} does not exist", 2)
    started = time.perf_counter()
    with case_errors(), open_store(cfg).session() as s:
        done = import_register(s, cfg, branch, file, office)
    result = done.result
    data: dict[str, Any] = {**done.as_dict(), "seconds": round(time.perf_counter() - started, 2)}
    if as_json:
        print_json(data)
        return
    out.print(f"{done.summary()} ({data['seconds']} s)")
    for w in result.warnings[:20]:
        out.print(f"  warning: {w}", highlight=False)
    if len(result.warnings) > 20:
        out.print(f"  … {len(result.warnings) - 20} more warnings")


@register_app.command("list")
def list_(branch: Annotated[str | None, typer.Option("--branch", "-b")] = None,
          as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Register files with their matched documents and whether they are digitised."""
    from store.queries import register_dicts

    cfg = load_config()
    with open_store(cfg).session() as s:
        branch = check_branch(s, cfg, branch)
        rows = register_dicts(s, branch)
    if as_json:
        print_json(rows)
        return
    t = Table("branch", "file number", "subject", "year", "cat.", "pages", "docs", "digitised")
    for r in rows:
        t.add_row(*(escape(str(x)) for x in (r["branch"], r["file_number"], (r["subject"] or "")[:40],
                                              r["year"] or "", r["category"] or "", r["expected_pages"] or "",
                                              r["documents"], "✓" if r["digitised"] else "")))
    out.print(t)


@register_app.command("unmatched")
def unmatched(branch: Annotated[str | None, typer.Option("--branch", "-b")] = None,
              as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Done documents of branches with a register whose file number is not in it."""
    from nasti import views
    from store import queries

    cfg = load_config()
    with open_store(cfg).session() as s:
        branch = check_branch(s, cfg, branch)
        docs = [queries.document_dict(d, cfg.archive) for d in queries.unmatched_documents(s, branch)]
    if as_json:
        print_json(docs)
    else:
        views.documents_table(out, docs)


@register_app.command("coversheets")
def coversheets(out_pdf: Annotated[Path, typer.Argument(metavar="OUT.pdf", help="the PDF to write")],
                branch: Annotated[str | None, typer.Option("--branch", "-b", help="one branch (default: all)")] = None,
                only_unscanned: Annotated[bool, typer.Option("--only-unscanned",
                                                             help="only files not yet digitised")] = False,
                file_number: Annotated[str | None, typer.Option("--file-number", "-n",
                                                                help="only this file")] = None,
                dividers: Annotated[bool, typer.Option("--dividers/--no-dividers",
                                                       help="add divider sheets (Notes, Receipts, ...)")] = True,
                office: Annotated[str | None, typer.Option("--office", help="that office's branches (default: this "
                                                                           "deployment's own)")] = None,
                as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Print cover sheets: one A4 page per register file (QR code, file number, subject), then divider sheets."""
    from report.coversheet import coversheets_pdf
    from store import repo

    cfg = load_config()
    with open_store(cfg).session() as s:
        branch = check_branch(s, cfg, branch)
        written = coversheets_pdf(s, out_pdf, branch=branch, only_unscanned=only_unscanned,
                                  file_number=file_number, dividers=dividers, office=office or repo.OFFICE)
    if not written:
        fail("no register file to print a cover sheet for (import the register first: nasti register import)", 1)
    if as_json:
        print_json({"pdf": str(out_pdf), **written})
    else:
        out.print(f"{written['covers']} cover sheets and {written['dividers']} divider sheets → {out_pdf}")
