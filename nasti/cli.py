"""`nasti` — one console script, one sub-command per user job (the application and its shared parts: nasti.app)."""
from __future__ import annotations

import faulthandler
import signal
import sys
from typing import Annotated

import typer

from common.config import Config
from nasti.app import app, err, load_config, open_store, out, print_json, state


@app.command()
def watch(once: Annotated[bool, typer.Option("--once", help="process what is in the share now, then exit")] = False,
          wait: Annotated[bool, typer.Option("--wait", help="if another nasti watches the share, wait for it to "
                                                            "stop instead of exiting")] = False,
          accept_archive_mismatch: Annotated[bool, typer.Option(
              "--accept-archive-mismatch", help="start although the archive holds files the database does not "
              "know (exit 5 otherwise): re-attach them from their metadata, set the rest aside")] = False,
          ) -> None:
    """Watch the share and digitise every file dropped into a branch folder."""
    from nasti.service import run_watch

    cfg = load_config()
    code = run_watch(cfg, once=once, console=out, progress_console=err, wait=wait,
                     accept_archive_mismatch=accept_archive_mismatch)
    raise typer.Exit(code)


@app.command()
def documents(
    as_json: Annotated[bool, typer.Option("--json", help="a JSON array, for scripts")] = False,
    branch: Annotated[str | None, typer.Option("--branch", "-b", help="only this branch (its share folder name)")]
    = None,
    status: Annotated[str | None, typer.Option(help="only this status: received, processing, done, rejected, "
                                                    "duplicate or failed")] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="at most N documents")] = None,
    lang: Annotated[str, typer.Option("--lang", help="hi or en (default: [office] language)")] = "",
    office_key: Annotated[str | None, typer.Option("--office", help="only this office (its key; nasti office list)")]
    = None,
) -> None:
    """List documents: id, status (⚑ = needs review), branch, file, file number, pages, OCR confidence."""
    from nasti import views
    from nasti.commands._common import check_branch, check_office, check_status, pick_lang
    from store import queries

    cfg = load_config()
    check_status(status)
    lang = pick_lang(lang, cfg)
    store = open_store(cfg)
    with store.session() as s:
        branch, office = check_branch(s, cfg, branch), check_office(s, office_key)
        docs = [queries.document_dict(d, cfg.archive) for d in queries.documents(s, branch=branch, status=status,
                                                                                   limit=limit, office=office)]
    if as_json:
        print_json(docs)
    else:
        views.documents_table(out, docs, lang)


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
           lang: Annotated[str, typer.Option("--lang", help="hi or en (default: [office] language)")] = "",
           office_key: Annotated[str | None, typer.Option("--office", help="only this office's branches (its key)")]
           = None) -> None:
    """Per branch: documents, pages, blank, done, returned to clerks, duplicates, in progress, waiting for review."""
    from dataclasses import asdict

    from nasti import views
    from nasti.commands._common import check_office, pick_lang
    from store import queries

    cfg = load_config()
    lang = pick_lang(lang, cfg)
    store = open_store(cfg)
    from store.health import health

    with store.session() as s:
        rows = queries.status_counts(s, check_office(s, office_key))
        problems = health(s)
    if as_json:
        print_json([asdict(r) for r in rows])
    else:
        views.status_table(out, rows, lang)
        for h in problems:   # ingest's health lines: what holds documents back, and what to do
            out.print(f"! {h.hi}\n! {h.en}", style="yellow", highlight=False, markup=False)


@app.command()
def rejected(branch: Annotated[str | None, typer.Option("--branch", "-b", help="only this branch")] = None,
             as_json: Annotated[bool, typer.Option("--json")] = False,
             lang: Annotated[str, typer.Option("--lang", help="hi or en (default: [office] language)")] = "") -> None:
    """Files returned to the clerks (rejected or duplicate), with the reason in Hindi and English."""
    from nasti import views
    from nasti.commands._common import check_branch, pick_lang
    from store import queries

    cfg = load_config()
    lang = pick_lang(lang, cfg)
    store = open_store(cfg)
    with store.session() as s:
        branch = check_branch(s, cfg, branch)
        docs = [queries.document_dict(d, cfg.archive)
                for st in ("rejected", "duplicate") for d in queries.documents(s, branch=branch, status=st)]
    docs.sort(key=lambda d: d["id"])
    if as_json:
        print_json(docs)
    else:
        views.rejected_table(out, docs, lang)


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
    code = run_watch(cfg, once=True, console=out, progress_console=err, create_share=True)
    if code:
        raise typer.Exit(code)
    status(as_json=False, lang="")
    _demo_offices(cfg)


def _demo_offices(cfg: Config) -> None:
    """Seed the Gwalior and Chambal divisions' offices (snapshots, shifted dates) and print the state view."""
    import datetime as dt

    from nasti.commands.readiness import _print_rollup
    from nasti.samples.offices import seed_offices
    from report.rollup import rollup

    today = dt.datetime.now(cfg.office.zone).date()
    with open_store(cfg).session() as s:
        n = seed_offices(s, today)
    with open_store(cfg).session() as s:
        report = rollup(s, cfg, as_of=today)
    out.print(f"demo: {n} offices in 2 divisions (their snapshots); `nasti readiness --division gwalior-div`, "
              "`nasti ranking`", highlight=False)
    _print_rollup(report, cfg.office.language)


_GLOBAL_FLAGS = {"-v", "-vv", "-vvv", "--verbose", "-q", "--quiet"}


def _hoist_global_flags(argv: list[str]) -> list[str]:
    """`nasti watch -v` means `nasti -v watch`: the log flags work wherever they are written (before any `--`)."""
    end = argv.index("--") if "--" in argv else len(argv)
    flags = [a for a in argv[:end] if _is_log_flag(a)]
    return flags + [a for a in argv[:end] if not _is_log_flag(a)] + argv[end:]


def _is_log_flag(arg: str) -> bool:
    """-v, -vv, -q, and combined ones (-qv): only the letters v and q."""
    return arg in _GLOBAL_FLAGS or (len(arg) > 1 and arg[0] == "-" and set(arg[1:]) <= {"v", "q"})


def main() -> None:
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    faulthandler.register(signal.SIGUSR1, all_threads=True)  # `kill -USR1 PID` prints every thread's stack
    try:
        # click returns the code of a typer.Exit in this mode
        rc = app(args=_hoist_global_flags(sys.argv[1:]), prog_name="nasti", standalone_mode=False)
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
        err.print(f"nasti: {msg}", highlight=False, markup=False)
        if state.verbose:
            raise
        sys.exit(1)


from nasti.commands import (  # noqa: E402,F401
    audit,
    backup,
    fsck,
    readiness,
    rebuild,
    register,
    review,
    search,
    serve,
    user,
)

from nasti.commands import document, export  # noqa: E402,F401  # isort: skip  (eOffice: #17)
from nasti.commands import office, snapshot  # noqa: E402,F401  # isort: skip  (offices: #16)

from nasti.commands import worker  # noqa: E402,F401  # isort: skip  (scale-out: #15)

from nasti.commands import doctor, migrate  # noqa: E402,F401  # isort: skip  (ops: #18)

if __name__ == "__main__":
    main()

