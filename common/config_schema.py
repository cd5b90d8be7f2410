"""What each config key may hold: its type and range, checked at load so a mistake is named before anything runs."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Check = Callable[[Any], str | None]  # None when the value is fine; else what was expected


def text(nonempty: bool = True) -> Check:
    def check(v: Any) -> str | None:
        if not isinstance(v, str):
            return "expected text in quotes, e.g. \"…\""
        if nonempty and not v.strip():
            return "expected non-empty text"
        return None
    return check


def flag(v: Any) -> str | None:
    return None if isinstance(v, bool) else "expected true or false (no quotes)"


def number(lo: float | None = None, hi: float | None = None, *, whole: bool = False, above: bool = False,
           unit: str = "") -> Check:
    kind = "a whole number" if whole else "a number"
    bounds = []
    if lo is not None:
        bounds.append(f"{'>' if above else '≥'} {lo:g}")
    if hi is not None:
        bounds.append(f"≤ {hi:g}")
    expected = f"expected {kind}{' ' + ' and '.join(bounds) if bounds else ''}{' ' + unit if unit else ''} (no quotes)"

    def check(v: Any) -> str | None:
        if isinstance(v, bool) or not isinstance(v, int | float) or (whole and not isinstance(v, int)):
            return expected
        if v != v:  # nan: every comparison with a bound is false
            return expected
        if lo is not None and (v <= lo if above else v < lo):
            return expected
        if hi is not None and v > hi:
            return expected
        return None
    return check


def choice(*options: str) -> Check:
    def check(v: Any) -> str | None:
        return None if v in options else f"use one of {', '.join(sorted(options))}"
    return check


def date(v: Any) -> str | None:
    if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        return None
    if isinstance(v, str):
        try:
            dt.date.fromisoformat(v)
            return None
        except ValueError:
            pass
    return "not a date; write it as YYYY-MM-DD"


def timezone(v: Any) -> str | None:
    if not isinstance(v, str):
        return "expected a time zone name in quotes, e.g. \"Asia/Kolkata\""
    try:
        ZoneInfo(v)
        return None
    except (ZoneInfoNotFoundError, ValueError):
        return "not a known time zone; e.g. \"Asia/Kolkata\""


def store_url(v: Any) -> str | None:
    if not isinstance(v, str) or "://" not in v:
        return "expected a database URL, e.g. \"sqlite:///var/nasti.db\" or \"postgresql+psycopg://user@host/nasti\""
    if not v.startswith(("sqlite", "postgresql")):
        return "only sqlite:/// and postgresql+psycopg:// databases are supported"
    if v.startswith("sqlite") and not v.split("://", 1)[1].startswith("/"):
        return ("an SQLite URL has three slashes before a relative path (sqlite:///var/nasti.db), four before an "
                "absolute one (sqlite:////var/lib/nasti/nasti.db)")
    return None


SPEC: dict[str, dict[str, Check]] = {
    "share": {"path": text(), "create": flag, "require_mount": flag, "per_office": flag},
    "store": {"url": store_url},
    "archive": {"path": text()},
    "ocr": {"languages": text(), "mode": choice("skip", "redo", "force"),
            "page_timeout": number(0, 3600, above=True, unit="seconds"), "workers": number(0, 256, whole=True),
            "dpi": number(50, 1200, whole=True), "psm": number(0, 13, whole=True)},
    "watch": {"mode": choice("auto", "native", "polling"), "quiet_seconds": number(0, 3600, unit="seconds"),
              "recheck_seconds": number(0, 3600, unit="seconds"),
              "rescan_seconds": number(0, 86400, above=True, unit="seconds"),
              "poll_interval": number(0, 3600, above=True, unit="seconds"),
              "unknown_branch": choice("create", "review")},
    "limits": {"max_file_mb": number(0, above=True, whole=True), "max_pixels": number(0, above=True, whole=True),
               "max_pages": number(0, above=True, whole=True)},
    "tags": {"fuzzy_threshold": number(0, 100), "review_match_below": number(0, 100),
             "min_confidence": number(0, 100), "text_pages": number(1, whole=True)},
    "office": {"name_hi": text(), "name_en": text(), "cutover": date, "language": choice("hi", "en"),
               "at_risk_days": number(0, whole=True), "timezone": timezone},
    "log": {"file": text(), "level": choice("debug", "info", "warning", "error"),
            "max_mb": number(0, above=True, unit="MB"), "backups": number(0, 1000, whole=True)},
    "export": {"volume_mb": number(0, 10240, above=True, unit="MB"), "dpi": number(72, 600, whole=True)},
    "web": {"secure_cookie": flag},
    "queue": {"backend": choice("local", "celery"), "url": text(),
              "batch_pages": number(1, 64, whole=True), "requeue_seconds": number(1, 86400, unit="seconds"),
              "batch_seconds": number(0, 86400, unit="seconds")},
    "branches": {},
}
BRANCH_SPEC: dict[str, Check] = {"code": text(), "name_hi": text(), "name_en": text(), "cutover": date}


def check_value(check: Check, value: Any) -> str | None:
    return check(value)
