"""scale-out: one live record per drop in the database, OCR page batches for the Celery workers

Revision ID: 0011
Revises: 0006

- ``uq_document_active_drop``: at most one *active* (received / processing) document per (source, sha256), so two
  watchers (or a watcher restarted beside a live one) cannot both create a record for the same drop: the second
  insert fails and takes the first's record (``store.scale.new_or_resumed``).
- ``ocr_batch``: a document's pages in batches of ≤ ``[queue] batch_pages`` (workers/). ``state`` queued → running
  → done | rejected | failed; ``attempts`` counts claims (3 → failed); ``lease_until`` is when a running batch whose
  worker died is taken back by the reaper. Unique per (document, sha256, first page): enqueueing twice is harmless.
- ``ocr_result``: one row per page read (JSON of ``ocr.page.PageResult``), upserted, so a batch run twice (a lost
  acknowledgement) writes the same rows once.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

_ACTIVE = "status IN ('received', 'processing')"


def upgrade() -> None:
    op.create_index('uq_document_active_drop', 'document', ['source', 'sha256'], unique=True,
                    sqlite_where=sa.text(_ACTIVE), postgresql_where=sa.text(_ACTIVE))
    op.create_table(
        'ocr_batch',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('document_id', sa.Integer(), sa.ForeignKey('document.id', ondelete='CASCADE'), nullable=False),
        sa.Column('sha256', sa.String(64), nullable=False),
        sa.Column('kind', sa.String(16), nullable=False),
        sa.Column('first', sa.Integer(), nullable=False),
        sa.Column('last', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('queued_at', sa.DateTime(), nullable=True),
        sa.Column('lease_until', sa.DateTime(), nullable=True),
        sa.Column('worker', sa.String(200), nullable=True),
        sa.Column('error_code', sa.String(64), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.UniqueConstraint('document_id', 'sha256', 'first', name='uq_ocr_batch_pages'),
    )
    op.create_index('ix_ocr_batch_state', 'ocr_batch', ['state', 'lease_until'])
    op.create_table(
        'ocr_result',
        sa.Column('document_id', sa.Integer(), sa.ForeignKey('document.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('sha256', sa.String(64), primary_key=True),
        sa.Column('number', sa.Integer(), primary_key=True),
        sa.Column('result', sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('ocr_result')
    op.drop_index('ix_ocr_batch_state', table_name='ocr_batch')
    op.drop_table('ocr_batch')
    op.drop_index('uq_document_active_drop', table_name='document')
