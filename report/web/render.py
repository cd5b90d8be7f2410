"""Pages as HTML: the templates, the viewer's language, and one render call every handler uses."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import regex
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from report.i18n import LANGS, branch_name, ddmmyyyy, t
from report.web.auth import LoginRequired, csrf_token, viewer

TEMPLATES = Path(__file__).with_name("templates")


def templates() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


def marks(snippet: str) -> Markup:
    """A search snippet with its hits (``[`` … ``]``) as <mark>, everything else escaped."""
    return Markup(regex.sub(r"\[([^\[\]]+)\]", r"<mark>\1</mark>", str(escape(snippet))))


def language(request: Request) -> str:
    lang = request.session.get("lang") or request.app.state.cfg.office.language
    return lang if lang in LANGS else "hi"


def render(request: Request, name: str, status: int = 200, headers: dict[str, str] | None = None,
           **ctx: Any) -> HTMLResponse:
    lang = language(request)
    try:
        who = viewer(request)
    except LoginRequired:
        who = None
    env: Environment = request.app.state.templates
    html = env.get_template(name).render(
        request=request, lang=lang, t=lambda key: t(key, lang),
        kind=lambda k: t(k or "", lang), marks=marks,
        date=lambda v: ddmmyyyy(v, request.app.state.cfg.office.zone), bname=lambda r: branch_name(r, lang),
        csrf=csrf_token(request), viewer=who, cfg=request.app.state.cfg, **ctx)
    return HTMLResponse(html, status_code=status, headers=headers)
