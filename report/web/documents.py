"""A document's page: its facts, the scan of each page (rendered from the archive by pdftoppm, cached on disk,
lazy-loaded) beside that page's text, thumbnails, its history in the office's time, and the assign form."""
from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import regex
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from report.i18n import local_time, t
from report.web.auth import check_csrf, require, viewer
from report.web.parse import parse_id
from report.web.render import language, render
from report.web.session_mw import client_address
from store import audit, parts, queries
from store.models import Document
from store.parts import PARTS

_EVENT_DETAILS = (  # the event details nasti itself writes, as catalog messages (anything else is shown as written)
    (regex.compile(r"^(?P<n>\d+) bytes$"), "ev_bytes"),
    (regex.compile(r"^(?P<n>\d+) pages, archived as (?P<path>.+)$"), "ev_archived"),
    (regex.compile(r"^review: (?P<rest>.*)$"), "ev_review"),
)


def event_detail(detail: str | None, lang: str) -> tuple[str, bool]:
    """(the detail in ``lang``, translated?)."""
    for pattern, key in _EVENT_DETAILS:
        m = pattern.match(detail or "")
        if m:
            return t(key, lang).format(**m.groupdict()), True
    return detail or "", False


SIZES = {"full": 110, "thumb": 18}  # dpi: a readable page beside its text; a thumbnail
RENDER_TIMEOUT = 60.0
_RENDERING = tuple(threading.Lock() for _ in range(32))  # striped by page: the same page is never drawn twice at once


def _document(request: Request, s: Any) -> Document:
    viewer(request)  # logged out: the login page, whatever the id
    doc = queries.document(s, parse_id(str(request.path_params["doc_id"])))
    if doc is None:
        raise HTTPException(404, "no_document")
    require(request, branch=doc.branch.key if doc.branch else "", office=doc.office.key)  # a branch is (office, key)
    return doc


async def document_page(request: Request) -> Response:
    state = request.app.state
    zone = state.cfg.office.zone
    with state.store.session() as s:
        doc = _document(request, s)
        data = queries.document_dict(doc, state.cfg.archive)
        data["original_name"] = Path(doc.source).name
        data["branch_hi"] = doc.branch.name_hi if doc.branch else ""
        data["branch_en"] = doc.branch.name_en if doc.branch else ""
        pages = [queries.page_dict(p) for p in doc.page_rows]
        lang = language(request)
        events = [{"at": local_time(e.at, zone), "from": e.from_state, "to": e.to_state,
                   "detail": event_detail(e.detail, lang), "actor": e.actor} for e in queries.events(s, doc.id)]
        may_assign = doc.status == "done" and viewer(request).role in ("branch_head", "collector")
        data["part"], data["sequence"] = doc.part, doc.sequence
    return render(request, "document.html", doc=data, pages=pages, events=events, may_assign=may_assign,
                  parts=PARTS,
                  scans=bool(doc.pdf_path), zone_name=state.cfg.office.timezone)


async def document_pdf(request: Request) -> Response:
    state = request.app.state
    with state.store.session() as s:
        doc = _document(request, s)
        path = Path(state.cfg.archive) / doc.pdf_path if doc.pdf_path else None
    if path is None or not path.exists():
        raise HTTPException(404, "no_pdf")
    return FileResponse(path, media_type="application/pdf", filename=path.name)


def _cached(pdf: Path, cache: Path, key: str, number: int, dpi: int) -> Path:
    """The page as a JPEG in the cache (rendered once; written to a temporary name, then renamed)."""
    from ocr import poppler

    out = cache / f"{key}-p{number}-{dpi}.jpg"
    if out.exists():
        return out
    with _RENDERING[hash(out.name) % len(_RENDERING)]:  # one drawing of a page at a time: the others wait for it
        if out.exists():
            return out
        cache.mkdir(parents=True, exist_ok=True)
        image = poppler.render(pdf, number - 1, dpi=dpi, timeout=RENDER_TIMEOUT)
        tmp = out.with_suffix(f".{os.getpid()}-{threading.get_ident()}.tmp")  # several servers may share the cache
        image.convert("L").save(tmp, "JPEG", quality=75, optimize=True)
        os.replace(tmp, out)
    return out


async def set_part(request: Request) -> Response:
    """/document/{id}/part (POST): a branch head or collector puts the document in a part of its physical file
    (Notes, Receipts, Issues, References) and gives its order there; recorded as an event and in the audit."""
    v = require(request, roles=("branch_head", "collector"))
    form = await check_csrf(request)
    state = request.app.state
    seq_text = str(form.get("sequence", "")).strip()
    sequence = parse_id(seq_text) if seq_text else None
    with state.store.session() as s:
        doc = _document(request, s)
        try:
            event = parts.set_part(s, doc.id, str(form.get("part", "")), sequence=sequence, actor=v.name)
        except parts.PartError as e:
            raise HTTPException(400, "bad_form") from e
        audit.record(s, "document_part", actor=v.name, address=client_address(request.scope), document_id=doc.id,
                     office_key=doc.office.key, detail={"change": event.detail})
    return RedirectResponse(f"/document/{doc.id}", 303)


async def page_image(request: Request) -> Response:
    """/document/{id}/page/{n}/{full|thumb}: the page as an image, from the archived searchable PDF."""
    size = request.path_params["size"]
    if size not in SIZES:
        raise HTTPException(404, "not_found")
    state = request.app.state
    with state.store.session() as s:
        doc = _document(request, s)
        number = parse_id(str(request.path_params["number"]))
        if number > max(doc.pages, len(doc.page_rows)):   # cover and divider sheets are pages of the PDF too
            raise HTTPException(404, "no_page")
        pdf = Path(state.cfg.archive) / doc.pdf_path if doc.pdf_path else None
        key = f"{doc.id}-{doc.sha256[:16]}"
    if pdf is None or not pdf.exists():
        raise HTTPException(404, "no_pdf")
    cache = Path(state.cfg.archive).parent / "cache" / "pages"
    try:
        path = await run_in_threadpool(_cached, pdf, cache, key, number, SIZES[size])
    except Exception as e:  # poppler could not draw it: a missing picture, not a crash
        raise HTTPException(404, "no_page") from e
    return FileResponse(path, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=86400"})
