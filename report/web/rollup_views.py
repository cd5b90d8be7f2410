"""Many offices on the dashboard: the state and division roll-ups, one office's branches (drill-down), the
printable ranking, and ``POST /api/snapshot`` where an office with its own server sends its daily figures.

Who sees what (report.web.auth.Viewer): state everything; a commissioner their division's offices (403 for any
other division or office); a collector their office's page; the ranking is for commissioners and state.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from report.ranking import rank
from report.rollup import office_report, rollup
from report.snapshot import MAX_BODY, parse
from report.web.auth import require
from report.web.render import render
from store.offices import OfficeError, check_key, upsert_snapshot

__all__ = ["routes"]


def _state(request: Request) -> Any:
    return request.app.state


async def state_page(request: Request) -> Response:
    require(request, roles=("state",))
    st = _state(request)
    with st.store.session() as s:
        report = rollup(s, st.cfg)
    return render(request, "rollup.html", report=report)


def _report(request: Request, make: Callable[[Any, Any], dict[str, Any]]) -> dict[str, Any]:
    """A roll-up made in one session; an office or division that does not exist is a 404."""
    st = _state(request)
    with st.store.session() as s:
        try:
            return make(s, st.cfg)
        except OfficeError as e:
            raise HTTPException(404, "not_found") from e


async def division_page(request: Request) -> Response:
    key = request.path_params["key"]
    v = require(request, roles=("commissioner", "state"))
    if v.role == "commissioner" and key != v.division:
        raise HTTPException(403, "division")
    return render(request, "rollup.html", report=_report(request, lambda s, cfg: rollup(s, cfg, division=key)))


async def office_page(request: Request) -> Response:
    key = request.path_params["key"]
    require(request, roles=("collector", "commissioner", "state"), office=key)
    return render(request, "rollup_office.html", report=_report(request, lambda s, cfg: office_report(s, cfg, key)))


async def ranking_page(request: Request) -> Response:
    v = require(request, roles=("commissioner", "state"))
    division = request.query_params.get("division") or (v.division if v.role == "commissioner" else None)
    if v.role == "commissioner" and (v.division is None or division != v.division):  # None: the whole state
        raise HTTPException(403, "division")
    report = _report(request, lambda s, cfg: rollup(s, cfg, division=division))
    result = rank([o for d in report["divisions"] for o in d["offices"]])
    return render(request, "ranking.html", report=report, ranking=result, division=division)


async def snapshot_api(request: Request) -> Response:
    """An office's daily snapshot: ``Authorization: Bearer KEY`` (the office's snapshot key) and the JSON of
    ``report.snapshot.payload``; upserted by (office, branch, day). 401 for a wrong key, 400 for a wrong body."""
    auth = request.headers.get("authorization", "")
    if not auth.startswith("Bearer "):
        return JSONResponse({"error": "missing Authorization: Bearer KEY"}, 401)
    length = request.headers.get("content-length", "")
    if length and (not (length.isascii() and length.isdigit()) or int(length) > MAX_BODY):
        return JSONResponse({"error": "snapshot too large"}, 413)
    raw = bytearray()
    async for chunk in request.stream():   # never more than MAX_BODY in memory, whatever the client claims
        raw += chunk
        if len(raw) > MAX_BODY:
            return JSONResponse({"error": "snapshot too large"}, 413)
    try:
        office_key, day, taken, rows = parse(json.loads(raw))
    except (ValueError, AttributeError) as e:  # json.JSONDecodeError is a ValueError; a list body has no .get
        return JSONResponse({"error": f"not a snapshot: {e}"}, 400)
    except RecursionError:  # [[[[… nested deeper than the parser goes
        return JSONResponse({"error": "not a snapshot: nested too deep"}, 400)
    st = _state(request)
    with st.store.session() as s:
        office = check_key(s, office_key, auth.removeprefix("Bearer ").strip())
        if office is None:
            return JSONResponse({"error": "wrong office or key"}, 401)
        try:
            created, updated = upsert_snapshot(s, office, day, rows, taken)
        except OfficeError as e:
            return JSONResponse({"error": str(e)}, 409)
    return JSONResponse({"office": office_key, "day": day.isoformat(), "created": created, "updated": updated})


routes = [
    Route("/state", state_page),
    Route("/division/{key}", division_page),
    Route("/office/{key}", office_page),
    Route("/ranking", ranking_page),
    Route("/api/snapshot", snapshot_api, methods=["POST"]),
]
