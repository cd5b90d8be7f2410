"""The Starlette application: sessions, templates, language, local assets (CSS and a Devanagari font), routes."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from common.config import Config
from report.i18n import LANGS
from report.web import admin, covers, views
from report.web.auth import LoginRequired
from report.web.render import render, templates
from store.db import Store

HERE = Path(__file__).parent
FONT_CANDIDATES = ("/usr/share/fonts/truetype/noto/NotoSansDevanagari-Regular.ttf",
                   "/usr/share/fonts/truetype/lohit-devanagari/Lohit-Devanagari.ttf")


def _secret(cfg: Config) -> str:
    """NASTI_SECRET, else a random key kept (mode 0600) next to the archive so sessions survive a restart."""
    env = os.environ.get("NASTI_SECRET")
    if env:
        return env
    path = cfg.archive.parent / "session.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


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
    raise HTTPException(404, "no Devanagari font installed (apt install fonts-noto-core)")


async def _login_required(request: Request, exc: Exception) -> Response:
    return RedirectResponse("/login", 303)


async def _http_error(request: Request, exc: Exception) -> Response:
    code = getattr(exc, "status_code", 500)
    return render(request, "error.html", status=code, code=code, detail=getattr(exc, "detail", ""))


def create_app(cfg: Config, store: Store | None = None) -> Starlette:
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
        Route("/document/{doc_id:int}", views.document_page),
        Route("/document/{doc_id:int}/pdf", views.document_pdf),
        Route("/admin", admin.admin_page),
        Route("/admin/users", admin.add_user, methods=["POST"]),
        Route("/admin/register", admin.import_register_upload, methods=["POST"]),
        Route("/font/devanagari.ttf", font),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={LoginRequired: _login_required, HTTPException: _http_error},
                    middleware=[Middleware(SessionMiddleware, secret_key=_secret(cfg), session_cookie="nasti_session",
                                           same_site="lax", https_only=False, max_age=12 * 3600)])
    app.state.cfg = cfg
    app.state.store = store or Store(cfg.store_url)
    app.state.templates = templates()
    return app
