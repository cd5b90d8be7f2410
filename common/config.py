"""Configuration: one TOML file, strict keys, paths relative to the file's folder."""
from __future__ import annotations

import datetime as dt
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_NAME = "config.toml"


class ConfigError(Exception):
    """A configuration problem a person can fix; the message says what and where."""


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
    timezone: str = "Asia/Kolkata"  # the office's days ("today", the 7-day window) and the times it is shown

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as e:
            raise ConfigError(f"office.timezone '{self.timezone}' is not a time zone (e.g. Asia/Kolkata)") from e

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


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

    @property
    def base(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    def branch(self, key: str) -> BranchConfig:
        return self.branches.get(key) or BranchConfig(key=key, code=key.upper()[:8], name_hi=key, name_en=key)


_SECTIONS: dict[str, set[str]] = {
    "share": {"path"},
    "store": {"url"},
    "archive": {"path"},
    "ocr": {"languages", "mode", "page_timeout", "workers", "dpi", "psm"},
    "watch": {"mode", "quiet_seconds", "recheck_seconds", "rescan_seconds", "poll_interval",
              "unknown_branch"},
    "limits": {"max_file_mb", "max_pixels", "max_pages"},
    "tags": {"fuzzy_threshold", "review_match_below", "min_confidence", "text_pages"},
    "office": {"name_hi", "name_en", "cutover", "language", "at_risk_days", "timezone"},
    "branches": set(),
}
_BRANCH_KEYS = {"code", "name_hi", "name_en", "cutover"}
_CHOICES = {("ocr", "mode"): {"skip", "redo", "force"}, ("watch", "mode"): {"auto", "native", "polling"},
            ("watch", "unknown_branch"): {"create", "review"},
            ("office", "language"): {"hi", "en"}}


def _date(value: Any, where: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as e:
        raise ConfigError(f"{where}: '{value}' is not a date; write it as YYYY-MM-DD") from e


def _check_keys(data: dict[str, Any], src: Path | None) -> None:
    where = f" in {src}" if src else ""
    for section, body in data.items():
        if section not in _SECTIONS:
            raise ConfigError(f"unknown config key '{section}'{where}; known sections: {', '.join(sorted(_SECTIONS))}")
        if not isinstance(body, dict):
            raise ConfigError(f"config key '{section}'{where} must be a [{section}] table")
        if section == "branches":
            for bkey, bbody in body.items():
                if not isinstance(bbody, dict):
                    raise ConfigError(f"config key 'branches.{bkey}'{where} must be a table")
                for k in bbody:
                    if k not in _BRANCH_KEYS:
                        raise ConfigError(f"unknown config key 'branches.{bkey}.{k}'{where}")
            continue
        for k, v in body.items():
            if k not in _SECTIONS[section]:
                raise ConfigError(f"unknown config key '{section}.{k}'{where}")
            allowed = _CHOICES.get((section, k))
            if allowed and v not in allowed:
                choices = ", ".join(sorted(allowed))
                raise ConfigError(f"config key '{section}.{k}'{where} is '{v}'; use one of {choices}")


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


def load(explicit: str | None = None) -> Config:
    """Load the config named on the command line, by NASTI_CONFIG, or ./config.toml; else built-in defaults."""
    path = find_config_path(explicit)
    data: dict[str, Any] = {}
    if path is not None:
        if not path.exists():
            raise ConfigError(f"config file {path} does not exist")
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"{path} is not valid TOML: {e}") from e
        path = path.resolve()
    _check_keys(data, path)
    base = path.parent if path else Path.cwd()
    sec = lambda name: dict(data.get(name, {}))  # noqa: E731
    office = sec("office")
    branches = {
        key: BranchConfig(key=key, code=str(b.get("code", key.upper()[:8])), name_hi=str(b.get("name_hi", key)),
                          name_en=str(b.get("name_en", key)),
                          cutover=_date(b.get("cutover"), f"branches.{key}.cutover"))
        for key, b in sec("branches").items()
    }
    try:
        return Config(
            path=path,
            share=_resolve(base, sec("share").get("path", "share")),
            store_url=_store_url(base, sec("store").get("url", "sqlite:///var/nasti.db")),
            archive=_resolve(base, sec("archive").get("path", "var/archive")),
            ocr=OcrConfig(**sec("ocr")),
            watch=WatchConfig(**sec("watch")),
            limits=LimitsConfig(**sec("limits")),
            tags=TagsConfig(**sec("tags")),
            office=OfficeConfig(**{**office, "cutover": _date(office.get("cutover"), "office.cutover")}),
            branches=branches,
        )
    except TypeError as e:
        raise ConfigError(f"bad config value: {e}") from e
