"""`nasti serve [--host 127.0.0.1] [--port 8080]`: the bilingual dashboard for branch heads and the Collector."""
from __future__ import annotations

from typing import Annotated

import typer

from nasti.app import app, load_config, open_store, out


@app.command()
def serve(host: Annotated[str, typer.Option(help="address to listen on (0.0.0.0 for the office LAN)")] = "127.0.0.1",
          port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port")] = 8080) -> None:
    """Serve the dashboard: readiness, branch counts, review queue, search, documents (log in with `nasti user add`)."""
    import uvicorn

    from report.web.app import create_app

    cfg = load_config()
    web = create_app(cfg, open_store(cfg))
    out.print(f"nasti: dashboard on http://{host}:{port}/", highlight=False)
    # log_config=None: uvicorn's records go through nasti's handlers (one line each, office time, [log] file)
    uvicorn.run(web, host=host, port=port, log_level="info", proxy_headers=False, log_config=None)
