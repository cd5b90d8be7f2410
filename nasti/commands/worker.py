"""`nasti worker` — a Celery OCR worker for ``[queue] backend = "celery"`` (workers/): one process per core, each
reading one batch of pages at a time from the shared share into the shared archive's staging. It never migrates.
`nasti worker status [--json]` — what the workers do, read from the database (store/workerstatus.py)."""
from __future__ import annotations

import os
from typing import Annotated

import typer

from nasti.app import app, err, load_config, open_store, out, print_json

worker_app = typer.Typer(invoke_without_command=True, help="OCR workers (queue backend \"celery\").")
app.add_typer(worker_app, name="worker")


@worker_app.callback()
def worker(ctx: typer.Context,
           concurrency: Annotated[int, typer.Option(min=0, help="worker processes (0: one per core)")] = 0,
           loglevel: Annotated[str, typer.Option(help="debug, info, warning or error")] = "info") -> None:
    """Read OCR page batches for the watcher (queue backend "celery"): run one on each worker machine.
    `nasti worker status` shows what the workers do."""
    if ctx.invoked_subcommand is not None:
        return
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


@worker_app.command("status")
def status(as_json: Annotated[bool, typer.Option("--json", help="one JSON object, for scripts")] = False) -> None:
    """Per worker machine and process: batches being read (document, pages, since, lease left), done in the last
    hour, pages per minute; batches waiting; rejected and failed batches with their reason."""
    from report.i18n import local_time, t
    from store.workerstatus import worker_status

    cfg = load_config()
    with open_store(cfg).session() as s:
        st = worker_status(s)
    if as_json:
        print_json(st.to_json())
        return
    zone, lang = cfg.office.zone, cfg.office.language

    def both(key: str, **kw: object) -> str:   # Hindi first, then English
        return f"{t(key, 'hi').format(**kw)} | {t(key, 'en').format(**kw)}"

    lines = [both("w_queued", batches=st.queued_batches, pages=st.queued_pages)]
    if not st.workers:
        lines.append(both("w_none"))
    for w in st.workers:
        lines.append(f"{w.machine} · {w.process}: {t('w_done_hour', lang)} {w.batches_hour}, "
                     f"{t('w_pages_hour', lang)} {w.pages_hour}, {t('w_ppm', lang)} {w.pages_per_minute:.1f}")
        for r in w.running:
            since = local_time(r.since, zone) if r.since else "—"
            lease = "—" if r.lease_left is None else f"{max(0.0, r.lease_left):.0f}"
            pages = t("w_pages", lang).format(first=r.first_page, last=r.last_page)
            lines.append(f"    #{r.document} {r.source} · {pages}"
                         f" · {t('w_read', lang).format(read=r.pages_read, total=r.last_page - r.first_page + 1)}"
                         f" · {t('w_since', lang).format(at=since)} · {t('w_lease', lang).format(seconds=lease)}")
        if not w.running:
            lines.append(f"    {t('w_idle', lang)}")
    if st.failed:
        lines.append(both("w_failed"))
    for f in st.failed:
        code = f.code if f.code in ("page_timeout", "batch_failed", "corrupt_pdf") else "other"
        lines.append(f"    {local_time(f.at, zone)} #{f.document} {f.source} "
                     f"{t('w_pages', lang).format(first=f.first_page, last=f.last_page)}: "
                     f"{t('w_state_' + f.state, lang)} — {both('w_code_' + code)} ({f.machine} · {f.process})")
    for line in lines:
        out.print(line, highlight=False, markup=False)
