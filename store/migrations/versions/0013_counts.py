"""summary counts kept by triggers: `nasti status` and readiness independent of the number of documents

Revision ID: 0013
Revises: 0011

- ``count_branch``: per branch (``office_id`` 0, ``branch_id``) and per office's share root (``office_id``,
  ``branch_id`` 0): documents, pages, blank pages, done, open rejections, duplicates, in progress, awaiting review
  (as ``store.queries.status_counts`` used to aggregate them), register files, register files digitised, distinct
  file-number keys done / done with none awaiting review (a branch without a register), physical files done,
  eOffice folders exported.
- ``count_item``: the per-item tallies those distinct counts need: kind ``r`` a register file (branch: the
  register's), ``k`` a file-number key of a branch, ``f`` a physical file of a branch (``store.progress.
  physical_file``), ``e`` an eOffice folder of a branch; ``done`` / ``review`` / ``n`` document counts.
- Triggers on ``document`` (insert, delete, update of a counted column) subtract the old row's share and add the
  new one's in the same transaction; triggers on ``count_item`` move the branch's distinct counts when an item
  crosses zero; triggers on ``register_file`` count register files. The same statements on SQLite (trigger bodies)
  and PostgreSQL (plpgsql functions); concurrent writers on PostgreSQL serialise on the counter row they update.
- ``ix_document_problem``: a partial index for ``store.health`` (documents with a problem are few).
- The throughput window (``store.progress.done_in_window``) reads a week of done documents through an index, not
  every done document: ``ix_document_branch_done`` (branch, status, done_at) for one office's branches, and
  ``ix_document_done_window`` (replacing 0004's ``ix_document_done_progress``, of which it is an extension) covers
  what a physical file is made of, so the state's week is read from the index alone.

The upgrade backfills both tables from the existing rows (before the triggers exist); the downgrade drops them.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

_BRANCH_COLS = ("documents", "pages", "blank_pages", "done", "rejected_open", "duplicates", "in_progress",
                "needs_review", "register_files", "digitised_files", "keys_done", "keys_ok", "files_done",
                "exported_files")
_WINDOW = ['status', 'done_at', 'branch_id', 'pages', 'register_file_id', 'file_number_key', 'id']
_DOC_COLS = ("office_id", "branch_id", "status", "needs_review", "pages", "blank_pages", "resolved_by_id",
             "register_file_id", "file_number_key", "exported_as")


def _b(cond: str) -> str:
    return f"(CASE WHEN {cond} THEN 1 ELSE 0 END)"


def _upsert_branch(office: str, branch: str, values: dict[str, str], select_where: str | None = None) -> str:
    cols = ", ".join(values)
    sets = ", ".join(f"{c} = count_branch.{c} + excluded.{c}" for c in values)
    head = f"INSERT INTO count_branch (office_id, branch_id, {cols}) "
    if select_where is None:
        body = f"VALUES ({office}, {branch}, {', '.join(values.values())})"
    else:
        body = f"SELECT {office}, {branch}, {', '.join(values.values())} WHERE {select_where}"
    return head + body + f" ON CONFLICT (office_id, branch_id) DO UPDATE SET {sets}"


def _upsert_item(kind: str, branch: str, item: str, done: str, review: str, n: str, where: str) -> str:
    return ("INSERT INTO count_item (kind, branch_id, item, done, review, n) "
            f"SELECT '{kind}', {branch}, {item}, {done}, {review}, {n} WHERE {where} "
            "ON CONFLICT (kind, branch_id, item) DO UPDATE SET done = count_item.done + excluded.done, "
            "review = count_item.review + excluded.review, n = count_item.n + excluded.n")


def _states(r: str) -> dict[str, str]:
    """The 0/1 expressions of what row ``r`` (NEW, OLD or a table alias) counts as."""
    return {"done": _b(f"{r}.status = 'done'"),
            "rejected_open": _b(f"{r}.status = 'rejected' AND {r}.resolved_by_id IS NULL"),
            "duplicates": _b(f"{r}.status = 'duplicate'"),
            "in_progress": _b(f"{r}.status IN ('received', 'processing')"),
            "needs_review": _b(f"{r}.needs_review")}


def _document(r: str, sign: str) -> list[str]:
    """The statements adding (sign '+1') or taking away ('-1') document row ``r`` (NEW / OLD)."""
    done = f"{r}.status = 'done'"
    review = f"{r}.needs_review"
    counted = f"({done} OR {r}.needs_review)"
    branch = {"documents": sign, "pages": f"{sign} * coalesce({r}.pages, 0)",
              "blank_pages": f"{sign} * coalesce({r}.blank_pages, 0)",
              **{k: f"{sign} * {v}" for k, v in _states(r).items()}}
    register_branch = f"(SELECT rf.branch_id FROM register_file AS rf WHERE rf.id = {r}.register_file_id)"
    physical = (f"CASE WHEN {r}.register_file_id IS NOT NULL THEN 'r:' || CAST({r}.register_file_id AS TEXT) "
                f"WHEN {r}.file_number_key IS NOT NULL THEN 'k:' || {r}.file_number_key "
                f"ELSE 'd:' || CAST({r}.id AS TEXT) END")
    return [
        _upsert_branch(f"CASE WHEN {r}.branch_id IS NULL THEN {r}.office_id ELSE 0 END", f"coalesce({r}.branch_id, 0)",
                       branch),
        _upsert_item("r", register_branch, f"CAST({r}.register_file_id AS TEXT)", f"{sign} * {_b(done)}",
                     f"{sign} * {_b(review)}", "0",
                     f"{r}.register_file_id IS NOT NULL AND {counted} AND {register_branch} IS NOT NULL"),
        _upsert_item("k", f"{r}.branch_id", f"{r}.file_number_key", f"{sign} * {_b(done)}", f"{sign} * {_b(review)}",
                     "0", f"{r}.branch_id IS NOT NULL AND {r}.file_number_key IS NOT NULL AND {counted}"),
        _upsert_item("f", f"{r}.branch_id", physical, sign, "0", "0", f"{r}.branch_id IS NOT NULL AND {done}"),
        _upsert_item("e", f"{r}.branch_id", f"{r}.exported_as", "0", "0", sign,
                     f"{r}.branch_id IS NOT NULL AND {r}.exported_as IS NOT NULL"),
    ]


def _item(old: bool) -> list[str]:
    """The statements moving the branch's distinct counts when a ``count_item`` row changes (``old``: an update,
    else an insert)."""
    def flag(cond: str) -> str:
        new = _b(cond.replace("$", "NEW."))
        return f"({new} - {_b(cond.replace('$', 'OLD.'))})" if old else new

    ok = "$done > 0 AND $review = 0"
    one = "$done > 0"
    return [
        _upsert_branch("0", "NEW.branch_id", {"digitised_files": flag(ok)}, "NEW.kind = 'r'"),
        _upsert_branch("0", "NEW.branch_id", {"keys_done": flag(one), "keys_ok": flag(ok)}, "NEW.kind = 'k'"),
        _upsert_branch("0", "NEW.branch_id", {"files_done": flag(one)}, "NEW.kind = 'f'"),
        _upsert_branch("0", "NEW.branch_id", {"exported_files": flag("$n > 0")}, "NEW.kind = 'e'"),
    ]


_OK = "count_item.done > 0 AND count_item.review = 0"
_REGISTER_INSERT = [
    "DELETE FROM count_item WHERE kind = 'r' AND item = CAST(NEW.id AS TEXT)",
    _upsert_branch("0", "NEW.branch_id", {"register_files": "1"}),
]
_REGISTER_DELETE = [
    _upsert_branch("0", "OLD.branch_id", {
        "register_files": "-1",
        "digitised_files": f"-(SELECT count(*) FROM count_item WHERE kind = 'r' AND branch_id = OLD.branch_id "
                           f"AND item = CAST(OLD.id AS TEXT) AND {_OK})"}),
    "DELETE FROM count_item WHERE kind = 'r' AND item = CAST(OLD.id AS TEXT)",
]


def _sqlite_triggers() -> list[str]:
    cols = ", ".join(_DOC_COLS)
    body = "; ".join

    return [
        f"CREATE TRIGGER count_document_insert AFTER INSERT ON document BEGIN {body(_document('NEW', '1'))}; END",
        f"CREATE TRIGGER count_document_delete AFTER DELETE ON document BEGIN {body(_document('OLD', '-1'))}; END",
        f"CREATE TRIGGER count_document_update AFTER UPDATE OF {cols} ON document BEGIN "
        f"{body(_document('OLD', '-1') + _document('NEW', '1'))}; END",
        f"CREATE TRIGGER count_item_insert AFTER INSERT ON count_item BEGIN {body(_item(False))}; END",
        f"CREATE TRIGGER count_item_update AFTER UPDATE ON count_item BEGIN {body(_item(True))}; END",
        f"CREATE TRIGGER count_register_insert AFTER INSERT ON register_file BEGIN {body(_REGISTER_INSERT)}; END",
        f"CREATE TRIGGER count_register_delete AFTER DELETE ON register_file BEGIN {body(_REGISTER_DELETE)}; END",
    ]


def _plpgsql(name: str, statements: str) -> str:
    return (f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN {statements} "
            "RETURN NULL; END $f$")


def _postgres_triggers() -> list[str]:
    def block(stmts: list[str]) -> str:
        return " ".join(s + ";" for s in stmts)

    doc = (f"IF TG_OP <> 'INSERT' THEN {block(_document('OLD', '-1'))} END IF; "
           f"IF TG_OP <> 'DELETE' THEN {block(_document('NEW', '1'))} END IF;")
    item = f"IF TG_OP = 'INSERT' THEN {block(_item(False))} ELSE {block(_item(True))} END IF;"
    register = (f"IF TG_OP = 'INSERT' THEN {block(_REGISTER_INSERT)} ELSE {block(_REGISTER_DELETE)} END IF;")
    return [
        _plpgsql("count_document", doc), _plpgsql("count_item_moved", item), _plpgsql("count_register", register),
        f"CREATE TRIGGER count_document AFTER INSERT OR DELETE OR UPDATE OF {', '.join(_DOC_COLS)} ON document "
        "FOR EACH ROW EXECUTE FUNCTION count_document()",
        "CREATE TRIGGER count_item_moved AFTER INSERT OR UPDATE ON count_item FOR EACH ROW "
        "EXECUTE FUNCTION count_item_moved()",
        "CREATE TRIGGER count_register AFTER INSERT OR DELETE ON register_file FOR EACH ROW "
        "EXECUTE FUNCTION count_register()",
    ]


def _phys() -> str:
    return ("CASE WHEN register_file_id IS NOT NULL THEN 'r:' || CAST(register_file_id AS TEXT) "
            "WHEN file_number_key IS NOT NULL THEN 'k:' || file_number_key ELSE 'd:' || CAST(id AS TEXT) END")


def _backfill() -> list[str]:
    states = _states("d")
    done, review = states["done"], states["needs_review"]
    item = "INSERT INTO count_item (kind, branch_id, item, done, review, n) "
    ok, one = _b("done > 0 AND review = 0"), _b("done > 0")

    def derived(values: str, where: str) -> str:
        cols = [v.split(" AS ")[1] for v in values.split(", ")]
        sets = ", ".join(f"{c} = excluded.{c}" for c in cols)
        return (f"INSERT INTO count_branch (office_id, branch_id, {', '.join(cols)}) SELECT 0, branch_id, "
                f"{values} FROM count_item WHERE {where} GROUP BY branch_id "
                f"ON CONFLICT (office_id, branch_id) DO UPDATE SET {sets}")

    return [
        item + f"SELECT 'r', rf.branch_id, CAST(d.register_file_id AS TEXT), sum({done}), sum({review}), 0 "
        "FROM document AS d JOIN register_file AS rf ON rf.id = d.register_file_id "
        "WHERE d.status = 'done' OR d.needs_review GROUP BY rf.branch_id, d.register_file_id",
        item + f"SELECT 'k', d.branch_id, d.file_number_key, sum({done}), sum({review}), 0 FROM document AS d "
        "WHERE d.branch_id IS NOT NULL AND d.file_number_key IS NOT NULL AND (d.status = 'done' OR d.needs_review) "
        "GROUP BY d.branch_id, d.file_number_key",
        item + f"SELECT 'f', branch_id, {_phys()}, count(*), 0, 0 FROM document WHERE branch_id IS NOT NULL "
        f"AND status = 'done' GROUP BY branch_id, {_phys()}",
        item + "SELECT 'e', branch_id, exported_as, 0, 0, count(*) FROM document WHERE branch_id IS NOT NULL "
        "AND exported_as IS NOT NULL GROUP BY branch_id, exported_as",
        f"INSERT INTO count_branch (office_id, branch_id, documents, pages, blank_pages, {', '.join(states)}) "
        "SELECT CASE WHEN d.branch_id IS NULL THEN d.office_id ELSE 0 END, coalesce(d.branch_id, 0), count(*), "
        "sum(coalesce(d.pages, 0)), sum(coalesce(d.blank_pages, 0)), "
        f"{', '.join(f'sum({v})' for v in states.values())} FROM document AS d "
        "GROUP BY CASE WHEN d.branch_id IS NULL THEN d.office_id ELSE 0 END, coalesce(d.branch_id, 0)",
        "INSERT INTO count_branch (office_id, branch_id, register_files) SELECT 0, branch_id, count(*) "
        "FROM register_file WHERE 1 = 1 GROUP BY branch_id "
        "ON CONFLICT (office_id, branch_id) DO UPDATE SET register_files = excluded.register_files",
        derived(f"sum({ok}) AS digitised_files", "kind = 'r'"),
        derived(f"sum({one}) AS keys_done, sum({ok}) AS keys_ok", "kind = 'k'"),
        derived(f"sum({one}) AS files_done", "kind = 'f'"),
        derived(f"sum({_b('n > 0')}) AS exported_files", "kind = 'e'"),
    ]


def upgrade() -> None:
    op.create_table(
        'count_branch',
        sa.Column('office_id', sa.Integer(), nullable=False),
        sa.Column('branch_id', sa.Integer(), nullable=False),
        *(sa.Column(c, sa.BigInteger(), nullable=False, server_default='0') for c in _BRANCH_COLS),
        sa.PrimaryKeyConstraint('office_id', 'branch_id'),
    )
    op.create_table(
        'count_item',
        sa.Column('kind', sa.String(1), nullable=False),
        sa.Column('branch_id', sa.Integer(), nullable=False),
        sa.Column('item', sa.String(200), nullable=False),
        sa.Column('done', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('review', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('n', sa.Integer(), nullable=False, server_default='0'),
        sa.PrimaryKeyConstraint('kind', 'branch_id', 'item'),
    )
    op.create_index('ix_document_problem', 'document', ['problem'], sqlite_where=sa.text("problem IS NOT NULL"),
                    postgresql_where=sa.text("problem IS NOT NULL"))
    op.create_index('ix_document_branch_done', 'document', ['branch_id', 'status', 'done_at'])
    op.create_index('ix_document_done_window', 'document', _WINDOW)
    op.drop_index('ix_document_done_progress', table_name='document')
    for stmt in _backfill():
        op.execute(stmt)
    postgres = op.get_bind().dialect.name == "postgresql"
    for stmt in _postgres_triggers() if postgres else _sqlite_triggers():
        op.execute(stmt)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER count_document ON document")
        op.execute("DROP TRIGGER count_register ON register_file")
        op.execute("DROP TABLE count_item")   # its trigger goes with it
        for fn in ("count_document", "count_item_moved", "count_register"):
            op.execute(f"DROP FUNCTION {fn}()")
    else:
        for t in ("count_document_insert", "count_document_delete", "count_document_update",
                  "count_register_insert", "count_register_delete"):
            op.execute(f"DROP TRIGGER {t}")
        op.drop_table('count_item')
    op.drop_table('count_branch')
    op.drop_index('ix_document_problem', table_name='document')
    op.create_index('ix_document_done_progress', 'document', ['status', 'done_at', 'branch_id', 'pages'])
    op.drop_index('ix_document_done_window', table_name='document')
    op.drop_index('ix_document_branch_done', table_name='document')
