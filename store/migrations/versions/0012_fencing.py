"""fencing: the leading watcher's epoch, a document's assembly claim, batch times for the worker status page

Revision ID: 0012
Revises: 0011

- ``leader_epoch``: one row; each watcher that becomes leader (store.dblocks.LeaderLock) adds 1 and remembers the
  value. Every transaction of the leading watcher reads the row ``FOR SHARE`` and checks it still holds its value
  (store/fencing.py): a leader that lost its lock (its connection dropped) can no longer commit a record, settle a
  file or remove an original once a new leader has taken the row.
- ``document.assembly_epoch``: the epoch of the leader that claimed the document's assembly (the record step) with
  one conditional UPDATE: a document is assembled by one leader, never twice.
- ``ocr_batch.claimed_at`` / ``finished_at``: when a worker took the batch and when it ended.
- ``ocr_batch_log``: one row per batch a worker ended (done, rejected, failed), kept a day — the batches themselves
  are forgotten once their document is settled — for ``nasti worker status`` and the dashboard's worker page
  (done in the last hour, pages per minute, failed and rejected batches with their reason).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        'leader_epoch',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('epoch', sa.BigInteger(), nullable=False, server_default='0'),
        sa.Column('holder', sa.String(200), nullable=True),
        sa.Column('taken_at', sa.DateTime(), nullable=True),
    )
    op.bulk_insert(table, [{'id': 1, 'epoch': 0}])
    # plain ALTER TABLE on both databases (a batch copy of `document` on SQLite would rewrite its foreign keys)
    op.add_column('document', sa.Column('assembly_epoch', sa.BigInteger(), nullable=True))
    op.add_column('ocr_batch', sa.Column('claimed_at', sa.DateTime(), nullable=True))
    op.add_column('ocr_batch', sa.Column('finished_at', sa.DateTime(), nullable=True))
    op.create_index('ix_ocr_batch_finished', 'ocr_batch', ['finished_at'])
    op.create_table(
        'ocr_batch_log',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('worker', sa.String(200), nullable=True),
        sa.Column('document_id', sa.Integer(), sa.ForeignKey('document.id', ondelete='CASCADE'), nullable=False),
        sa.Column('first', sa.Integer(), nullable=False),
        sa.Column('last', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(16), nullable=False),
        sa.Column('error_code', sa.String(64), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('claimed_at', sa.DateTime(), nullable=True),
        sa.Column('finished_at', sa.DateTime(), nullable=False),
    )
    op.create_index('ix_ocr_batch_log_finished', 'ocr_batch_log', ['finished_at'])


def downgrade() -> None:
    op.drop_index('ix_ocr_batch_log_finished', table_name='ocr_batch_log')
    op.drop_table('ocr_batch_log')
    op.drop_index('ix_ocr_batch_finished', table_name='ocr_batch')
    op.drop_column('ocr_batch', 'finished_at')
    op.drop_column('ocr_batch', 'claimed_at')
    op.drop_column('document', 'assembly_epoch')
    op.drop_table('leader_epoch')
