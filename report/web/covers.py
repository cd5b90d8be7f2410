"""The dashboard's one cover-sheet route: a branch head prints the cover sheets of the branch's register files
(``?all=1``: every file; default: the ones not yet digitised), with the divider sheets after them."""
from __future__ import annotations

import tempfile
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from report.coversheet import coversheets_pdf
from report.web.auth import OWN_OFFICE, require
from store import queries


async def coversheets(request: Request) -> Response:
    key = request.path_params["key"]
    v = require(request, roles=("branch_head", "collector"))
    office = v.office or OWN_OFFICE   # a branch is (office, key): the viewer's office's, never another's of that key
    require(request, branch=key, office=office)
    state = request.app.state
    every = request.query_params.get("all") == "1"

    def build() -> bytes | None:
        with state.store.session() as s, tempfile.TemporaryDirectory() as d:
            if queries.branch(s, key, office) is None:
                raise HTTPException(404, f"no branch '{key}'")
            out = Path(d) / "covers.pdf"
            return out.read_bytes() if coversheets_pdf(s, out, branch=key, only_unscanned=not every,
                                                          office=office) else None

    data = await run_in_threadpool(build)
    if data is None:
        raise HTTPException(404, "no register file to print a cover sheet for")
    return Response(data, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="coversheets-{key}.pdf"'})
