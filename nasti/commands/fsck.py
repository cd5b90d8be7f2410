"""`nasti fsck [--json]` — the archive against the database; exit 0 clean, 1 problems found. Never deletes."""
from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from nasti.app import app, err, load_config, open_store, out, print_json


@app.command()
def fsck(as_json: Annotated[bool, typer.Option("--json")] = False,
         quick: Annotated[bool, typer.Option(
             "--quick", help="only check that files exist (no checksums, no summary counts)")] = False,
         refresh_records: Annotated[bool, typer.Option(
             "--refresh-records", help="first rewrite the record in each searchable PDF whose tags changed "
             "(review) or that has none, from the database (atomic; nothing is deleted)")] = False,
         recount: Annotated[bool, typer.Option(
             "--recount", help="first rebuild the summary counts (status, readiness, roll-ups) from the documents")]
         = False,
         ) -> None:
    """Check the archive: missing files, corrupt copies (sha256), files no document knows, quarantined files; and the
    summary counts against the documents."""
    from nasti.vault.fsck import PROBLEMS, summary
    from nasti.vault.fsck import fsck as run

    cfg = load_config()
    store = open_store(cfg)
    say = err if as_json else out   # what was done first; --json keeps standard output for the JSON
    try:
        if refresh_records:
            from nasti.vault.records import refresh

            say.print(f"records rewritten: {refresh(store, cfg.archive)}", highlight=False)
        if recount:
            from store.counts_check import recount as rebuild

            with store.session() as s:
                rebuild(s)
            say.print("गिनती फिर से बनाई / summary counts rebuilt", highlight=False)
        findings = run(store, cfg.archive, checksums=not quick, counts=not quick)
    finally:
        store.close()
    counts = summary(findings)
    problems = sum(counts[k] for k in PROBLEMS)
    if as_json:
        print_json({"archive": str(cfg.archive), "ok": not problems, "counts": counts,
                    "findings": [f.as_dict() for f in findings]})
    else:
        if findings:
            t = Table("kind", "document", "path", "detail")
            for f in findings:
                t.add_row(f.kind, str(f.document_id or ""), escape(f.path), escape(f.detail))
            out.print(t)
        shown = ", ".join(f"{k} {v}" for k, v in counts.items() if v) or "nothing to report"
        out.print(("समस्याएँ मिलीं / problems found: " if problems else "ठीक है / clean: ") + shown, highlight=False)
    if quick:       # on stderr with --json: stdout stays JSON
        say.print("गिनती नहीं जाँची (--quick) / summary counts not checked (--quick): `nasti fsck` checks them",
                  highlight=False)
    raise typer.Exit(1 if problems else 0)
