"""`nasti document part ID PART [--sequence N] --by NAME`: which part of its physical file a document belongs to
(Notes, Receipts, Issues, References — English or Hindi) and its order in it; an audited event."""
from __future__ import annotations

from typing import Annotated

import typer

from nasti.app import app, load_config, open_store, out, print_json
from nasti.commands._common import fail

document_app = typer.Typer(no_args_is_help=True, help="One document's place in its physical file.")
app.add_typer(document_app, name="document")


@document_app.command("part")
def part(doc_id: Annotated[int, typer.Argument(metavar="ID")],
         name: Annotated[str, typer.Argument(metavar="PART", help="notes | receipts | issues | references "
                                                                   "(or टिप्पणी, पत्र, जावक, संदर्भ)")],
         sequence: Annotated[int | None, typer.Option("--sequence", "-s", min=0,
                                                      help="its order within the physical file")] = None,
         by: Annotated[str, typer.Option("--by", help="who decides (recorded in the event)")] = "nasti",
         as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Set a document's part (and order) in its physical file; recorded as an event."""
    from store.parts import PartError, set_part

    cfg = load_config()
    with open_store(cfg).session() as s:
        try:
            event = set_part(s, doc_id, name, sequence=sequence, actor=by.strip() or "nasti")
        except PartError as e:
            fail(str(e), 1 if "no document" in str(e) else 2)
        detail = event.detail
    if as_json:
        print_json({"id": doc_id, "detail": detail})
    else:
        out.print(f"#{doc_id}: {detail} (by {by})", highlight=False)
