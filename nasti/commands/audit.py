"""`nasti audit [--since DATE] [--action A] [--actor NAME] [--json]`: the audit trail, newest first."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from nasti.app import app, load_config, open_store, out, print_json
from nasti.commands._common import fail


@app.command("audit")
def audit_cmd(since: Annotated[str | None, typer.Option("--since", help="YYYY-MM-DD (office day) or an ISO moment")]
              = None,
              action: Annotated[str | None, typer.Option("--action", help="login, cutover, user_add, ...")] = None,
              actor: Annotated[str | None, typer.Option("--actor", help="who did it")] = None,
              limit: Annotated[int, typer.Option("--limit", min=1, max=100000)] = 500,
              json_out: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False) -> None:
    """Who did what, when and from where: cutovers, register imports, user changes, review assignments, logins."""
    from store import audit

    cfg = load_config()
    start: dt.datetime | None = None
    if since:
        try:
            start = (dt.datetime.combine(dt.date.fromisoformat(since), dt.time(), tzinfo=cfg.office.zone)
                     if len(since) == 10 else dt.datetime.fromisoformat(since))
        except ValueError:
            fail(f"--since {since!r}: give a date YYYY-MM-DD or an ISO moment", 2)
        if start.tzinfo is None:
            start = start.replace(tzinfo=cfg.office.zone)
    if action and action not in audit.ACTIONS:
        fail(f"--action {action!r}: use one of {', '.join(audit.ACTIONS)}", 2)
    with open_store(cfg).session() as s:
        rows = [audit.as_dict(r) for r in audit.query(s, since=start, action=action, actor=actor, limit=limit)]
    if json_out:
        print_json(rows)
        return
    zone = cfg.office.zone
    for r in rows:
        at = dt.datetime.fromisoformat(r["at"]).astimezone(zone).strftime("%d/%m/%Y %H:%M:%S")
        detail = ", ".join(f"{k}={v}" for k, v in (r["detail"] or {}).items())
        doc = f" document {r['document_id']}" if r["document_id"] else ""
        out.print(f"{at}\t{r['actor']}\t{r['action']}{doc}\t{detail}\t{r['address'] or '-'}", highlight=False,
                  markup=False)
