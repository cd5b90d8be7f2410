"""Per-branch progress and readiness against the cutover date (DESIGN.md §3 `nasti readiness --json`).

Throughput is physical files done per day (store.progress.physical_file: a file scanned in several batches, or split
from one, counts once) over the trailing 7 days (today included, by ``document.done_at``; days and
"today" are the office's, ``[office] timezone``).
The projection divides the register files not yet digitised by that throughput; with no throughput there is no
projection (``projected_completion`` is null and the status is ``unknown`` unless the cutover has passed).
A branch with no register yet is ``no_register`` (never done or on track): its register_files is 0 and the
distinct file numbers of its done documents show as digitised_files; the total's remaining files are the sum of
the branches' (so the table, the total row and the burn-down agree).
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.config import Config
from store import progress, repo
from store.counts import tallies
from store.models import Office
from store.queries import BranchCounts, status_counts, status_counts_by_office

WINDOW_DAYS = 7
OLDEST_SHOWN = 5
_SEVERITY = ("done", "on_track", "no_register", "unknown", "at_risk", "late")


@dataclass
class Blockers:
    rejected: int = 0
    needs_review: int = 0
    not_scanned: int = 0
    not_scanned_oldest: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Readiness:
    branch: str
    name_hi: str
    name_en: str
    cutover: str | None
    register_files: int = 0
    digitised_files: int = 0
    documents: int = 0
    pages: int = 0
    blank_pages: int = 0
    pages_ocr: int = 0
    rejected: int = 0
    needs_review: int = 0
    duplicates: int = 0
    files_today: int = 0
    pages_today: int = 0
    files_week: int = 0
    pages_week: int = 0
    files_total: int = 0
    exported_files: int = 0          # physical files in an eOffice export (nasti export eoffice)
    files_per_day: float = 0.0
    pages_per_day: float = 0.0
    projected_completion: str | None = None
    status: str = "unknown"
    days_left: int | None = None
    blockers: Blockers = field(default_factory=Blockers)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def midnight(day: dt.date, zone: dt.tzinfo) -> dt.datetime:
    """The moment ``day`` begins in ``zone``."""
    return dt.datetime.combine(day, dt.time(), tzinfo=zone)


def _window(s: Session, as_of: dt.date, zone: dt.tzinfo, office: str | None = None,
            ) -> dict[str | None, tuple[int, int, int, int]]:
    """branch key → (files today, pages today, files in the trailing window, pages in it), done documents; days
    in ``zone``."""
    return progress.done_in_window(s, midnight(as_of, zone), midnight(as_of - dt.timedelta(days=WINDOW_DAYS - 1), zone),
                                   midnight(as_of + dt.timedelta(days=1), zone), office)


def _cutovers(s: Session, cfg: Config, office: str | None = None) -> tuple[dt.date | None, dict[str, dt.date | None]]:
    """The office cutover and each branch's own; a date set in the database (web) wins over the config (which
    speaks for this deployment's own office only)."""
    own = office in (None, repo.OFFICE)
    stored_cut, stored = progress.cutovers(s, office)
    office_cut = stored_cut or (cfg.office.cutover if own else None)
    per: dict[str, dt.date | None] = {k: b.cutover for k, b in cfg.branches.items()} if own else {}
    for key, cut in stored.items():
        per[key] = cut or per.get(key)
    return office_cut, {k: v or office_cut for k, v in per.items()}


def classify(remaining: int, register_files: int, per_day: float, as_of: dt.date, cutover: dt.date | None,
             at_risk_days: int) -> tuple[str, str | None, int | None]:
    """(status, projected completion ISO date or None, days left)."""
    days_left = (cutover - as_of).days if cutover else None
    if not register_files:
        return "no_register", None, days_left
    if remaining <= 0:
        return "done", as_of.isoformat(), days_left
    projected = as_of + dt.timedelta(days=math.ceil(remaining / per_day)) if per_day > 0 and remaining else None
    if cutover is None:
        return "unknown", projected.isoformat() if projected else None, days_left
    if as_of > cutover:
        return "late", projected.isoformat() if projected else None, days_left
    if projected is None:
        return "unknown", None, days_left
    if projected > cutover:
        status = "late"
    elif (cutover - projected).days < at_risk_days:
        status = "at_risk"
    else:
        status = "on_track"
    return status, projected.isoformat(), days_left


def _branch(c: BranchCounts, win: tuple[int, int, int, int], cutover: dt.date | None, as_of: dt.date,
            at_risk_days: int, has_register: bool = True, files_total: int | None = None) -> Readiness:
    r = Readiness(branch=c.branch, name_hi=c.name_hi, name_en=c.name_en,
                  cutover=cutover.isoformat() if cutover else None,
                  register_files=c.register_files if has_register else 0,
                  digitised_files=c.digitised_files, documents=c.documents, pages=c.pages,
                  blank_pages=c.blank_pages, pages_ocr=c.pages - c.blank_pages, rejected=c.rejected,
                  needs_review=c.needs_review, duplicates=c.duplicate,
                  files_total=c.done if files_total is None else files_total)
    r.files_today, r.pages_today, r.files_week, r.pages_week = win
    r.files_per_day = round(r.files_week / WINDOW_DAYS, 2)
    r.pages_per_day = round(r.pages_week / WINDOW_DAYS, 2)
    remaining = max(r.register_files - r.digitised_files, 0)
    r.status, r.projected_completion, r.days_left = classify(remaining, r.register_files, r.files_week / WINDOW_DAYS,
                                                             as_of, cutover, at_risk_days)
    r.blockers = Blockers(rejected=r.rejected, needs_review=r.needs_review, not_scanned=remaining)
    return r


_SUMMED = ("register_files", "digitised_files", "documents", "pages", "blank_pages", "pages_ocr", "rejected",
           "needs_review", "duplicates", "files_today", "pages_today", "files_week", "pages_week", "files_total",
           "exported_files")


def _total(rows: list[Readiness], cutover: dt.date | None, as_of: dt.date, at_risk_days: int, name_hi: str,
           name_en: str) -> Readiness:
    t = Readiness(branch="total", name_hi=name_hi, name_en=name_en, cutover=cutover.isoformat() if cutover else None)
    for key in _SUMMED:
        setattr(t, key, sum(getattr(r, key) for r in rows))
    t.files_per_day = round(t.files_week / WINDOW_DAYS, 2)
    t.pages_per_day = round(t.pages_week / WINDOW_DAYS, 2)
    remaining = sum(r.blockers.not_scanned for r in rows)
    t.status, t.projected_completion, t.days_left = classify(remaining, t.register_files, t.files_week / WINDOW_DAYS,
                                                             as_of, cutover, at_risk_days)
    # the office is only as ready as its worst branch (a branch with no register yet cannot be judged)
    judged = [r for r in rows if r.register_files]
    worst = max((r.status for r in judged), key=_SEVERITY.index, default=t.status)
    t.status = max(t.status, worst, key=_SEVERITY.index)
    ends = [r.projected_completion for r in judged if r.status != "done"]
    if ends and all(ends):
        t.projected_completion = max(e for e in ends if e)
    t.blockers = Blockers(rejected=t.rejected, needs_review=t.needs_review, not_scanned=remaining)
    return t


def _registered(s: Session, office: str | None = None) -> dict[int, set[str]]:
    """office id → keys of its branches that have a register (a branch without one cannot be judged); of one
    office when ``office`` names it. Read from the summary counts (store.counts)."""
    out: dict[int, set[str]] = {}
    for t in tallies(s, office):
        if t.branch_id and t.register_files:
            out.setdefault(t.office_id, set()).add(t.key)
    return out


def readiness(s: Session, cfg: Config, as_of: dt.date | None = None, oldest: int = OLDEST_SHOWN,
              office: str | None = None) -> dict[str, Any]:
    """The readiness report of one office (``office``: its key; default this deployment's own, named by the
    config): office, cutover, as_of, branches (configured ones with no documents too), total. Only that office's
    branches count: a branch is (office, key)."""
    zone = cfg.office.zone
    as_of = as_of or dt.datetime.now(zone).date()
    key = office or repo.OFFICE
    own = key == repo.OFFICE
    row = s.scalar(select(Office).where(Office.key == key))
    name_hi = cfg.office.name_hi if own or row is None else row.name_hi
    name_en = cfg.office.name_en if own or row is None else row.name_en
    office_cut, cutovers = _cutovers(s, cfg, key)
    counts = {c.branch: c for c in status_counts(s, key) if c.branch != "(share root)"}
    win = _window(s, as_of, zone, key)
    oldest_files = progress.not_digitised(s, oldest, key) if oldest else {}
    return _assemble(cfg, own, name_hi, name_en, office_cut, cutovers, counts, win, oldest_files, as_of,
                     progress.exported_files(s, key), _registered(s, key).get(row.id, set()) if row else set(),
                     progress.files_done(s, key))


def readiness_many(s: Session, cfg: Config, offices: list[Office], as_of: dt.date) -> dict[str, dict[str, Any]]:
    """``readiness(office=KEY, oldest=0)`` of each of ``offices``, computed in a few grouped queries over the
    whole database instead of a few per office (the division and state roll-ups)."""
    zone = cfg.office.zone
    counts_all = status_counts_by_office(s)
    win_all = progress.done_in_window_by_office(s, midnight(as_of, zone),
                                                midnight(as_of - dt.timedelta(days=WINDOW_DAYS - 1), zone),
                                                midnight(as_of + dt.timedelta(days=1), zone))
    cuts_all = progress.branch_cutovers(s)
    registered = _registered(s)
    files_all = progress.files_done_by_office(s)
    out = {}
    for o in offices:
        own = o.key == repo.OFFICE
        office_cut = o.cutover or (cfg.office.cutover if own else None)
        per: dict[str, dt.date | None] = {k: b.cutover for k, b in cfg.branches.items()} if own else {}
        for bkey, cut in cuts_all.get(o.id, {}).items():
            per[bkey] = cut or per.get(bkey)
        cutovers = {k: v or office_cut for k, v in per.items()}
        counts = {c.branch: c for c in counts_all.get(o.id, [])}
        out[o.key] = _assemble(cfg, own, cfg.office.name_hi if own else o.name_hi,
                               cfg.office.name_en if own else o.name_en, office_cut, cutovers, counts,
                               win_all.get(o.id, {}), {}, as_of, {}, registered.get(o.id, set()),
                               files_all.get(o.id, {}))
    return out


def _assemble(cfg: Config, own: bool, name_hi: str, name_en: str, office_cut: dt.date | None,
              cutovers: dict[str, dt.date | None], counts: dict[str, BranchCounts],
              win: dict[Any, tuple[int, int, int, int]],
              oldest_files: dict[str, list[dict[str, Any]]], as_of: dt.date,
              exported: dict[str, int], registered: set[str], files: dict[str, int]) -> dict[str, Any]:
    for bkey, b in (cfg.branches.items() if own else ()):
        counts.setdefault(bkey, BranchCounts(bkey, b.name_hi, b.name_en, 0, 0, 0, 0, 0, 0, 0, 0))
    rows = []
    for bkey in sorted(counts):
        r = _branch(counts[bkey], win.get(bkey, (0, 0, 0, 0)), cutovers.get(bkey, office_cut), as_of,
                    cfg.office.at_risk_days, bkey in registered, files.get(bkey, 0))
        r.exported_files = exported.get(bkey, 0)
        if r.blockers.not_scanned:
            r.blockers.not_scanned_oldest = oldest_files.get(bkey, [])
        rows.append(r)
    total = _total(rows, office_cut, as_of, cfg.office.at_risk_days, name_hi, name_en)
    return {"office": name_en, "office_hi": name_hi, "office_en": name_en,
            "cutover": office_cut.isoformat() if office_cut else None, "as_of": as_of.isoformat(),
            "at_risk_days": cfg.office.at_risk_days, "branches": [r.as_dict() for r in rows],
            "total": total.as_dict()}
