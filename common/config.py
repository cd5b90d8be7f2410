"""Configuration: one TOML file, strict keys, every value type-checked at load, paths relative to the file's folder."""
from __future__ import annotations

import datetime as dt
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from common.config_schema import BRANCH_SPEC, SPEC, check_value
from common.text import nfc

DEFAULT_NAME = "config.toml"
DEFAULT_TIMEZONE = "Asia/Kolkata"


class ConfigError(Exception):
    """A configuration problem a person can fix; the message says what and where (every problem, on one line)."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or [message]


@dataclass(frozen=True)
class BranchConfig:
    key: str
    code: str
    name_hi: str
    name_en: str
    cutover: dt.date | None = None


@dataclass(frozen=True)
class OcrConfig:
    languages: str = "Devanagari"
    mode: str = "skip"              # skip | redo | force  (born-digital PDFs)
    page_timeout: float = 180.0     # seconds per page (rasterise + tesseract)
    workers: int = 0                # 0 = one per core
    dpi: int = 300                  # rasterisation of PDFs; default for images with no/absurd dpi
    psm: int = 3                    # tesseract page segmentation: 3 = automatic layout, 6 = one uniform block


@dataclass(frozen=True)
class WatchConfig:
    mode: str = "auto"              # auto | native | polling
    quiet_seconds: float = 3.0      # no events for this long ...
    recheck_seconds: float = 1.0    # ... and unchanged size+mtime on a second look this much later
    rescan_seconds: float = 300.0   # periodic full rescan of the share
    poll_interval: float = 2.0      # polling observer interval
    unknown_branch: str = "create"  # a folder with no [branches.X] entry: create | review


@dataclass(frozen=True)
class TagsConfig:
    fuzzy_threshold: float = 80.0   # rapidfuzz ratio 0-100: below it a file number matches no register file
    review_match_below: float = 90.0  # a fuzzy register match below this needs review (other digits: always)
    min_confidence: float = 60.0    # mean OCR confidence 0-100 below which a document needs review
    text_pages: int = 3             # file number, subject and date are read from the first N pages


@dataclass(frozen=True)
class LimitsConfig:
    max_file_mb: int = 2048
    max_pixels: int = 200_000_000   # per page; a 40k x 40k image is refused
    max_pages: int = 5000


@dataclass(frozen=True)
class OfficeConfig:
    name_hi: str = "कलेक्टर कार्यालय"
    name_en: str = "Collectorate"
    cutover: dt.date | None = None
    language: str = "hi"
    at_risk_days: int = 14          # a projected finish within this many days of the cutover is "at risk"
    timezone: str = DEFAULT_TIMEZONE  # days, "today" and log times are in the office's zone

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class ExportConfig:
    volume_mb: float = 20.0         # eOffice upload volumes stay under this size
    dpi: int = 200                  # page images are re-encoded at this resolution for upload (archive keeps 300)


@dataclass(frozen=True)
class QueueConfig:
    backend: str = "local"          # local: this machine's process pool | celery: workers/ (Redis + PostgreSQL)
    url: str = "redis://127.0.0.1:6379/0"   # the broker (celery only); messages carry ids, the database is the truth
    batch_pages: int = 8            # pages per task: a task stays far below the broker's visibility timeout
    requeue_seconds: float = 60.0   # a batch queued this long with no taker is sent again (a lost message)
    batch_seconds: float = 0.0      # a batch's time limit (0: 3 × page_timeout per page + 10 s)


@dataclass(frozen=True)
class LogConfig:
    file: Path | None = None        # also log to this file (rotated); None: stderr only
    level: str = "info"             # debug | info | warning | error
    max_mb: float = 10.0            # rotate the file at this size ...
    backups: int = 10               # ... keeping this many old files


@dataclass(frozen=True)
class Config:
    path: Path | None
    share: Path
    store_url: str
    archive: Path
    ocr: OcrConfig = field(default_factory=OcrConfig)
    watch: WatchConfig = field(default_factory=WatchConfig)
    limits: LimitsConfig = field(default_factory=LimitsConfig)
    tags: TagsConfig = field(default_factory=TagsConfig)
    office: OfficeConfig = field(default_factory=OfficeConfig)
    branches: dict[str, BranchConfig] = field(default_factory=dict)
    log: LogConfig = field(default_factory=LogConfig)
    export: ExportConfig = field(default_factory=ExportConfig)
    queue: QueueConfig = field(default_factory=QueueConfig)
    share_create: bool = False      # [share] create: make a missing share folder (demo / a local folder)
    share_require_mount: bool = False  # [share] require_mount: the share must be a mount point (SMB/NFS)
    share_per_office: bool = False  # [share] per_office: share/<office key>/<branch>/… (many offices, one share)
    web_secure_cookie: bool = False  # [web] secure_cookie: the session cookie is sent over HTTPS only
    web_trusted_proxies: tuple[str, ...] = ()  # [web] trusted_proxies: addresses whose X-Forwarded-For is believed

    @property
    def base(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    def branch(self, key: str) -> BranchConfig:
        key = nfc(key)
        return self.branches.get(key) or BranchConfig(key=key, code=key.upper()[:8], name_hi=key, name_en=key)


def _check(data: dict[str, Any], src: Path | None) -> None:
    """Every section, key and value against config_schema; all problems are reported at once, each naming its key."""
    where = f" in {src}" if src else ""
    problems: list[str] = []

    def value(key: str, check: Any, v: Any) -> None:
        problem = check_value(check, v)
        if problem:
            problems.append(f"config key '{key}'{where} is {v!r}; {problem}")

    for section, body in data.items():
        if section not in SPEC:
            problems.append(f"unknown config key '{section}'{where}; known sections: {', '.join(sorted(SPEC))}")
        elif not isinstance(body, dict):
            problems.append(f"config key '{section}'{where} must be a [{section}] table")
        elif section == "branches":
            for bkey, bbody in body.items():
                if not isinstance(bbody, dict):
                    problems.append(f"config key 'branches.{bkey}'{where} must be a table")
                    continue
                for k, v in bbody.items():
                    if k not in BRANCH_SPEC:
                        problems.append(f"unknown config key 'branches.{bkey}.{k}'{where}; known: "
                                        f"{', '.join(sorted(BRANCH_SPEC))}")
                    else:
                        value(f"branches.{bkey}.{k}", BRANCH_SPEC[k], v)
        else:
            for k, v in body.items():
                if k not in SPEC[section]:
                    problems.append(f"unknown config key '{section}.{k}'{where}; known: "
                                    f"{', '.join(sorted(SPEC[section]))}")
                else:
                    value(f"{section}.{k}", SPEC[section][k], v)
    if len(problems) == 1:
        raise ConfigError(problems[0])
    if problems:
        raise ConfigError(f"{len(problems)} config problems: " + " | ".join(problems), problems)


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))  # already checked by config_schema


def _resolve(base: Path, value: str) -> Path:
    p = Path(os.path.expanduser(value))
    return p if p.is_absolute() else (base / p).resolve()


def _store_url(base: Path, url: str) -> str:
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != "sqlite:///:memory:":
        return prefix + str(_resolve(base, url[len(prefix):]))
    return url


def find_config_path(explicit: str | None) -> Path | None:
    if explicit:
        return Path(explicit)
    env = os.environ.get("NASTI_CONFIG")
    if env:
        return Path(env)
    cwd = Path.cwd() / DEFAULT_NAME
    return cwd if cwd.exists() else None


def not_found_message() -> str:
    cwd = Path.cwd() / DEFAULT_NAME
    return ("कॉन्फ़िगरेशन फ़ाइल नहीं मिली। --config PATH दें, NASTI_CONFIG में उसका पथ लिखें, या उस फ़ोल्डर से चलाएँ "
            "जिसमें config.toml है। / "
            f"no config file found: looked at --config (not given), $NASTI_CONFIG (not set) and {cwd} (absent). "
            "Fix: nasti --config /etc/nasti/config.toml …, or export NASTI_CONFIG=/etc/nasti/config.toml, or run "
            "nasti in the folder that holds config.toml (a fresh install: copy the repository's config.toml).")


def _quote_hint(path: Path, e: tomllib.TOMLDecodeError) -> str:
    """A bare key in Hindi ([branches.राजस्व]) is not TOML: say how to quote it."""
    import re

    m = re.search(r"at line (\d+)", str(e))
    lines = path.read_text(encoding="utf-8").splitlines()
    line = lines[int(m.group(1)) - 1] if m and 0 < int(m.group(1)) <= len(lines) else ""
    header = re.fullmatch(r"\s*\[\s*([A-Za-z0-9_-]+)\.([^\]\"]+?)\s*\]\s*(#.*)?", line)
    if header and not header.group(2).isascii():
        return f'; a key in Hindi needs quotes: [{header.group(1)}."{header.group(2)}"]'
    return ""


def _floats(body: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: (float(v) if k in keys else v) for k, v in body.items()}


def load(explicit: str | None = None) -> Config:
    """Load the config named on the command line, by NASTI_CONFIG, or ./config.toml; none of them is an error."""
    path = find_config_path(explicit)
    if path is None:
        raise ConfigError(not_found_message())
    if not path.exists():
        raise ConfigError(f"config file {path} does not exist")
    if path.is_dir():
        raise ConfigError(f"config file {path} is a folder; name the file in it, e.g. {path / DEFAULT_NAME}")
    try:  # utf-8-sig: Windows Notepad's "UTF-8 with BOM" too
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path} is not valid TOML: {e}{_quote_hint(path, e)}") from e
    except UnicodeDecodeError as e:
        raise ConfigError(f"config file {path} is not UTF-8 text (Notepad's 'Unicode' is UTF-16): save it again "
                          "as UTF-8") from e
    except OSError as e:
        raise ConfigError(f"cannot read config file {path}: {e.strerror or e}") from e
    path = path.resolve()
    _check(data, path)
    base = path.parent
    sec = lambda name: dict(data.get(name, {}))  # noqa: E731
    office, share, log = sec("office"), sec("share"), sec("log")
    if os.environ.get("NASTI_LOG_FILE"):  # one file per process when two services share a config (serve)
        log["file"] = os.environ["NASTI_LOG_FILE"]
    branches = {  # NFC keys, as nasti names share folders (बाढ़ typed with U+095D is share/बाढ़/)
        nfc(key): BranchConfig(key=nfc(key), code=str(b.get("code", key.upper()[:8])),
                               name_hi=str(b.get("name_hi", key)), name_en=str(b.get("name_en", key)),
                               cutover=_date(b.get("cutover")))
        for key, b in sec("branches").items()
    }
    cfg = Config(
        path=path,
        share=_resolve(base, share.get("path", "share")),
        share_create=bool(share.get("create", False)),
        share_require_mount=bool(share.get("require_mount", False)),
        share_per_office=bool(share.get("per_office", False)),
        web_secure_cookie=bool(sec("web").get("secure_cookie", False)),
        web_trusted_proxies=tuple(str(a) for a in sec("web").get("trusted_proxies", [])),
        store_url=_store_url(base, sec("store").get("url", "sqlite:///var/nasti.db")),
        archive=_resolve(base, sec("archive").get("path", "var/archive")),
        ocr=OcrConfig(**_floats(sec("ocr"), "page_timeout")),
        watch=WatchConfig(**_floats(sec("watch"), "quiet_seconds", "recheck_seconds", "rescan_seconds",
                                    "poll_interval")),
        limits=LimitsConfig(**sec("limits")),
        tags=TagsConfig(**_floats(sec("tags"), "fuzzy_threshold", "review_match_below", "min_confidence")),
        office=OfficeConfig(**{**office, "cutover": _date(office.get("cutover"))}),
        branches=branches,
        log=LogConfig(**{**_floats(log, "max_mb"), "file": _resolve(base, log["file"]) if log.get("file") else None}),
        export=ExportConfig(**_floats(sec("export"), "volume_mb")),
        queue=QueueConfig(**_floats(sec("queue"), "requeue_seconds", "batch_seconds")),
    )
    _check_apart(cfg)
    return cfg


def _check_apart(cfg: Config) -> None:
    """Nothing nasti writes may be inside the share it watches (it would be taken as a drop: archived originals
    moved to _rejected/, the database or the log moved away), and the share may not be inside the archive."""
    share = cfg.share.resolve()
    mine = {"archive.path": cfg.archive, "log.file": cfg.log.file}
    if cfg.store_url.startswith("sqlite:///") and cfg.store_url != "sqlite:///:memory:":
        mine["store.url"] = Path(cfg.store_url[len("sqlite:///"):])
    problems = [f"config key '{key}' in {cfg.path} is {str(p)!r}, inside the share {share} that nasti watches; "
                "put it outside the share (e.g. var/ beside the config)"
                for key, p in mine.items() if p is not None and p.resolve().is_relative_to(share)]
    if share.is_relative_to(cfg.archive.resolve()) and not cfg.archive.resolve().is_relative_to(share):
        problems.append(f"config key 'archive.path' in {cfg.path} is {str(cfg.archive)!r}, which holds the share "
                        f"{share}; put the archive and the share side by side")
    if len(problems) == 1:
        raise ConfigError(problems[0])
    if problems:
        raise ConfigError(f"{len(problems)} config problems: " + " | ".join(problems), problems)
