"""register of physical files, document tags (register match), full-text search index

Revision ID: 0002
Revises: 0001

- ``register_file``: a branch's inventory of physical files; ``key`` is the normalised file number
  (``ingest.tagging.digits.file_number_key``), unique per branch.
- ``document``: ``register_file_id`` (the matched register file), ``match_score`` (0-100), ``file_number_alt``
  (the other number when path and page text disagree).
- ``page_fts``: the search index, one row per page, ``body`` = ``index_text(page text)``, ``meta`` =
  ``index_text(subject, file number)`` plus the file-number keys (first page row only).
  SQLite: an FTS5 virtual table with the Devanagari-safe tokenizer (``store.search.tokenize.FTS5_TOKENIZE``).
  PostgreSQL: a plain table with a ``tsvector`` column and a GIN index; the tsvector is written as a literal of
  our own tokens (``store.search.pg``), so PostgreSQL's locale-dependent parser never splits Devanagari.
  Not an ORM model: ``store/migrations/env.py`` hides it from autogenerate.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from store.search.pg import tsvector_literal
from store.search.tokenize import FTS5_TOKENIZE_SQL, index_text

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('register_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('file_number', sa.String(length=200), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('subject', sa.Text(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('category', sa.String(length=8), nullable=True),
    sa.Column('expected_pages', sa.Integer(), nullable=True),
    sa.Column('location', sa.Text(), nullable=True),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], ),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('branch_id', 'key')
    )
    op.create_index(op.f('ix_register_file_branch_id'), 'register_file', ['branch_id'], unique=False)
    op.create_index(op.f('ix_register_file_key'), 'register_file', ['key'], unique=False)

    # Plain ALTER TABLE ADD COLUMN on both dialects (no batch copy of `document`: on SQLite with foreign keys on,
    # dropping the old table would cascade to page and event rows).
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        op.execute("ALTER TABLE document ADD COLUMN register_file_id INTEGER "
                   "REFERENCES register_file (id) ON DELETE SET NULL")
    else:
        op.add_column('document', sa.Column('register_file_id', sa.Integer(), nullable=True))
        op.create_foreign_key('fk_document_register_file_id', 'document', 'register_file', ['register_file_id'],
                              ['id'], ondelete='SET NULL')
    op.add_column('document', sa.Column('match_score', sa.Float(), nullable=True))
    op.add_column('document', sa.Column('file_number_alt', sa.String(length=200), nullable=True))
    op.create_index(op.f('ix_document_register_file_id'), 'document', ['register_file_id'], unique=False)

    if bind.dialect.name == 'sqlite':
        op.execute("CREATE VIRTUAL TABLE page_fts USING fts5(body, meta, document_id UNINDEXED, page UNINDEXED, "
                   f"tokenize={FTS5_TOKENIZE_SQL})")
    else:
        op.create_table('page_fts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('page', sa.Integer(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('meta', sa.Text(), nullable=False),
        sa.Column('tsv', postgresql.TSVECTOR(), nullable=False),
        sa.ForeignKeyConstraint(['document_id'], ['document.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id')
        )
        op.create_index('ix_page_fts_document_id', 'page_fts', ['document_id'], unique=False)
        op.create_index('ix_page_fts_tsv', 'page_fts', ['tsv'], unique=False, postgresql_using='gin')
    _backfill(bind)


def _backfill(bind: sa.Connection) -> None:
    """Index the pages of documents already done (their tags are applied again by the next review, not here)."""
    docs = bind.execute(sa.text("SELECT id, subject, file_number, file_number_key FROM document "
                                "WHERE status = 'done'")).all()
    if bind.dialect.name == 'sqlite':
        insert = sa.text("INSERT INTO page_fts (body, meta, document_id, page) VALUES (:body, :meta, :doc, :page)")
    else:
        insert = sa.text("INSERT INTO page_fts (body, meta, document_id, page, tsv) "
                         "VALUES (:body, :meta, :doc, :page, CAST(:tsv AS tsvector))")
    for doc_id, subject, number, key in docs:
        pages = bind.execute(sa.text("SELECT number, text FROM page WHERE document_id = :d ORDER BY number"),
                             {"d": doc_id}).all()
        meta = " ".join(x for x in (index_text(subject or ""), index_text(number or ""), key or "") if x)
        rows = [{"body": index_text(text or ""), "meta": meta if i == 0 else "", "doc": doc_id, "page": number_}
                for i, (number_, text) in enumerate(pages)]
        for row in rows:
            row["tsv"] = tsvector_literal(row["body"], row["meta"])
        if rows:
            bind.execute(insert, rows)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("DROP TABLE page_fts")
    else:
        op.drop_index('ix_page_fts_tsv', table_name='page_fts')
        op.drop_index('ix_page_fts_document_id', table_name='page_fts')
        op.drop_table('page_fts')
    op.drop_index(op.f('ix_document_register_file_id'), table_name='document')
    if op.get_bind().dialect.name == 'sqlite':  # ALTER TABLE DROP COLUMN (SQLite ≥ 3.35), never a table copy
        for column in ('file_number_alt', 'match_score', 'register_file_id'):
            op.execute(f"ALTER TABLE document DROP COLUMN {column}")
    else:
        op.drop_constraint('fk_document_register_file_id', 'document', type_='foreignkey')
        for column in ('file_number_alt', 'match_score', 'register_file_id'):
            op.drop_column('document', column)
    op.drop_index(op.f('ix_register_file_key'), table_name='register_file')
    op.drop_index(op.f('ix_register_file_branch_id'), table_name='register_file')
    op.drop_table('register_file')
