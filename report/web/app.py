"""The Starlette application: server-side sessions, security headers, body limits, friendly errors, templates,
language, local assets (CSS and a Devanagari font), routes."""
from __future__ import annotations

import logging
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from common.config import Config
from report.i18n import LANGS
from report.web import admin, audit_page, covers, documents, rollup_views, views, workers_page
from report.web.auth import LoginRequired
from report.web.render import render, templates
from report.web.session_mw import ServerSessionMiddleware
from store.db import Store

HERE = Path(__file__).parent
FONT_CANDIDATES = ("/usr/share/fonts/truetype/noto/NotoSansDevanagari-Regular.ttf",
                   "/usr/share/fonts/truetype/lohit-devanagari/Lohit-Devanagari.ttf")
MAX_BODY = 21 * 1024 * 1024  # the largest request body read (a register upload is at most 20 MB)
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
log = logging.getLogger("nasti.web")


class SecurityHeaders:
    """Every response: CSP (no frames), nosniff, no referrer off-site; pages and PDFs are not cached. An unforeseen
    error becomes the friendly 500 page here (with these headers too), logged with its traceback."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        cacheable = path.startswith(("/static/", "/font/"))
        started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                extra = {b"content-security-policy": CSP.encode(), b"x-content-type-options": b"nosniff",
                         b"x-frame-options": b"DENY", b"referrer-policy": b"same-origin"}
                if not cacheable:
                    extra[b"cache-control"] = b"no-store"
                headers = [(k, v) for k, v in headers if not (k.lower() == b"cache-control" and not cacheable)]
                headers += [(k, v) for k, v in extra.items() if k not in names or k == b"cache-control"]
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception as exc:
            if started:
                raise
            response = await _server_error(Request(scope, receive), exc)
            await response(scope, receive, send_wrapper)


class BodyLimit:
    """A request body larger than MAX_BODY is refused (413) as soon as it is declared or seen, before it is read."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > MAX_BODY:  # the friendly page (the session is loaded by now)
            response = await _http_error(Request(scope, receive), HTTPException(413, "too_large"))
            await response(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > MAX_BODY:
                raise HTTPException(413, "too_large")
            return message

        await self.app(scope, limited, send)


async def set_language(request: Request) -> Response:
    lang = request.path_params["lang"]
    if lang in LANGS:
        request.session["lang"] = lang
    back = request.headers.get("referer", "/")
    return RedirectResponse(back if back.startswith(str(request.base_url)) else "/", 303)


async def font(request: Request) -> Response:
    """A Devanagari font copied from the system fonts at runtime (no CDN: office LANs are often offline)."""
    for candidate in FONT_CANDIDATES:
        if Path(candidate).exists():
            return FileResponse(candidate, media_type="font/ttf", headers={"Cache-Control": "max-age=86400"})
    raise HTTPException(404, "no_font")


async def _login_required(request: Request, exc: Exception) -> Response:
    return RedirectResponse("/login", 303)


async def _http_error(request: Request, exc: Exception) -> Response:
    code = getattr(exc, "status_code", 500)
    return render(request, "error.html", status=code, code=code, detail=str(getattr(exc, "detail", "") or ""))


async def _server_error(request: Request, exc: Exception) -> Response:
    log.exception("dashboard error on %s", request.url.path, exc_info=exc)
    try:
        return render(request, "error.html", status=500, code=500, detail="")
    except Exception:  # the page itself failed: a plain bilingual line
        return Response("त्रुटि — कृपया पुनः प्रयास करें / Error — please try again", 500,
                        media_type="text/plain; charset=utf-8")


async def _not_found(request: Request) -> Response:
    raise HTTPException(404, "not_found")


def create_app(cfg: Config, store: Store | None = None) -> Starlette:
    store = store or Store(cfg.store_url)
    routes = [
        Route("/", views.home),
        Route("/login", views.login_page, methods=["GET", "POST"]),
        Route("/logout", views.logout, methods=["POST"]),
        Route("/lang/{lang}", set_language),
        Route("/readiness", views.readiness_page),
        Route("/cutover", views.set_cutover, methods=["POST"]),
        Route("/branch/{key}", views.branch_page),
        Route("/branch/{key}/assign", views.assign, methods=["POST"]),
        Route("/branch/{key}/coversheets.pdf", covers.coversheets),
        Route("/outcomes", views.outcomes),
        Route("/search", views.search_page),
        Route("/document/{doc_id}", documents.document_page),
        Route("/document/{doc_id}/pdf", documents.document_pdf),
        Route("/document/{doc_id}/part", documents.set_part, methods=["POST"]),
        Route("/document/{doc_id}/page/{number}/{size}", documents.page_image),
        Route("/admin", admin.admin_page),
        Route("/admin/users", admin.add_user, methods=["POST"]),
        Route("/admin/users/change", admin.change_user, methods=["POST"]),
        Route("/admin/register", admin.import_register_upload, methods=["POST"]),
        Route("/audit", audit_page.audit_page),
        Route("/workers", workers_page.workers_page),
        *rollup_views.routes,
        Route("/font/devanagari.ttf", font),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes,
                    exception_handlers={LoginRequired: _login_required, HTTPException: _http_error,
                                        404: _http_error, 500: _server_error},
                    middleware=[Middleware(SecurityHeaders),
                                Middleware(ServerSessionMiddleware, store=store, secure=cfg.web_secure_cookie),
                                Middleware(BodyLimit)])
    app.state.cfg = cfg
    app.state.store = store
    app.state.templates = templates()
    return app
