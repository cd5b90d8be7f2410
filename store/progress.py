"""Read-side queries for progress against the cutover: done documents in a window of days, the register files not
yet digitised (oldest first), the day each register file was digitised, and the cutover dates set in the database.

"Digitised" has one definition, :func:`store.queries.digitised`; days are whole ``[start, end)`` datetime bounds the
caller computes (report.readiness and report.burndown).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, String, case, cast, distinct, func, literal, select
from sqlalchemy.orm import Session

from store import repo
from store.counts import counted_digitised, tallies
from store.models import Branch, Document, Office, RegisterFile
from store.queries import digitised, office_ids

__all__ = ["branch_cutovers", "cutovers", "digitised_since", "done_in_window", "done_in_window_by_office",
           "exported_files", "files_done", "files_done_by_office", "not_digitised", "physical_file", "register_total"]


def physical_file() -> ColumnElement[str]:
    """Which physical file a document is of: its register file, else its file-number key, else itself. A file
    scanned in several batches (or split from one) is one file, however many documents it made."""
    return case((Document.register_file_id.is_not(None), literal("r:") + cast(Document.register_file_id, String)),
                (Document.file_number_key.is_not(None), literal("k:") + Document.file_number_key),
                else_=literal("d:") + cast(Document.id, String))


def done_in_window(s: Session, day0: dt.datetime, start: dt.datetime, end: dt.datetime, office: str | None = None,
                   ) -> dict[str | None, tuple[int, int, int, int]]:
    """branch key → (files done since ``day0``, their pages, files done in ``[start, end)``, their pages); of one
    office when ``office`` names it. Files are physical files (:func:`physical_file`), not documents."""
    today = Document.done_at >= day0
    file = physical_file()
    q = (select(Branch.key, func.count(distinct(case((today, file)))),
                func.sum(case((today, Document.pages), else_=0)),
                func.count(distinct(file)), func.coalesce(func.sum(Document.pages), 0))
         .join(Branch, Document.branch_id == Branch.id)
         .where(Document.status == "done", Document.done_at >= start, Document.done_at < end)
         .group_by(Branch.key))
    if office:
        q = q.where(Branch.office_id.in_(office_ids(office)))
    return {r[0]: tuple(int(x or 0) for x in r[1:]) for r in s.execute(q)}  # type: ignore[misc]


def done_in_window_by_office(s: Session, day0: dt.datetime, start: dt.datetime, end: dt.datetime,
                             ) -> dict[int, dict[str, tuple[int, int, int, int]]]:
    """Office id → ``done_in_window`` of that office, for every office in one query (the roll-up)."""
    today = Document.done_at >= day0
    file = physical_file()
    q = (select(Branch.office_id, Branch.key, func.count(distinct(case((today, file)))),
                func.sum(case((today, Document.pages), else_=0)), func.count(distinct(file)),
                func.coalesce(func.sum(Document.pages), 0))
         .join(Branch, Document.branch_id == Branch.id)
         .where(Document.status == "done", Document.done_at >= start, Document.done_at < end)
         .group_by(Branch.office_id, Branch.key))
    out: dict[int, dict[str, tuple[int, int, int, int]]] = {}
    for office_id, key, *nums in s.execute(q):
        out.setdefault(office_id, {})[key] = tuple(int(x or 0) for x in nums)  # type: ignore[assignment]
    return out


def branch_cutovers(s: Session) -> dict[int, dict[str, dt.date | None]]:
    """Office id → each branch's stored cutover."""
    out: dict[int, dict[str, dt.date | None]] = {}
    for office_id, key, cut in s.execute(select(Branch.office_id, Branch.key, Branch.cutover)):
        out.setdefault(office_id, {})[key] = cut
    return out


def files_done(s: Session, office: str | None = None) -> dict[str, int]:
    """branch key → physical files with a done document (ever); of one office (default: this deployment's own).
    Read from the summary tables (store.counts; the full count is store.counts_check.scan_files_done)."""
    return {t.key: t.files_done for t in tallies(s, office or repo.OFFICE) if t.branch_id and t.files_done}


def files_done_by_office(s: Session) -> dict[int, dict[str, int]]:
    """Office id → ``files_done`` of that office, for every office at once (the roll-up)."""
    out: dict[int, dict[str, int]] = {}
    for t in tallies(s):
        if t.branch_id and t.files_done:
            out.setdefault(t.office_id, {})[t.key] = t.files_done
    return out


def not_digitised(s: Session, limit: int, office: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """Per branch key: up to ``limit`` of its register files not digitised, oldest year first (unknown years
    last); one query."""
    rank = func.row_number().over(partition_by=RegisterFile.branch_id,
                                  order_by=(RegisterFile.year.is_(None), RegisterFile.year, RegisterFile.id))
    inner = (select(RegisterFile.branch_id, RegisterFile.file_number, RegisterFile.subject, RegisterFile.year,
                    RegisterFile.location, rank.label("rank"))
             .where(~counted_digitised(RegisterFile.id, RegisterFile.branch_id)))
    if office:   # inside: only that office's register files are ranked
        mine = select(Branch.id).where(Branch.office_id.in_(office_ids(office)))
        inner = inner.where(RegisterFile.branch_id.in_(mine))
    sub = inner.subquery()
    q = (select(Branch.key, sub.c.file_number, sub.c.subject, sub.c.year, sub.c.location)
         .join(Branch, Branch.id == sub.c.branch_id).where(sub.c.rank <= limit)
         .order_by(Branch.key, sub.c.rank))
    out: dict[str, list[dict[str, Any]]] = {}
    for key, number, subject, year, location in s.execute(q):
        out.setdefault(key, []).append({"file_number": number, "subject": subject, "year": year,
                                        "location": location})
    return out


def register_total(s: Session, branch: str | None = None, office: str | None = None) -> int:
    """Register files (of one branch; of one office)."""
    q = select(func.count(RegisterFile.id)).join(Branch, RegisterFile.branch_id == Branch.id)
    if branch:
        q = q.where(Branch.key == branch)
    if office:
        q = q.where(Branch.office_id.in_(office_ids(office)))
    return int(s.scalar(q) or 0)


def digitised_since(s: Session, branch: str | None = None, office: str | None = None) -> list[dt.datetime]:
    """When each digitised register file (of one branch; of one office) got its first done document
    (``done_at``), oldest first."""
    q = (select(func.min(Document.done_at)).join(Branch, Document.branch_id == Branch.id)
         .where(Document.status == "done", digitised(Document.register_file_id))
         .group_by(Document.register_file_id))
    if branch:
        q = q.where(Branch.key == branch)
    if office:
        q = q.where(Branch.office_id.in_(office_ids(office)))
    return sorted(t for t in s.scalars(q) if t is not None)


def cutovers(s: Session, office: str | None = None) -> tuple[dt.date | None, dict[str, dt.date | None]]:
    """The office's cutover and each of its branches', as stored (a date set on the dashboard, or synced from the
    config); ``office``: its key (default: this deployment's own)."""
    key = office or repo.OFFICE
    cut = s.scalar(select(Office.cutover).where(Office.key == key))
    return cut, {k: c for k, c in s.execute(select(Branch.key, Branch.cutover)
                                            .where(Branch.office_id.in_(office_ids(key))))}


def exported_files(s: Session, office: str | None = None) -> dict[str, int]:
    """branch key → physical files exported for eOffice (distinct ``fl-…`` folders its documents went into); of
    one office (default: this deployment's own). Read from the summary tables."""
    return {t.key: t.exported_files for t in tallies(s, office or repo.OFFICE) if t.branch_id and t.exported_files}
