"""`nasti` — one console script, one sub-command per user job."""
from __future__ import annotations

import faulthandler
import json
import logging
import signal
import sys
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.logging import RichHandler

from nasti import config as configmod
from nasti.config import Config, ConfigError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="nasti (नस्ती): digitise legacy office files — watch the share, OCR Hindi + English, track.")
out = Console(soft_wrap=True)
err = Console(stderr=True)


class _State:
    config_path: str | None = None
    verbose: bool = False


state = _State()


@app.callback()
def _main(
    config: Annotated[str | None, typer.Option("--config", "-c", help="config file (default: $NASTI_CONFIG, "
                                                                         "./config.toml)")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="more log output")] = False,
) -> None:
    state.config_path, state.verbose = config, verbose
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, format="%(message)s",
                        handlers=[RichHandler(console=err, show_path=False, rich_tracebacks=False)])
    for noisy in ("watchdog", "alembic", "PIL", "pdf2image", "pytesseract", "pikepdf"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def load_config() -> Config:
    try:
        return configmod.load(state.config_path)
    except ConfigError as e:
        err.print(f"nasti: config error: {e}", highlight=False)
        raise typer.Exit(2) from e


def open_store(cfg: Config):  # -> store.db.Store
    from store.db import Store

    return Store(cfg.store_url)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


@app.command()
def watch(once: Annotated[bool, typer.Option("--once", help="process what is in the share now, then exit")] = False,
          accept_archive_mismatch: Annotated[bool, typer.Option(
              "--accept-archive-mismatch", help="start although the archive holds files the database does not "
              "know (exit 3 otherwise): re-attach them from their metadata, set the rest aside")] = False,
          ) -> None:
    """Watch the share and digitise every file dropped into a branch folder."""
    from nasti.service import run_watch

    cfg = load_config()
    code = run_watch(cfg, once=once, console=out, accept_archive_mismatch=accept_archive_mismatch)
    raise typer.Exit(code)


@app.command()
def documents(
    as_json: Annotated[bool, typer.Option("--json", help="JSON array (the contract of DESIGN.md §3)")] = False,
    branch: Annotated[str | None, typer.Option(help="only this branch")] = None,
    status: Annotated[str | None, typer.Option(help="only this status")] = None,
    limit: Annotated[int | None, typer.Option(help="at most N documents")] = None,
) -> None:
    """List documents."""
    from nasti import views
    from store import queries

    cfg = load_config()
    store = open_store(cfg)
    with store.session() as s:
        docs = [queries.document_dict(d, cfg.archive) for d in queries.documents(s, branch=branch, status=status,
                                                                                   limit=limit)]
    if as_json:
        print_json(docs)
    else:
        views.documents_table(out, docs)


@app.command()
def show(doc_id: Annotated[int, typer.Argument(metavar="ID")],
         as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """One document with its pages' text."""
    from nasti import views
    from store import queries

    cfg = load_config()
    store = open_store(cfg)
    with store.session() as s:
        doc = queries.document(s, doc_id)
        if doc is None:
            err.print(f"nasti: no document with id {doc_id}")
            raise typer.Exit(1)
        data = queries.document_dict(doc, cfg.archive)
        data["pages"] = [queries.page_dict(p) for p in doc.page_rows]
        data["page_count"] = doc.pages
    if as_json:
        print_json(data)
    else:
        views.document_panel(out, data)


@app.command()
def status(as_json: Annotated[bool, typer.Option("--json")] = False,
           lang: Annotated[str, typer.Option("--lang", help="hi or en")] = "") -> None:
    """Per-branch counts: documents, pages, done, rejected, duplicates, in progress."""
    from dataclasses import asdict

    from nasti import views
    from store import queries

    cfg = load_config()
    store = open_store(cfg)
    with store.session() as s:
        rows = queries.status_counts(s)
    if as_json:
        print_json([asdict(r) for r in rows])
    else:
        views.status_table(out, rows, lang or cfg.office.language)


@app.command()
def rejected(branch: Annotated[str | None, typer.Option(help="only this branch")] = None,
             as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Files returned to the clerks (rejected or duplicate), with the reason."""
    from nasti import views
    from store import queries

    cfg = load_config()
    store = open_store(cfg)
    with store.session() as s:
        docs = [queries.document_dict(d, cfg.archive)
                for st in ("rejected", "duplicate") for d in queries.documents(s, branch=branch, status=st)]
    docs.sort(key=lambda d: d["id"])
    if as_json:
        print_json(docs)
    else:
        views.rejected_table(out, docs)


@app.command()
def demo(seed: Annotated[int | None, typer.Option(help="vary the generated letters (default: new letters on "
                                                         "every run)")] = None) -> None:
    """Create a demo share of generated Hindi and English scans, digitise it, and print the status table."""
    from sqlalchemy import func, select

    from nasti.samples import demo_share
    from nasti.service import run_watch
    from store.models import Document

    cfg = load_config()
    if seed is None:  # a second run writes new letters, not duplicates of the first run's
        with open_store(cfg).session() as s:
            seed = int(s.scalar(select(func.count(Document.id))) or 0)
    made = demo_share(cfg.share, seed=seed)
    out.print(f"demo: {len(made)} scans written to {cfg.share}")
    code = run_watch(cfg, once=True, console=out)
    if code:
        raise typer.Exit(code)
    status(as_json=False, lang="")


def main() -> None:
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    faulthandler.register(signal.SIGUSR1, all_threads=True)  # `kill -USR1 PID` prints every thread's stack
    try:
        rc = app(standalone_mode=False)  # click returns the code of a typer.Exit in this mode
        sys.exit(rc if isinstance(rc, int) else 0)
    except typer.Exit as e:
        sys.exit(e.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        sys.exit(130)
    except Exception as e:
        if hasattr(e, "show") and isinstance(getattr(e, "exit_code", None), int):  # usage errors: exit 2
            e.show()
            sys.exit(e.exit_code)
        msg = str(e).splitlines()[0] if str(e) else type(e).__name__
        err.print(f"nasti: {msg}", highlight=False)
        if state.verbose:
            raise
        sys.exit(1)


from nasti.commands import backup, fsck, readiness, rebuild, register, review, search, serve, user  # noqa: E402,F401

if __name__ == "__main__":
    main()

