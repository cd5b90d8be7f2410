"""Per-branch counts read from the summary tables (migration 0013_counts), kept current by database triggers in the
same transaction as every change to a document or a register file: `nasti status`, readiness and the roll-ups
read a few rows per branch, however many documents there are.

``count_branch``: one row per branch (``office_id`` 0) and per office's share root (``branch_id`` 0).
``count_item``: per register file (``r``), file-number key (``k``), physical file (``f``) and eOffice folder (``e``)
the number of its documents done / awaiting review / at all. The full aggregations these replace stay in
``store.counts_check`` (the tests' oracle and ``check``, an fsck-style comparison).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, ColumnElement, Integer, MetaData, String, Table, and_, cast, exists, func, select
from sqlalchemy.orm import Session

from store.models import Branch, Office

__all__ = ["BranchTally", "count_branch", "count_item", "counted_digitised", "tallies"]

_meta = MetaData()
_COLS = ("documents", "pages", "blank_pages", "done", "rejected_open", "duplicates", "in_progress", "needs_review",
         "register_files", "digitised_files", "keys_done", "keys_ok", "files_done", "exported_files")
count_branch = Table("count_branch", _meta, Column("office_id", Integer, primary_key=True),
                     Column("branch_id", Integer, primary_key=True), *(Column(c, Integer) for c in _COLS))
count_item = Table("count_item", _meta, Column("kind", String(1), primary_key=True),
                   Column("branch_id", Integer, primary_key=True), Column("item", String(200), primary_key=True),
                   Column("done", Integer), Column("review", Integer), Column("n", Integer))


@dataclass(frozen=True)
class BranchTally:
    """One branch's (or, ``branch_id`` 0, one office's share root's) summary row."""

    branch_id: int
    office_id: int
    key: str
    name_hi: str
    name_en: str
    documents: int = 0
    pages: int = 0
    blank_pages: int = 0
    done: int = 0
    rejected_open: int = 0
    duplicates: int = 0
    in_progress: int = 0
    needs_review: int = 0
    register_files: int = 0
    digitised_files: int = 0
    keys_done: int = 0
    keys_ok: int = 0
    files_done: int = 0
    exported_files: int = 0

    @property
    def files(self) -> tuple[int, int]:
        """(register files, digitised): of the register; a branch without one counts the distinct file-number
        keys of its done documents (digitised: none of that key's documents awaits review)."""
        if self.register_files:
            return self.register_files, self.digitised_files
        return self.keys_done, self.keys_ok


def tallies(s: Session, office: str | None = None) -> list[BranchTally]:
    """Every branch (of the office ``office`` names) with its counts, by key; then the share-root rows (key
    ``""``, one per office that has documents outside a branch)."""
    cb = count_branch
    q = (select(Branch.id, Branch.office_id, Branch.key, Branch.name_hi, Branch.name_en,
                *(func.coalesce(cb.c[c], 0) for c in _COLS))
         .select_from(Branch).outerjoin(cb, and_(cb.c.office_id == 0, cb.c.branch_id == Branch.id))
         .order_by(Branch.key, Branch.id))
    root = (select(cb.c.branch_id, cb.c.office_id, *(cb.c[c] for c in _COLS))
            .where(cb.c.branch_id == 0, cb.c.office_id != 0))
    if office:
        mine = select(Office.id).where(Office.key == office).scalar_subquery()
        q = q.where(Branch.office_id == mine)
        root = root.where(cb.c.office_id == mine)
    out = [BranchTally(r[0], r[1], r[2], r[3], r[4], *(int(x or 0) for x in r[5:])) for r in s.execute(q)]
    out += [BranchTally(r[0], r[1], "", "", "", *(int(x or 0) for x in r[2:])) for r in s.execute(root)]
    return out


def counted_digitised(register_file_id: Any, branch_id: Any) -> ColumnElement[bool]:
    """``store.queries.digitised`` read from the tallies (a condition on a register file's id and branch columns):
    one index lookup instead of two scans of the done documents."""
    ci = count_item
    return exists().where(ci.c.kind == "r", ci.c.branch_id == branch_id,
                          ci.c.item == cast(register_file_id, String), ci.c.done > 0, ci.c.review == 0)
