"""Readiness rolled up: per office (as ``report.readiness`` computes it), per division (its offices, the
commissioner's own included) and for the state.

An office in this database is read from its documents (``report.readiness.readiness(office=KEY)``); an office
that keeps its own server (``office.remote``) is read from its latest readiness snapshot on or before the day
(``store.offices.latest_snapshots``), and is flagged ``stale`` when that snapshot was taken more than 48 h before
now, is of a day more than 2 days before the report's, or there is none.

A division's and the state's figures are the sums of their offices' (register files, digitised, documents, pages,
files today / in the week); their throughput is the summed week ÷ 7; their projected completion is the latest of
their offices' (none when an office with a register has no projection) — a division is only as ready as its
slowest office. ``counts`` says how many offices are on track / at risk / late / done / unknown / without a
register, each against the office's own cutover, and how many are stale.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.config import Config
from report.readiness import WINDOW_DAYS, Readiness, _branch, _total, readiness, readiness_many
from store import offices as store_offices
from store.models import Office, Snapshot, utcnow
from store.queries import BranchCounts

STALE_AFTER = dt.timedelta(hours=48)
SUMMED = ("register_files", "digitised_files", "documents", "pages", "rejected", "needs_review", "files_today",
          "files_week", "pages_week", "files_total")
COUNTED = ("on_track", "at_risk", "late", "done", "unknown", "no_register")


def _snapshot_rows(s: Session, cfg: Config, office: Office, as_of: dt.date) -> tuple[list[Readiness], dt.datetime
                                                                                     | None]:
    snaps = store_offices.latest_snapshots(s, office.id, as_of)
    rows = []
    for sn in snaps:
        c = BranchCounts(sn.branch, sn.name_hi, sn.name_en, sn.documents, sn.pages, 0, sn.files_total, sn.rejected,
                         0, 0, sn.needs_review, sn.register_files, sn.digitised_files)
        rows.append(_branch(c, (sn.files_today, 0, sn.files_week, sn.pages_week), sn.cutover or office.cutover,
                            as_of, cfg.office.at_risk_days))
    taken = min((sn.taken_at for sn in snaps), default=None)
    return rows, taken


def office_summary(s: Session, cfg: Config, office: Office, as_of: dt.date, now: dt.datetime | None = None,
                   with_branches: bool = False, local: dict[str, Any] | None = None) -> dict[str, Any]:
    """One office's readiness total (and its branches with ``with_branches``), from its documents or, for a
    remote office, its latest snapshot. ``local``: its readiness report, already computed."""
    now = now or utcnow()
    snapshot_at: dt.datetime | None = None
    if office.remote:
        rows, snapshot_at = _snapshot_rows(s, cfg, office, as_of)
        cut = office.cutover
        total = _total(rows, cut, as_of, cfg.office.at_risk_days, office.name_hi, office.name_en).as_dict()
        branches = [r.as_dict() for r in rows]
        day = s.scalar(select(Snapshot.day).where(Snapshot.office_id == office.id, Snapshot.day <= as_of)
                       .order_by(Snapshot.day.desc()).limit(1))
        # old figures sent again today are still old: the day they are of counts too
        stale = snapshot_at is None or now - snapshot_at > STALE_AFTER or day is None or \
            as_of - day > dt.timedelta(days=2)
    else:
        report = local or readiness(s, cfg, as_of=as_of, oldest=0, office=office.key)
        total, branches, stale = report["total"], report["branches"], False
        cut = dt.date.fromisoformat(report["cutover"]) if report["cutover"] else None
    out: dict[str, Any] = {
        "office": office.key, "name_hi": office.name_hi, "name_en": office.name_en, "kind": office.kind,
        "division": office.division.key if office.division else None,
        "cutover": cut.isoformat() if cut else None, "source": "snapshot" if office.remote else "local",
        "snapshot_at": snapshot_at.isoformat() if snapshot_at else None, "stale": stale,
        **{k: total[k] for k in SUMMED}, "files_per_day": total["files_per_day"],
        "remaining": max(total["register_files"] - total["digitised_files"], 0),
        "projected_completion": total["projected_completion"], "status": total["status"],
        "days_left": total["days_left"],
    }
    out["judged"] = "no_register" if not out["register_files"] else out["status"]
    if with_branches:
        out["branches"] = branches
    return out


def combine(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The sums of office summaries (a division's or the state's figures), with the latest projection and the
    counts of offices by status."""
    t: dict[str, Any] = {k: sum(r[k] for r in rows) for k in SUMMED}
    t["files_per_day"] = round(t["files_week"] / WINDOW_DAYS, 2)
    t["remaining"] = sum(r["remaining"] for r in rows)
    t["offices"] = len(rows)
    ends = [r["projected_completion"] for r in rows if r["register_files"] and r["status"] != "done"]
    t["projected_completion"] = max(ends) if ends and all(ends) else None
    t["counts"] = {k: sum(1 for r in rows if r["judged"] == k) for k in COUNTED}
    t["counts"]["stale"] = sum(1 for r in rows if r["stale"])
    return t


def rollup(s: Session, cfg: Config, as_of: dt.date | None = None, division: str | None = None,
           now: dt.datetime | None = None) -> dict[str, Any]:
    """The state roll-up (every division, then the offices in none), or one division's (``division``: its key).
    {as_of, divisions: [{division, name_hi, name_en, offices: [...], total}], total}."""
    as_of = as_of or dt.datetime.now(cfg.office.zone).date()
    now = now or utcnow()
    groups: dict[str | None, list[dict[str, Any]]] = {}
    names: dict[str | None, tuple[str, str]] = {None: ("संभाग रहित", "No division")}
    for d in store_offices.divisions(s):
        if division is None or d.key == division:
            groups[d.key] = []
            names[d.key] = (d.name_hi, d.name_en)
    if division is not None and division not in groups:
        raise store_offices.OfficeError(f"unknown division '{division}'")
    listed = store_offices.offices(s, division)
    local = readiness_many(s, cfg, [o for o in listed if not o.remote], as_of)
    for o in listed:
        key = o.division.key if o.division else None
        groups.setdefault(key, []).append(office_summary(s, cfg, o, as_of, now, local=local.get(o.key)))
    divisions = [{"division": key, "name_hi": names[key][0], "name_en": names[key][1], "offices": rows,
                  "total": combine(rows)} for key, rows in groups.items() if rows or key is not None]
    every = [r for d in divisions for r in d["offices"]]
    return {"as_of": as_of.isoformat(), "scope": "division" if division else "state", "division": division,
            "stale_after_hours": int(STALE_AFTER.total_seconds() // 3600), "divisions": divisions,
            "total": combine(every)}


def office_report(s: Session, cfg: Config, key: str, as_of: dt.date | None = None,
                  now: dt.datetime | None = None) -> dict[str, Any]:
    """One office with its branches (drill-down)."""
    o = next((o for o in store_offices.offices(s) if o.key == key), None)
    if o is None:
        raise store_offices.OfficeError(f"unknown office '{key}'")
    as_of = as_of or dt.datetime.now(cfg.office.zone).date()
    return {"as_of": as_of.isoformat(), "scope": "office", **office_summary(s, cfg, o, as_of, now, True)}
