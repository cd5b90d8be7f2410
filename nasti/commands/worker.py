"""`nasti worker` — a Celery OCR worker for ``[queue] backend = "celery"`` (workers/): one process per core, each
reading one batch of pages at a time from the shared share into the shared archive's staging. It never migrates."""
from __future__ import annotations

import os
from typing import Annotated

import typer

from nasti.app import app, err, load_config


@app.command()
def worker(concurrency: Annotated[int, typer.Option(min=0, help="worker processes (0: one per core)")] = 0,
           loglevel: Annotated[str, typer.Option(help="debug, info, warning or error")] = "info") -> None:
    """Read OCR page batches for the watcher (queue backend "celery"): run one on each worker machine."""
    from nasti.schema import SchemaError, open_checked
    from ocr import poppler, tesseract
    from ocr.errors import EngineMissing
    from ocr.pool import default_workers

    cfg = load_config()
    if cfg.queue.backend != "celery":
        err.print('nasti: [queue] backend is "local": the watcher reads the pages itself; set backend = "celery" '
                  "and url = the Redis URL to run workers", highlight=False, markup=False)
        raise typer.Exit(2)
    try:
        tesseract.version()
        tesseract.check_languages(cfg.ocr.languages)
        poppler.check()
    except EngineMissing as e:
        err.print(f"nasti: {e.detail}", highlight=False, markup=False)
        raise typer.Exit(1) from e
    try:
        open_checked(cfg.store_url, create=False).close()   # a worker never changes the schema
    except SchemaError as e:
        err.print(f"nasti: {e}", highlight=False, markup=False)
        raise typer.Exit(2) from e
    os.environ["OMP_THREAD_LIMIT"] = "1"
    from workers.app import make_app

    celery = make_app(cfg)
    celery.worker_main(["worker", f"--concurrency={concurrency or default_workers()}", "--pool=prefork",
                        f"--loglevel={loglevel.upper()}", "-Q", "nasti", "--without-gossip", "--without-mingle",
                        "--without-heartbeat",
                        "-n", f"nasti@{os.uname().nodename}.{os.getpid()}"])
