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
    with op.batch_alter_table('document') as b:
        b.add_column(sa.Column('batch_id', sa.Integer(), nullable=True))
        b.add_column(sa.Column('batch_seq', sa.Integer(), nullable=True))
        b.add_column(sa.Column('part', sa.String(16), nullable=False, server_default='receipts'))
        b.create_index('ix_document_batch_id', ['batch_id'])
        b.create_foreign_key('fk_document_batch_id', 'document', ['batch_id'], ['id'])
    with op.batch_alter_table('page') as b:
        b.add_column(sa.Column('kind', sa.String(16), nullable=True))
        b.add_column(sa.Column('part', sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('page') as b:
        b.drop_column('part')
        b.drop_column('kind')
    with op.batch_alter_table('document') as b:
        b.drop_constraint('fk_document_batch_id', type_='foreignkey')
        b.drop_index('ix_document_batch_id')
        for name in ('part', 'batch_seq', 'batch_id'):
            b.drop_column(name)
