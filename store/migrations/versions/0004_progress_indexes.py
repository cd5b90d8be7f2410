"""covering indexes for the progress and readiness queries

Revision ID: 0004
Revises: 0003

- ``ix_document_branch_progress`` (branch_id, status, needs_review, pages, blank_pages, register_file_id): the
  per-branch counts of ``nasti status`` / ``nasti readiness`` read only this index, not the wide document rows.
- ``ix_document_done_progress`` (status, done_at, branch_id, pages): the trailing-7-day throughput window.
- ``ix_document_status_register`` (status, register_file_id, needs_review, done_at, branch_id): which register
  files are digitised, and since when (the burn-down).
Without them SQLite (no ANALYZE statistics) walks ``ix_document_status`` and reads every done row.
"""
from __future__ import annotations

from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_document_branch_progress', 'document',
                    ['branch_id', 'status', 'needs_review', 'pages', 'blank_pages', 'register_file_id'])
    op.create_index('ix_document_done_progress', 'document', ['status', 'done_at', 'branch_id', 'pages'])
    op.create_index('ix_document_status_register', 'document',
                    ['status', 'register_file_id', 'needs_review', 'done_at', 'branch_id'])


def downgrade() -> None:
    op.drop_index('ix_document_status_register', table_name='document')
    op.drop_index('ix_document_done_progress', table_name='document')
    op.drop_index('ix_document_branch_progress', table_name='document')
