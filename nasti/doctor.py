"""`nasti doctor`: is this installation able to run? A list of check functions, each about one area.

Each check yields Findings (ok / warn / fail). The exit code is the code of the first area, in the order of AREAS,
that has a failure; warnings never fail. Other work (the queue, PostgreSQL, many machines) adds checks with
``@check("area")`` — and, for a new kind of problem, a new area with its own code.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from common.config import Config
from nasti.areas import AREAS

# area -> exit code (0 ok, 1 nasti itself failed, 2 bad usage or config: the codes every command uses)
PAGES_PER_FILE = 75          # a legacy file is 60-90 pages (DESIGN §1)
MB_PER_PAGE = 0.3            # original scan + searchable PDF, per page, as archived
MODELS = {"Devanagari": "tesseract-ocr-script-deva", "hin": "tesseract-ocr-hin", "eng": "tesseract-ocr-eng",
          "osd": "tesseract-ocr-osd"}


@dataclass(frozen=True)
class Finding:
    check: str
    area: str
    status: str            # ok | warn | fail
    message: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Context:
    cfg: Config
    quick: bool = False
    facts: dict[str, Any] = field(default_factory=dict)   # shared between checks (e.g. the schema state)


CheckFn = Callable[[Context], Iterable[Finding]]


@dataclass(frozen=True)
class Check:
    name: str
    area: str
    fn: CheckFn
    slow: bool = False


CHECKS: list[Check] = []


def check(area: str, *, name: str | None = None, slow: bool = False) -> Callable[[CheckFn], CheckFn]:
    """Register a check; ``slow`` ones are left out by ``doctor --quick`` (the service's start-up check)."""
    if area not in AREAS:
        raise ValueError(f"unknown doctor area {area!r}; add it to AREAS with an exit code")

    def register(fn: CheckFn) -> CheckFn:
        CHECKS.append(Check(name or fn.__name__.removeprefix("check_"), area, fn, slow))
        return fn
    return register


def run(cfg: Config, *, quick: bool = False) -> list[Finding]:
    ctx = Context(cfg, quick)
    found: list[Finding] = []
    for c in CHECKS:
        if quick and c.slow:
            continue
        try:
            found.extend(c.fn(ctx))
        except Exception as e:  # a check that breaks is itself a finding, never a crash of the doctor
            found.append(Finding(c.name, c.area, "fail", f"the check itself failed: {type(e).__name__}: {e}"))
    return found


def exit_code(findings: Iterable[Finding]) -> int:
    failed = {f.area for f in findings if f.status == "fail"}
    return next((code for area, code in AREAS.items() if area in failed), 0)


def as_json(findings: list[Finding]) -> dict[str, Any]:
    code = exit_code(findings)
    return {"ok": code == 0, "exit_code": code, "checks": [asdict(f) for f in findings]}


def _ok(name: str, area: str, message: str, **data: Any) -> Finding:
    return Finding(name, area, "ok", message, data)


def _warn(name: str, area: str, message: str, **data: Any) -> Finding:
    return Finding(name, area, "warn", message, data)


def _fail(name: str, area: str, message: str, **data: Any) -> Finding:
    return Finding(name, area, "fail", message, data)


# -- config ---------------------------------------------------------------------------------------------------------
@check("config")
def check_config(ctx: Context) -> Iterator[Finding]:
    """Types and ranges are checked at load (a config that loads has them right); here: values that load but hurt."""
    cfg = ctx.cfg
    yield _ok("config", "config", f"{cfg.path}: every key has the right type and range", path=str(cfg.path))
    cores = os.cpu_count() or 1
    if cfg.ocr.workers > cores:
        yield _warn("config", "config", f"[ocr] workers = {cfg.ocr.workers} but this machine has {cores} cores: "
                    "tesseract runs slower, not faster (0 = one per core)")
    if cfg.tags.review_match_below < cfg.tags.fuzzy_threshold:
        yield _warn("config", "config", f"[tags] review_match_below ({cfg.tags.review_match_below:g}) is below "
                    f"fuzzy_threshold ({cfg.tags.fuzzy_threshold:g}): weak register matches never go to review")
    if cfg.ocr.page_timeout < 30:
        yield _warn("config", "config", f"[ocr] page_timeout = {cfg.ocr.page_timeout:g} s: a dense 300-dpi page "
                    "can take longer on a busy machine")
    if cfg.office.cutover is None:
        yield _warn("config", "config", "[office] cutover is not set: readiness cannot project against a date")


# -- share ----------------------------------------------------------------------------------------------------------
@check("share")
def check_share(ctx: Context) -> Iterator[Finding]:
    from nasti.sharecheck import share_problem
    from watch_folder.mounts import fs_type, is_network

    cfg = ctx.cfg
    problem = share_problem(cfg, create=False)   # the doctor never creates anything
    if problem:
        yield _fail("share", "share", problem, path=str(cfg.share))
        return
    kind = fs_type(cfg.share) or "?"
    mount = "a mount point" if os.path.ismount(cfg.share) else "not a mount point"
    yield _ok("share", "share", f"{cfg.share} exists, readable and writable ({kind}, {mount})", path=str(cfg.share),
              fs_type=kind, mount=os.path.ismount(cfg.share))
    if is_network(cfg.share) and not cfg.share_require_mount:
        yield _warn("share", "share", "the share is a network mount but [share] require_mount is not set: if it "
                    "is ever unmounted nasti would not notice at start-up")


# -- OCR engines ----------------------------------------------------------------------------------------------------
def _first_line(cmd: list[str]) -> str | None:
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return ((r.stdout or "") + (r.stderr or "")).strip().splitlines()[0] if (r.stdout or r.stderr) else ""


@check("ocr")
def check_tesseract(ctx: Context) -> Iterator[Finding]:
    from ocr import tesseract
    from ocr.errors import EngineMissing

    try:
        version = tesseract.version()
        installed = tesseract.languages()
    except EngineMissing as e:
        yield _fail("tesseract", "ocr", e.detail)
        return
    yield _ok("tesseract", "ocr", f"tesseract {version}", version=version, models=sorted(installed))
    try:
        tesseract.check_languages(ctx.cfg.ocr.languages)
    except EngineMissing as e:
        yield _fail("tesseract", "ocr", f"[ocr] languages = {ctx.cfg.ocr.languages!r}: {e.detail}")
    prefix = os.environ.get("TESSDATA_PREFIX")
    where = (f"; TESSDATA_PREFIX={prefix} is set, so tesseract looks for models only there (unset it, or copy "
             "the models there)") if prefix else ""
    for model, package in MODELS.items():
        if model in installed:
            yield _ok("tesseract", "ocr", f"model {model} installed", model=model)
        else:  # osd turns sideways pages; the others are the models nasti measures and may pick ("auto")
            yield (_fail if model == "osd" else _warn)("tesseract", "ocr", f"model {model} not installed "
                                                       f"(apt-get install {package}){where}", model=model)


@check("ocr", slow=True)
def check_tesseract_reads(ctx: Context) -> Iterator[Finding]:
    """A real read of a rendered Hindi line with a file number: the model loads and keeps every digit."""
    from PIL import Image, ImageDraw, ImageFont

    from ocr import tesseract
    from ocr.errors import OcrError

    font_file = _first_line(["fc-match", "-f", "%{file}", "Noto Sans Devanagari"])
    if not font_file or not Path(font_file).is_file():
        yield _warn("ocr read", "ocr", "no Devanagari font to render a test line (apt-get install fonts-noto-core)")
        return
    img = Image.new("L", (1400, 160), 255)
    ImageDraw.Draw(img).text((40, 40), "राजस्व क्रमांक 2317/2019", font=ImageFont.truetype(font_file, 56), fill=0)
    installed = tesseract.languages()
    lang = next((m for m in ("Devanagari", "hin") if m in installed), None)
    if lang is None:  # the model check above names what is missing
        yield _fail("ocr read", "ocr", "no Hindi model (Devanagari or hin) to read a test line with; see above")
        return
    try:
        text = tesseract.recognise(img, lang, dpi=300, timeout=60).text
    except OcrError as e:
        yield _fail("ocr read", "ocr", f"tesseract could not read a test line with {lang}: {e.detail}")
        return
    if "2317/2019" in text.replace(" ", ""):
        yield _ok("ocr read", "ocr", f"tesseract ({lang}) read a Hindi test line with every digit")
    else:
        yield _warn("ocr read", "ocr", f"tesseract ({lang}) misread a test line: {text.strip()!r}")


@check("ocr")
def check_poppler(ctx: Context) -> Iterator[Finding]:
    from ocr import poppler
    from ocr.errors import EngineMissing

    for tool in poppler.TOOLS:
        try:
            v = poppler.version(tool)
        except EngineMissing as e:
            yield _fail("poppler", "ocr", f"{tool}: {e.detail}")
        else:
            yield _ok("poppler", "ocr", f"{tool} {v}", tool=tool, version=v)


# -- database -------------------------------------------------------------------------------------------------------
@check("database")
def check_database(ctx: Context) -> Iterator[Finding]:
    from sqlalchemy.engine import make_url

    from nasti.schema import explain, safe_url, schema_state
    from store.db import make_engine

    url = ctx.cfg.store_url
    shown = safe_url(url)
    if url.startswith("sqlite"):
        db = make_url(url).database or ""
        if db and db != ":memory:" and not Path(db).exists():
            parent = Path(db).parent
            usable = _writable_dir(parent)
            ctx.facts["schema"] = "new"
            yield (_warn if usable else _fail)("database", "database",
                                               f"no database yet at {db}: `nasti migrate` (or the first `nasti watch`"
                                               f") creates it" + ("" if usable else f"; but {parent} is not writable"))
            return
    engine = make_engine(url)
    try:
        st = schema_state(engine)
    except Exception as e:
        yield _fail("database", "database", f"cannot reach {shown}: {str(e).splitlines()[0]}")
        return
    finally:
        engine.dispose()
    ctx.facts["schema"] = st.state
    data = {"current": st.current, "head": st.head}
    if st.state == "current":
        yield _ok("database", "database", f"{shown} reachable, schema {st.current} (current)", **data)
    elif st.state == "new":
        yield _warn("database", "database", f"{shown} is empty: `nasti migrate` creates the schema", **data)
    else:
        yield _fail("database", "database", explain(st, url), **data)


@check("database", slow=True)
def check_archive_known(ctx: Context) -> Iterator[Finding]:
    """Every archive file is one the database knows (an empty or older database beside a full archive: a wrong
    [store] url, an old backup restored): `nasti watch`'s own check (nasti.vault.guard), same verdict, exit 5;
    ``_quarantine/`` and files in flight are not the archive proper. Counts only; `nasti fsck` lists them."""
    if ctx.facts.get("schema") not in ("current", "new"):
        return
    from nasti.vault import guard
    from nasti.vault.scan import References, references, walk

    archive = ctx.cfg.archive
    files = walk(archive)
    if ctx.facts["schema"] == "current":
        from nasti.schema import open_checked

        store = open_checked(ctx.cfg.store_url)
        try:
            refs = references(store)
        finally:
            store.close()
    else:                      # no database yet: nothing is known (and the doctor creates nothing)
        refs = References({}, frozenset(), frozenset(), 0, time.time())
    mismatch = guard.check(None, archive, refs, files)
    total, unknown = len(files.files), len(mismatch.unknown) if mismatch else 0
    if mismatch is None:
        yield _ok("archive vs database", "database", f"all {total} archive files are known to the database")
    elif not refs.paths:
        yield _fail("archive vs database", "database",
                    f"the database knows no archived document but the archive {archive} holds {unknown} files: is "
                    "[store] url the right database? Restore the latest backup (or rebuild the database from the "
                    "archive) before running nasti watch, which refuses to start (exit 5); never delete archive "
                    "files", unknown=unknown)
    else:
        yield _fail("archive vs database", "database",
                    f"{unknown} of {total} files in the archive are not known to the database: the database is "
                    "older than the archive (a restored or wrong database?); nasti watch refuses to start (exit 5). "
                    f"Restore the latest backup, or start with `nasti watch {guard.FLAG}` to re-attach them from "
                    "their metadata (nothing is deleted)", unknown=unknown)


# -- archive, disk, log ---------------------------------------------------------------------------------------------
def _writable_dir(path: Path) -> bool:
    """Can nasti create files in ``path`` (or create ``path`` under its nearest existing parent)?"""
    probe = path
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir():
        return False
    if probe != path:
        return os.access(probe, os.W_OK | os.X_OK)
    try:
        with tempfile.NamedTemporaryFile(dir=path, prefix=".nasti-doctor-"):
            return True
    except OSError:
        return False


def _pages_expected(ctx: Context) -> tuple[int, int] | None:
    """(register files not yet digitised, pages expected for them), when the database can say."""
    if ctx.facts.get("schema") != "current":
        return None
    from sqlalchemy import func, select

    from nasti.schema import open_checked
    from store.models import RegisterFile
    from store.queries import register_counts

    store = open_checked(ctx.cfg.store_url)
    try:
        with store.session() as s:
            counts = register_counts(s)
            registered = int(s.scalar(select(func.count(RegisterFile.id))) or 0)
    finally:
        store.close()
    if not registered:
        return None
    left = sum(max(c["register_files"] - c["digitised_files"], 0) for c in counts.values())
    return left, left * PAGES_PER_FILE


MIN_FREE_GB = 2.0            # below this even one large batch scan may not fit


def _free_gb(path: Path) -> float:
    while not path.exists():
        path = path.parent
    return shutil.disk_usage(path).free / 2**30


@check("storage")
def check_archive(ctx: Context) -> Iterator[Finding]:
    archive = ctx.cfg.archive
    if not _writable_dir(archive):
        yield _fail("archive", "storage", f"the archive {archive} is not writable by this user")
        return
    free_gb = _free_gb(archive)
    if free_gb < MIN_FREE_GB:
        yield _fail("archive", "storage", f"{archive}: only {free_gb:.1f} GB free; add disk space", free_gb=free_gb)
    else:
        yield _ok("archive", "storage", f"{archive} writable; {free_gb:.1f} GB free", free_gb=round(free_gb, 1))


@check("storage", slow=True)
def check_disk_estimate(ctx: Context) -> Iterator[Finding]:
    """Free space against the pages the register says are still to come (left out by --quick: a service that
    has weeks of space left should still start)."""
    expected = _pages_expected(ctx)
    if expected is None:
        yield _warn("disk", "storage", "no branch register imported yet (`nasti register import`): cannot estimate "
                    "the disk space the remaining files need")
        return
    free_gb = _free_gb(ctx.cfg.archive)
    files, pages = expected
    need_gb = pages * MB_PER_PAGE / 1024
    msg = (f"{files} register files not yet digitised × ~{PAGES_PER_FILE} pages × ~{MB_PER_PAGE} MB = "
           f"~{need_gb:.1f} GB needed, {free_gb:.1f} GB free")
    data = {"files_left": files, "pages_expected": pages, "need_gb": round(need_gb, 1), "free_gb": round(free_gb, 1)}
    if free_gb < need_gb:
        yield _fail("disk", "storage", msg + ": add disk space before scanning goes on", **data)
    elif free_gb < need_gb * 1.2 + 5:
        yield _warn("disk", "storage", msg + ": little headroom", **data)
    else:
        yield _ok("disk", "storage", msg, **data)


@check("storage")
def check_log_file(ctx: Context) -> Iterator[Finding]:
    log = ctx.cfg.log.file
    if log is None:
        yield _ok("log", "storage", "logging to stderr only (journald under systemd); [log] file adds a file")
    elif (log.exists() and os.access(log, os.W_OK)) or (not log.exists() and _writable_dir(log.parent)):
        yield _ok("log", "storage", f"log file {log} writable (rotated at {ctx.cfg.log.max_mb:g} MB, "
                  f"{ctx.cfg.log.backups} kept)")
    else:
        yield _fail("log", "storage", f"the log file {log} is not writable by this user")


@check("queue")
def check_queue(ctx: Context) -> Iterator[Finding]:
    """[queue] backend = "celery" (scale-out): the broker and the batches waiting (workers.health)."""
    from workers.health import queue_status

    level, message, data = queue_status(ctx.cfg)
    yield {"ok": _ok, "warn": _warn, "fail": _fail}[level]("queue", "queue", message, **data)
