"""A district's daily readiness snapshot: built from this deployment's own readiness (one row per branch), sent
to the state instance over HTTPS with the office's key (``POST /api/snapshot``), or written straight into a shared
database. Either way it is an upsert keyed (office, branch, day): sending twice is harmless."""
from __future__ import annotations

import datetime as dt
import ipaddress
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from sqlalchemy.orm import Session

from common.config import Config
from report.readiness import readiness
from store.models import utcnow
from store.offices import SNAPSHOT_FIELDS

ROW_FIELDS = ("branch", "name_hi", "name_en", "cutover", *SNAPSHOT_FIELDS)
MAX_BODY = 1024 * 1024


class PushError(RuntimeError):
    """The snapshot did not reach the state instance; the message says why."""


def payload(s: Session, cfg: Config, office: str, as_of: dt.date | None = None) -> dict[str, Any]:
    """{office, day, taken_at, branches: [{branch, names, cutover, counts…}]} of this deployment's own office,
    sent under the key ``office`` has at the state."""
    report = readiness(s, cfg, as_of=as_of, oldest=0)
    rows = [{k: r[k] for k in ROW_FIELDS} for r in report["branches"]]
    return {"office": office, "day": report["as_of"], "taken_at": utcnow().isoformat(), "branches": rows}


def _loopback(host: str | None) -> bool:
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def push(url: str, key: str, body: dict[str, Any], timeout: float = 30.0) -> dict[str, Any]:
    """POST the snapshot to ``url`` (the state dashboard's base URL); HTTPS only (plain HTTP to this machine
    itself is allowed, for a tunnel or a test). The server's JSON answer."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "https" and not (parts.scheme == "http" and _loopback(parts.hostname)):
        raise PushError(f"'{url}': the state instance must be reached over https://")
    target = url.rstrip("/") + "/api/snapshot"
    req = urllib.request.Request(target, data=json.dumps(body, ensure_ascii=False).encode(), method="POST",
                                 headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return dict(json.loads(resp.read(MAX_BODY)))
    except urllib.error.HTTPError as e:
        detail = e.read(2000).decode(errors="replace")
        raise PushError(f"the state instance refused the snapshot: HTTP {e.code} {detail}".strip()) from e
    except (urllib.error.URLError, TimeoutError, OSError) as e:
        raise PushError(f"cannot reach {target}: {getattr(e, 'reason', e)}") from e


def parse(body: dict[str, Any]) -> tuple[str, dt.date, dt.datetime, list[dict[str, Any]]]:
    """(office key, day, taken_at, rows) of a received snapshot; ValueError naming what is wrong."""
    office, day, taken, rows = body.get("office"), body.get("day"), body.get("taken_at"), body.get("branches")
    if not isinstance(office, str) or not office:
        raise ValueError("'office' must be the office key")
    if not isinstance(rows, list) or not all(isinstance(r, dict) and isinstance(r.get("branch"), str)
                                             and r["branch"] for r in rows):
        raise ValueError("'branches' must be a list of objects with a 'branch' key")
    try:
        when = dt.date.fromisoformat(str(day))
        at = dt.datetime.fromisoformat(str(taken))
    except ValueError as e:
        raise ValueError("'day' must be YYYY-MM-DD and 'taken_at' an ISO time") from e
    if when > dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1):   # a district is at most a day ahead of UTC
        raise ValueError(f"'day' {when.isoformat()} is in the future")
    for r in rows:
        for f in ("branch", "name_hi", "name_en"):   # as stored: up to 200 characters, no control characters
            v = r.get(f)
            if v is not None and (not isinstance(v, str) or not 0 < len(v) <= 200
                                  or any(c < " " or c == "\x7f" for c in v)):
                raise ValueError(f"'{f}' of a branch must be text of 1–200 characters")
        cut = r.get("cutover")
        try:
            if cut is not None and cut != "":
                dt.date.fromisoformat(cut if isinstance(cut, str) else "?")
        except ValueError as e:
            raise ValueError(f"'cutover' of branch '{r['branch']}' must be YYYY-MM-DD") from e
        for f in SNAPSHOT_FIELDS:
            v = r.get(f, 0)
            if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < 2**31:  # 32-bit columns (PostgreSQL)
                raise ValueError(f"'{f}' of branch '{r['branch']}' must be a whole number ≥ 0")
    return office, when, at if at.tzinfo else at.replace(tzinfo=dt.UTC), rows
