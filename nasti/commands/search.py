"""`nasti search QUERY` — whole-word Hindi/English, prefix*, "phrases" and file numbers in either digit set."""
from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from nasti.app import app, load_config, open_store, out, print_json
from nasti.commands._common import check_branch, fail


@app.command()
def search(query: Annotated[str, typer.Argument(metavar="QUERY", help='words, prefix*, "a phrase", a file number')],
           branch: Annotated[str | None, typer.Option("--branch", "-b", help="only this branch")] = None,
           limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="at most N documents")] = 20,
           as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Search the OCR text, subjects and file numbers; best first, one hit per document."""
    from store.search.query import search as run

    cfg = load_config()
    with open_store(cfg).session() as s:
        branch = check_branch(s, cfg, branch)
        try:
            hits = [h.as_dict() for h in run(s, query, branch=branch, limit=limit)]
        except ValueError as e:
            fail(str(e), 2)
    if as_json:
        print_json(hits)
        return
    t = Table("id", "branch", "file number", "page", "snippet", "score")
    for h in hits:
        t.add_row(*(escape(str(x)) for x in (h["id"], h["branch"] or "", h["file_number"] or "", h["page"],
                                              h["snippet"], f"{h['score']:.3f}")))
    out.print(t)
