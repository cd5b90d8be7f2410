"""The full aggregations the summary tables (store.counts, migration 0013_counts) replaced: they read every document,
so they grow with the database. Kept as the oracle of the tests and for ``check`` (an fsck-style comparison of the
summaries against the rows: a difference means a change went around the triggers).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import case, distinct, func, select, text
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Session

from store import repo
from store.models import Branch, Document, Office, RegisterFile
from store.progress import physical_file
from store.queries import BranchCounts, digitised, office_ids, register_counts, status_counts, status_counts_by_office

__all__ = ["check", "one_snapshot", "recount", "scan_exported_files", "scan_files_done", "scan_register_counts",
           "scan_status_counts", "scan_status_counts_by_office"]


def _count(status: str) -> Any:
    return func.sum(case((Document.status == status, 1), else_=0))


def _branch_counts_query() -> Any:
    """Per branch: id, key, names, documents, pages, blank pages, done, open rejections, duplicates, in
    progress, awaiting review; then the office id."""
    count = _count
    return (select(Branch.id, Branch.key, Branch.name_hi, Branch.name_en, func.count(Document.id),
                   func.coalesce(func.sum(Document.pages), 0), func.coalesce(func.sum(Document.blank_pages), 0),
                   count("done"), func.sum(case(((Document.status == "rejected") & Document.resolved_by_id.is_(None),
                                                 1), else_=0)), count("duplicate"),
                   func.sum(case((Document.status.in_(("received", "processing")), 1), else_=0)),
                   func.sum(case((Document.needs_review.is_(True), 1), else_=0)), Branch.office_id)
            .select_from(Branch).outerjoin(Document, Document.branch_id == Branch.id)
            .group_by(Branch.id).order_by(Branch.key))


def scan_status_counts_by_office(s: Session) -> dict[int, list[BranchCounts]]:
    """Office id → its branches' counts (as ``status_counts`` of that office; no share-root row), in one pass
    over the database for every office (the roll-up)."""
    files = scan_register_counts(s)
    out: dict[int, list[BranchCounts]] = {}
    for r in s.execute(_branch_counts_query()):
        out.setdefault(r[-1], []).append(
            replace(BranchCounts(r[1], r[2], r[3], *(int(x or 0) for x in r[4:-1])), **files.get(r[0], {})))
    return out


def scan_status_counts(s: Session, office: str | None = None) -> list[BranchCounts]:
    """Per branch (of one office, when ``office`` names it): documents by state, pages, register files."""
    def count(status: str) -> Any:
        return func.sum(case((Document.status == status, 1), else_=0))

    q = (select(Branch.id, Branch.key, Branch.name_hi, Branch.name_en, func.count(Document.id),
                func.coalesce(func.sum(Document.pages), 0), func.coalesce(func.sum(Document.blank_pages), 0),
                count("done"), func.sum(case(((Document.status == "rejected") & Document.resolved_by_id.is_(None), 1),
                                             else_=0)), count("duplicate"),
                func.sum(case((Document.status.in_(("received", "processing")), 1), else_=0)),
                func.sum(case((Document.needs_review.is_(True), 1), else_=0)))
         .select_from(Branch).outerjoin(Document, Document.branch_id == Branch.id)
         .group_by(Branch.id).order_by(Branch.key))
    if office:
        q = q.where(Branch.office_id.in_(office_ids(office)))
    files = scan_register_counts(s, office)
    rows = [replace(BranchCounts(r[1], r[2], r[3], *(int(x or 0) for x in r[4:])), **files.get(r[0], {}))
            for r in s.execute(q)]
    top_q = (select(func.count(Document.id), func.sum(case(((Document.status == "rejected")
                                                          & Document.resolved_by_id.is_(None), 1), else_=0)))
             .where(Document.branch_id.is_(None)))
    if office:
        top_q = top_q.where(Document.office_id.in_(office_ids(office)))
    top = s.execute(top_q).one()
    if top[0]:
        rows.append(BranchCounts("(share root)", "(मुख्य फ़ोल्डर)", "(share root)", int(top[0]), 0, 0, 0,
                                 int(top[1] or 0), 0, 0, 0))
    return rows


def scan_register_counts(s: Session, office: str | None = None) -> dict[int, dict[str, int]]:
    """Per branch id: ``register_files`` and ``digitised_files``. A register file is digitised when a done
    document is matched to it and none of its documents awaits review. A branch with no register counts the
    distinct file-number keys of its done documents (digitised: no document with that key awaits review).
    ``office``: only that office's branches (branch keys repeat across offices)."""
    mine = Branch.office_id.in_(office_ids(office)) if office else sa_true()
    out: dict[int, dict[str, int]] = {}
    totals = s.execute(select(Branch.id, func.count(RegisterFile.id)).join(RegisterFile,
                       RegisterFile.branch_id == Branch.id).where(mine).group_by(Branch.id)).all()
    done = dict(s.execute(
        select(Branch.id, func.count(RegisterFile.id)).join(RegisterFile, RegisterFile.branch_id == Branch.id)
        .where(digitised(RegisterFile.id), mine).group_by(Branch.id)).all())
    for key, n in totals:
        out[key] = {"register_files": int(n), "digitised_files": int(done.get(key, 0))}
    bare = list(s.scalars(select(Branch.id).where(Branch.id.not_in(select(RegisterFile.branch_id)), mine)))
    if not bare:  # every branch has a register: skip the scan of done documents below
        return out
    # one pass, grouped per (branch, key): no per-document subquery (a correlated EXISTS made this quadratic)
    per_key = (select(Document.branch_id.label("branch_id"),
                      func.sum(case((Document.status == "done", 1), else_=0)).label("done"),
                      func.sum(case((Document.needs_review.is_(True), 1), else_=0)).label("review"))
               .where(Document.file_number_key.is_not(None), Document.branch_id.in_(bare))
               .group_by(Document.branch_id, Document.file_number_key).subquery())
    seen = s.execute(
        select(per_key.c.branch_id, func.count(), func.sum(case((per_key.c.review == 0, 1), else_=0)))
        .where(per_key.c.done > 0).group_by(per_key.c.branch_id)).all()
    for key, n, ok in seen:
        out[key] = {"register_files": int(n), "digitised_files": int(ok)}
    return out


def scan_files_done(s: Session, office: str | None = None) -> dict[str, int]:
    """branch key → physical files with a done document (ever); of one office (default: this deployment's own)."""
    q = (select(Branch.key, func.count(distinct(physical_file()))).join(Branch, Document.branch_id == Branch.id)
         .where(Document.status == "done", Branch.office_id.in_(office_ids(office or repo.OFFICE)))
         .group_by(Branch.key))
    return {k: int(n or 0) for k, n in s.execute(q)}


def scan_exported_files(s: Session, office: str | None = None) -> dict[str, int]:
    """branch key → distinct eOffice folders its documents went into; of one office (default: this one's own)."""
    q = (select(Branch.key, func.count(func.distinct(Document.exported_as)))
         .join(Branch, Document.branch_id == Branch.id)
         .where(Document.exported_as.is_not(None), Branch.office_id.in_(office_ids(office or repo.OFFICE)))
         .group_by(Branch.key))
    return {key: int(n) for key, n in s.execute(q)}


def check(s: Session, offices: list[str] | None = None) -> list[str]:
    """Differences between the summary tables and the full aggregations (of every office, or of ``offices``);
    empty when they agree. Pass a fresh session: every read is then made in one snapshot (:func:`one_snapshot`)."""
    from store import progress

    one_snapshot(s)

    keys = offices if offices is not None else list(s.scalars(select(Office.key).order_by(Office.key)))
    problems: list[str] = []

    def compare(what: str, summary: Any, scanned: Any) -> None:
        if summary != scanned:
            problems.append(f"{what}: " + "; ".join(_differences(summary, scanned)))

    def order(rows: list[BranchCounts]) -> list[BranchCounts]:   # branch keys repeat across offices
        return sorted(rows, key=lambda c: tuple(str(v) for v in c.__dict__.values()))

    compare("status_counts", order(status_counts(s)), order(scan_status_counts(s)))
    compare("status_counts_by_office", {k: order(v) for k, v in status_counts_by_office(s).items()},
            {k: order(v) for k, v in scan_status_counts_by_office(s).items()})
    for key in keys:
        compare(f"status_counts({key})", status_counts(s, key), scan_status_counts(s, key))
        compare(f"register_counts({key})", register_counts(s, key), _named_register_counts(s, key))
        compare(f"files_done({key})", progress.files_done(s, key), scan_files_done(s, key))
        compare(f"exported_files({key})", progress.exported_files(s, key), scan_exported_files(s, key))
    problems += _item_differences(s)
    return problems


_ITEM_INSERT = "INSERT INTO count_item (kind, branch_id, item, done, review, n) "
_KINDS = {"r": "register file", "k": "file-number key", "f": "physical file", "e": "eOffice folder"}
SHOWN = 3


def _backfill() -> list[str]:
    """The statements of migration 0013 that fill the summary tables from the rows: the one definition of what they
    hold (``recount`` runs them; ``check`` compares their ``count_item`` part)."""
    import importlib

    return list(importlib.import_module("store.migrations.versions.0013_counts")._backfill())


def _item_differences(s: Session) -> list[str]:
    """``count_item`` against the rows, set-based: the migration's own backfill SELECTs (``rows_``), each item looked
    up by the table's primary key, and the number of items compared — only when those differ is count_item scanned
    for the items the rows do not have (an item at zero everywhere is the triggers' leftover, not a difference).
    The branch rows' distinct counts are compared above; here an item's own tallies: done 2 where the rows say 1
    shows in no branch count today, but when that file's one done document is rejected or reprocessed, the file
    still counts as digitised."""
    rows = " UNION ALL ".join(b.removeprefix(_ITEM_INSERT) for b in _backfill() if b.startswith(_ITEM_INSERT))
    with_rows = f"WITH rows_(kind, branch_id, item, done, review, n) AS ({rows}) "
    nonzero = "(c.done <> 0 OR c.review <> 0 OR c.n <> 0)"
    found: dict[tuple[str, int, str], tuple[tuple[int, ...], tuple[int, ...]]] = {}
    items = 0
    for side, kind, branch, item, *tally in s.execute(text(
            with_rows + "SELECT 'd', r.kind, r.branch_id, r.item, coalesce(c.done, 0), coalesce(c.review, 0), "
            "coalesce(c.n, 0), r.done, r.review, r.n FROM rows_ AS r LEFT JOIN count_item AS c ON c.kind = r.kind "
            "AND c.branch_id = r.branch_id AND c.item = r.item WHERE c.kind IS NULL OR c.done <> r.done "
            "OR c.review <> r.review OR c.n <> r.n "
            "UNION ALL SELECT 'n', NULL, NULL, NULL, count(*), 0, 0, 0, 0, 0 FROM rows_")):
        if side == "n":
            items = int(tally[0])
        else:
            t = tuple(int(x) for x in tally)
            found[(kind, int(branch), str(item))] = (t[:3], t[3:])
    summary = int(s.scalar(text(f"SELECT count(*) FROM count_item AS c WHERE {nonzero}")) or 0)
    differing = sum(1 for a, _ in found.values() if any(a))
    if summary > items - len(found) + differing:     # items the rows do not have at all
        for kind, branch, item, *tally in s.execute(text(
                with_rows + f"SELECT c.kind, c.branch_id, c.item, c.done, c.review, c.n FROM count_item AS c "
                f"WHERE {nonzero} AND NOT EXISTS (SELECT 1 FROM rows_ AS r WHERE r.kind = c.kind "
                "AND r.branch_id = c.branch_id AND r.item = c.item)")):
            found[(kind, int(branch), str(item))] = (tuple(int(x) for x in tally), (0, 0, 0))
    if not found:
        return []
    names = dict(s.execute(select(Branch.id, Branch.key)).all())

    def shown(t: tuple[int, ...]) -> str:
        return f"done {t[0]} review {t[1]} n {t[2]}"

    examples = [f"branch {names.get(b, b)} {_KINDS.get(k, k)} {item}: summary {shown(a)}, rows {shown(r)}"
                for (k, b, item), (a, r) in sorted(found.items())[:SHOWN]]
    more = f"; … ({len(found) - SHOWN} more)" if len(found) > SHOWN else ""
    return [f"count_item: {len(found)} items differ: " + "; ".join(examples) + more]


def one_snapshot(s: Session) -> None:
    """Make the rest of ``s``'s transaction read one snapshot of the database, so that summaries and rows read by
    separate statements agree while the watcher ingests: an explicit BEGIN on SQLite (pysqlite leaves SELECTs in
    autocommit, each seeing its own snapshot; WAL: writers are not blocked), REPEATABLE READ on PostgreSQL (READ
    COMMITTED takes a snapshot per statement). A session that already began keeps its transaction as it is."""
    if s.in_transaction():
        return
    if s.get_bind().dialect.name == "postgresql":
        s.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        return
    conn = s.connection()
    if conn.dialect.name == "sqlite" and not conn.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
        conn.exec_driver_sql("BEGIN")


def _differences(summary: Any, rows: Any, where: str = "") -> list[str]:
    """What differs, readable: ``branch राजस्व done: summary 3011, rows 3014`` (not the repr of every branch)."""
    if isinstance(summary, dict) and isinstance(rows, dict):
        return [d for k in sorted(set(summary) | set(rows), key=str)
                for d in _differences(summary.get(k, 0), rows.get(k, 0), f"{where}{k} ")]
    if isinstance(summary, list) and isinstance(rows, list):
        if [c.branch for c in summary] != [c.branch for c in rows]:
            return [f"{where}branches: summary {[c.branch for c in summary]}, rows {[c.branch for c in rows]}"]
        return [d for a, b in zip(summary, rows, strict=True)
                for d in _differences(a.__dict__, b.__dict__, f"{where}branch {a.branch} ")]
    return [] if summary == rows else [f"{where.strip()}: summary {summary}, rows {rows}"]


def recount(s: Session) -> None:
    """Rebuild the summary tables from the rows (`nasti fsck --recount`), with the very backfill of the migration that
    made them: for summaries a change went around (a hand edit of the database, a partial restore)."""
    from store.counts import count_branch, count_item

    backfill = _backfill()
    items = [b for b in backfill if b.startswith(_ITEM_INSERT)]
    s.execute(count_item.delete())
    for statement in items:          # the item triggers move count_branch: it is rebuilt after them
        s.execute(text(statement))
    s.execute(count_branch.delete())
    for statement in backfill:
        if statement not in items:
            s.execute(text(statement))


def _named_register_counts(s: Session, office: str) -> dict[str, dict[str, int]]:
    keys = dict(s.execute(select(Branch.id, Branch.key)).all())
    return {keys[i]: v for i, v in scan_register_counts(s, office).items()}
