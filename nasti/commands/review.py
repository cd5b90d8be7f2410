"""`nasti review [--branch B] [--json]` lists the review queue; `nasti review assign ID --file-number N --by NAME`
resolves one document (an audited event)."""
from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from nasti.cli import app, load_config, open_store, out, print_json
from nasti.commands._common import branch_for, fail

review_app = typer.Typer(invoke_without_command=True,
                         help="Documents that need a person: no file number, conflicting tags, low confidence.")
app.add_typer(review_app, name="review")


@review_app.callback()
def queue(ctx: typer.Context,
          branch: Annotated[str | None, typer.Option("--branch", "-b", help="only this branch")] = None,
          as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List the review queue (with no sub-command)."""
    if ctx.invoked_subcommand is not None:
        return
    from store import queries
    from store.review import queue as review_queue

    cfg = load_config()
    with open_store(cfg).session() as s:
        docs = [queries.document_dict(d, cfg.archive) for d in review_queue(s, branch)]
    if as_json:
        print_json(docs)
        return
    t = Table("id", "branch", "source", "file number", "why")
    for d in docs:
        t.add_row(*(escape(str(x)) for x in (d["id"], d["branch"] or "", d["source"], d["file_number"] or "—",
                                              d["reason"] or "")))
    out.print(t)
    out.print(f"{len(docs)} documents need review")


@review_app.command("assign")
def assign(doc_id: Annotated[int, typer.Argument(metavar="ID")],
           file_number: Annotated[str, typer.Option("--file-number", "-n", help="as printed (either digit set)")],
           by: Annotated[str, typer.Option("--by", help="who decides (recorded in the event)")],
           branch: Annotated[str | None, typer.Option("--branch", "-b", help="move it to this branch")] = None,
           as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Give a document its file number (and branch); clears its review flag; recorded as an event."""
    from ingest.tagging.digits import file_number_key, fold_digits, strip_label
    from store import queries
    from store.review import Assignment, ReviewError
    from store.review import assign as assign_number

    cfg = load_config()
    value = " ".join(strip_label(fold_digits(file_number))[1].split()).strip()
    with open_store(cfg).session() as s:
        doc = queries.document(s, doc_id)
        if doc is None:
            fail(f"no document with id {doc_id}")
        target = branch_for(s, cfg, branch) if branch else None
        try:
            event = assign_number(s, doc, Assignment(value, file_number_key(value), target), actor=by,
                                  fuzzy_threshold=cfg.tags.fuzzy_threshold)
        except ReviewError as e:
            fail(str(e), 2)
        s.refresh(doc)
        data = queries.document_dict(doc, cfg.archive)
        detail = event.detail
    from nasti.vault.records import refresh  # the searchable PDF's record carries the new tags (nasti rebuild)

    refresh(open_store(cfg), cfg.archive, [doc_id])
    if as_json:
        print_json(data)
    else:
        out.print(f"#{doc_id}: {detail} (by {by})", highlight=False)
