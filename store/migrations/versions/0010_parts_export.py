"""parts and order of a physical file, and its eOffice export (issue 17)

Revision ID: 0010
Revises: 0006

- ``document.part`` (notes | receipts | issues | references, default receipts): which part of its physical file a
  scan belongs to — set from the share path (``<branch>/<file>/Notes/…``), from a divider sheet, or by a person
  (``nasti document part``).
- ``document.sequence``: its order within its physical file (NULL: after the numbered ones, by name).
- ``document.exported_at`` / ``document.exported_as``: when and into which ``fl-…`` folder it was last exported
  (``nasti export eoffice``; every export is also an event row).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:   # in place, never a batch table copy of `document` (see 0009)
    op.add_column('document', sa.Column('sequence', sa.Integer(), nullable=True))
    op.add_column('document', sa.Column('exported_at', sa.DateTime(), nullable=True))
    op.add_column('document', sa.Column('exported_as', sa.String(200), nullable=True))


def downgrade() -> None:
    for name in ('exported_as', 'exported_at', 'sequence'):   # `part` comes with 0009 (divider sheets)
        if op.get_bind().dialect.name == 'sqlite':
            op.execute(f'ALTER TABLE document DROP COLUMN {name}')
        else:
            op.drop_column('document', name)
