"""The collector's audit page: who did what, when and from where, filtered by action, person and day."""
from __future__ import annotations

import datetime as dt
import json

from starlette.requests import Request
from starlette.responses import Response

from report.i18n import local_time
from report.web.auth import OWN_OFFICE, require
from report.web.parse import parse_day
from report.web.render import render
from store import audit

SHOWN = 300


async def audit_page(request: Request) -> Response:
    # the trail holds every office's logins and addresses: the deployment's own collector only (as /admin)
    require(request, roles=("collector",), office=OWN_OFFICE)
    state = request.app.state
    zone = state.cfg.office.zone
    q = request.query_params
    action = q.get("action", "") if q.get("action", "") in audit.ACTIONS else ""
    actor = q.get("actor", "").strip()[:100]
    since_text = q.get("since", "").strip()
    day = parse_day(since_text)
    since = dt.datetime.combine(day, dt.time(), tzinfo=zone) if day else None
    with state.store.session() as s:
        rows = [{"at": local_time(r.at, zone), "actor": r.actor, "action": r.action, "document_id": r.document_id,
                 "detail": json.loads(r.detail) if r.detail else {}, "address": r.address or ""}
                for r in audit.query(s, since=since, action=action or None, actor=actor or None, limit=SHOWN)]
    return render(request, "audit.html", rows=rows, actions=audit.ACTIONS, action=action, actor=actor,
                  since=day.strftime("%d/%m/%Y") if day else "")
