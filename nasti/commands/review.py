"""`nasti review [--branch B] [--json]` lists the review queue; `nasti review assign ID --file-number N --by NAME`
resolves one document (an audited event)."""
from __future__ import annotations

from typing import Annotated

import typer

from nasti.app import app, load_config, open_store, out, print_json
from nasti.commands._common import case_errors, check_branch

review_app = typer.Typer(invoke_without_command=True,
                         help="Documents that need a person: no file number, conflicting tags, low confidence.")
app.add_typer(review_app, name="review")


@review_app.callback()
def queue(ctx: typer.Context,
          branch: Annotated[str | None, typer.Option("--branch", "-b", help="only this branch")] = None,
          as_json: Annotated[bool, typer.Option("--json")] = False,
          lang: Annotated[str, typer.Option("--lang", help="hi or en (default: [office] language)")] = "") -> None:
    """List the review queue (with no sub-command)."""
    if ctx.invoked_subcommand is not None:
        return
    from nasti import views
    from nasti.commands._common import pick_lang
    from store import queries
    from store.review import queue as review_queue

    cfg = load_config()
    with open_store(cfg).session() as s:
        branch = check_branch(s, cfg, branch)
        docs = [queries.document_dict(d, cfg.archive) for d in review_queue(s, branch)]
    if as_json:
        print_json(docs)
        return
    views.review_table(out, docs, pick_lang(lang, cfg))


@review_app.command("assign")
def assign(doc_id: Annotated[int, typer.Argument(metavar="ID")],
           file_number: Annotated[str, typer.Option("--file-number", "-n", help="as printed (either digit set)")],
           by: Annotated[str, typer.Option("--by", help="who decides (recorded in the event)")],
           branch: Annotated[str | None, typer.Option("--branch", "-b", help="move it to this branch")] = None,
           as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Give a document its file number (and branch); clears its review flag; recorded as an event."""
    from store import queries
    from store.cases import assign_number

    cfg = load_config()
    with case_errors(), open_store(cfg).session() as s:
        event = assign_number(s, cfg, doc_id, file_number, by=by, branch_key=branch)
        data = queries.document_dict(queries.document(s, doc_id), cfg.archive)
        detail = event.detail
    from nasti.vault.records import refresh  # the searchable PDF's record carries the new tags (nasti rebuild)

    refresh(open_store(cfg), cfg.archive, [doc_id])
    if as_json:
        print_json(data)
    else:
        out.print(f"#{doc_id}: {detail} (by {by})", highlight=False)
