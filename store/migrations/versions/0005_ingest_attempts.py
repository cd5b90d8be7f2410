"""ingest attempts, settle problems and resolved rejections

Revision ID: 0005
Revises: 0004

- ``document.attempts``: how many times nasti tried to process this drop and hit an error it did not foresee
  (bounded: after ``store.repo.MAX_ATTEMPTS`` the document stays ``failed`` for review, not retried every rescan).
- ``document.problem``: an environment problem that keeps the share or the archive from being updated for this
  document (``archive_full``, ``archive_unwritable``, ``share_unwritable``, ``archive_missing``,
  ``engine_missing``); shown as a health line in
  ``nasti status``; cleared once the problem is gone.
- ``document.resolved_by_id``: a rejection closed because a file under the same name was later digitised.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:   # plain ADD/DROP COLUMN (no table rebuild on SQLite: other migrations' ALTERs keep working)
    op.add_column('document', sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('document', sa.Column('problem', sa.String(length=32), nullable=True))
    op.add_column('document', sa.Column('resolved_by_id', sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column('document', 'resolved_by_id')
    op.drop_column('document', 'problem')
    op.drop_column('document', 'attempts')
