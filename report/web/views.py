"""Page handlers: login, the collector's readiness, a branch head's branch, a clerk's outcomes, search, documents."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from report.burndown import burndown, svg
from report.i18n import local_time, t
from report.readiness import readiness
from report.web.auth import WIDE, check_csrf, require, viewer
from report.web.errors import case_errors
from report.web.login import login_page, logout
from report.web.parse import parse_day, parse_id
from report.web.render import language, render
from report.web.session_mw import client_address
from store import cases, queries
from store.models import Branch, Document, Office

__all__ = ["assign", "branch_page", "home", "login_page", "logout", "outcomes",
           "readiness_page", "search_page", "set_cutover"]

OUTCOMES_SHOWN = 200


def _app(request: Request) -> Any:
    return request.app.state


def _date(iso: str | None) -> dt.date | None:
    return dt.date.fromisoformat(iso) if iso else None


def _labels(request: Request) -> tuple[str, str, str]:
    lang = language(request)
    return t("burndown", lang), t("projected_completion", lang), t("cutover", lang)


async def home(request: Request) -> Response:
    v = viewer(request)
    target = {"collector": "/readiness", "branch_head": f"/branch/{v.branch}", "state": "/state",
              "commissioner": f"/division/{v.division}"}.get(v.role, "/outcomes")
    return RedirectResponse(target, 303)


async def readiness_page(request: Request) -> Response:
    v = require(request, roles=("collector",))
    state = _app(request)
    with state.store.session() as s:
        report = readiness(s, state.cfg, office=v.office)
        total = report["total"]
        cut = dt.date.fromisoformat(report["cutover"]) if report["cutover"] else None
        chart = svg(burndown(s, dt.date.fromisoformat(report["as_of"]), cut, total["files_per_day"],
                             finish=_date(total["projected_completion"]), zone=state.cfg.office.zone,
                             office=v.office),
                    labels=_labels(request))
    now = local_time(dt.datetime.now(dt.UTC), state.cfg.office.zone)
    return render(request, "readiness.html", report=report, chart=chart, now=now)


async def set_cutover(request: Request) -> Response:
    v = require(request, roles=("collector",))
    form = await check_csrf(request)
    day = parse_day(str(form.get("cutover", "")))
    state = _app(request)
    with case_errors(404), state.store.session() as s:
        cases.set_cutover(s, state.cfg, str(form.get("branch", "")) or None, day, v.office, by=v.name,
                          address=client_address(request.scope))
    return RedirectResponse("/readiness", 303)


def _branch_or_404(s: Any, key: str, office: str | None = None) -> Branch:
    branch = queries.branch(s, key, office)
    if branch is None:
        raise HTTPException(404, "no_branch")
    return branch


async def branch_page(request: Request) -> Response:
    key = request.path_params["key"]
    v = require(request, roles=("branch_head", "collector"))  # a branch is (office, key): the viewer's office
    require(request, branch=key, office=v.office)
    state = _app(request)
    from store.review import queue

    with state.store.session() as s:
        _branch_or_404(s, key, v.office)
        report = readiness(s, state.cfg, office=v.office)
        row = next(r for r in report["branches"] if r["branch"] == key)
        cut = dt.date.fromisoformat(row["cutover"]) if row["cutover"] else None
        chart = svg(burndown(s, dt.date.fromisoformat(report["as_of"]), cut, row["files_per_day"], branch=key,
                             finish=_date(row["projected_completion"]), zone=state.cfg.office.zone,
                             office=v.office),
                    labels=_labels(request))
        review = [queries.document_dict(d, state.cfg.archive) for d in queue(s, key, v.office)]
        rejected = [queries.document_dict(d, state.cfg.archive)
                    for d in queries.documents(s, branch=key, status="rejected", office=v.office)]
        register = queries.register_dicts(s, key, v.office)
    return render(request, "branch.html", row=row, report=report, chart=chart, review=review, rejected=rejected,
                   register=register, key=key)


async def assign(request: Request) -> Response:
    key = request.path_params["key"]
    v = require(request, roles=("branch_head", "collector"))
    require(request, branch=key, office=v.office)
    form = await check_csrf(request)
    doc_id = parse_id(str(form.get("doc_id", "")))
    state = _app(request)
    with case_errors(), state.store.session() as s:
        cases.assign_number(s, state.cfg, doc_id, str(form.get("file_number", "")), by=v.name, within=key,
                            within_office=v.office, address=client_address(request.scope))
    back = str(form.get("next", ""))
    return RedirectResponse(back if back == f"/document/{doc_id}" else f"/branch/{key}", 303)


async def outcomes(request: Request) -> Response:
    v = require(request)
    key = request.query_params.get("branch") if v.is_collector else v.branch
    if key is None:
        raise HTTPException(400, "which_branch")
    state = _app(request)
    with state.store.session() as s:
        docs = [queries.document_dict(d, state.cfg.archive)
                for st in ("done", "rejected", "duplicate")
                for d in queries.documents(s, branch=key, status=st, office=v.office or "")]
        b = queries.branch(s, key, v.office)
        branch = {"branch": key, "name_hi": b.name_hi, "name_en": b.name_en} if b else None
    docs.sort(key=lambda d: d["received_at"] or "", reverse=True)
    return render(request, "outcomes.html", docs=docs[:OUTCOMES_SHOWN], key=key, branch=branch)


async def search_page(request: Request) -> Response:
    v = require(request)
    q = request.query_params.get("q", "").strip()
    hits: list[dict[str, Any]] = []
    error = None
    if q:
        from store.search.query import search

        with _app(request).store.session() as s:
            mine = None if v.offices is None else list(s.scalars(select(Office.id).where(Office.key.in_(v.offices))))
            try:
                found = search(s, q, branch=None if v.role in WIDE else v.branch, limit=50, office_ids=mine)
                seen = queries.visible(s, [h.id for h in found], v.offices, v.branch, v.office,
                                       wide=v.role in WIDE)
                hits = [h.as_dict() for h in found if h.id in seen]
                names = {i: (hi, en) for i, hi, en in s.execute(
                    select(Document.id, Branch.name_hi, Branch.name_en).join(Branch, Document.branch_id == Branch.id)
                    .where(Document.id.in_([h["id"] for h in hits])))}
                for h in hits:
                    hi, en = names.get(h["id"], (h["branch"], h["branch"]))
                    h.update(name_hi=hi, name_en=en)
            except ValueError as e:
                error = str(e)
    return render(request, "search.html", q=q, hits=hits, error=error)
