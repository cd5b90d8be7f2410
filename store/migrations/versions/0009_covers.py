"""cover sheets: batch splitting, the eOffice part of a document and of each page, cover and divider pages

Revision ID: 0009
Revises: 0006 (the lead re-chains at merge)

- ``document.batch_id``: the document (the drop) whose original a scanned batch was split from; the drop's own
  record has its own id there. Null for a drop that held no cover sheet.
- ``document.batch_seq``: the document's place in its batch (0: the drop's own record).
- ``document.part``: notes | receipts | issues | references (eOffice), default receipts. The same definition as
  migration 0010_parts_export's: keep one at merge.
- ``page.kind``: null for a page of the file, ``cover`` or ``divider`` for a nasti sheet (not counted as a page).
- ``page.part``: the part a divider sheet put the page in.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # ALTER TABLE ADD COLUMN, never a batch table copy: a copy of `document` on SQLite turns the column references
    # of earlier migrations into table constraints, and their downgrades (DROP COLUMN) would then fail
    if op.get_bind().dialect.name == 'sqlite':   # a column reference, as 0002 added register_file_id
        op.execute('ALTER TABLE document ADD COLUMN batch_id INTEGER REFERENCES document (id)')
    else:
        op.add_column('document', sa.Column('batch_id', sa.Integer(), sa.ForeignKey('document.id'), nullable=True))
    op.add_column('document', sa.Column('batch_seq', sa.Integer(), nullable=True))
    op.add_column('document', sa.Column('part', sa.String(16), nullable=False, server_default='receipts'))
    op.create_index('ix_document_batch_id', 'document', ['batch_id'])
    op.add_column('page', sa.Column('kind', sa.String(16), nullable=True))
    op.add_column('page', sa.Column('part', sa.String(16), nullable=True))


def downgrade() -> None:
    op.drop_index('ix_document_batch_id', 'document')
    for table, column in (('page', 'part'), ('page', 'kind'), ('document', 'part'), ('document', 'batch_seq'),
                          ('document', 'batch_id')):
        if op.get_bind().dialect.name == 'sqlite':   # in place (SQLite ≥ 3.35), as 0007 and 0008 do
            op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
        else:
            op.drop_column(table, column)
