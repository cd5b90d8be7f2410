"""page OCR facts: which way up and what decided it, handwritten pages, page-level review reasons, doubtful digits

Revision ID: 0006
Revises: 0005

- ``turned_by`` (probe | reread), ``turn_margin`` (0-1) and ``skew``: how the page was brought upright and how sure
  that was (issue 10: a page read upside down must never pass unnoticed).
- ``handwritten``: the page is handwriting (a noting sheet); its text is not searched or tagged — what tesseract made
  of it is kept in ``raw_text`` — and it does not send the document to review.
- ``review_code``, ``review_reason`` (English), ``review_reason_hi``: why this printed page read badly; any such page
  keeps its document in review.
- ``doubtful``: the words with digits that tesseract was unsure of (space-separated), for the file-number check.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('page') as b:
        b.add_column(sa.Column('turned_by', sa.String(16), nullable=True))
        b.add_column(sa.Column('turn_margin', sa.Float(), nullable=True))
        b.add_column(sa.Column('skew', sa.Float(), nullable=True))
        b.add_column(sa.Column('handwritten', sa.Boolean(), nullable=False, server_default=sa.false()))
        b.add_column(sa.Column('raw_text', sa.Text(), nullable=True))
        b.add_column(sa.Column('review_code', sa.String(64), nullable=True))
        b.add_column(sa.Column('review_reason', sa.Text(), nullable=True))
        b.add_column(sa.Column('review_reason_hi', sa.Text(), nullable=True))
        b.add_column(sa.Column('doubtful', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('page') as b:
        for name in ('doubtful', 'review_reason_hi', 'review_reason', 'review_code', 'raw_text', 'handwritten',
                     'skew', 'turn_margin', 'turned_by'):
            b.drop_column(name)
