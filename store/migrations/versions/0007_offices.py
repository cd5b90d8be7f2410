"""many offices: divisions, office kind/division/share, users scoped to an office or division, readiness snapshots

Revision ID: 0007
Revises: 0006

- ``division``: a revenue division (key, Hindi and English names).
- ``office``: ``kind`` (collectorate | commissioner | other; existing rows: collectorate), ``division_id``,
  ``share`` (its own share folder, or none), ``remote`` (keeps its own server: its figures come from snapshots) and
  ``push_key_hash`` (sha256 of its snapshot key). The existing ``default`` office and everything under it stays.
- ``user``: ``office_id`` (a collector's office; existing collectors get the ``default`` office) and
  ``division_id`` (a commissioner's division).
- ``readiness_snapshot``: one branch of one office on one day, unique (office_id, branch, day).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'division',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(64), nullable=False),
        sa.Column('name_hi', sa.String(200), nullable=False),
        sa.Column('name_en', sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('key'),
    )
    with op.batch_alter_table('office') as b:
        b.add_column(sa.Column('kind', sa.String(16), nullable=False, server_default='collectorate'))
        b.add_column(sa.Column('division_id', sa.Integer(), nullable=True))
        b.add_column(sa.Column('share', sa.Text(), nullable=True))
        b.add_column(sa.Column('remote', sa.Boolean(), nullable=False, server_default=sa.false()))
        b.add_column(sa.Column('push_key_hash', sa.String(64), nullable=True))
        b.create_foreign_key('fk_office_division', 'division', ['division_id'], ['id'])
        b.create_index('ix_office_division_id', ['division_id'])
    with op.batch_alter_table('user') as b:
        b.add_column(sa.Column('office_id', sa.Integer(), nullable=True))
        b.add_column(sa.Column('division_id', sa.Integer(), nullable=True))
        b.create_foreign_key('fk_user_office', 'office', ['office_id'], ['id'])
        b.create_foreign_key('fk_user_division', 'division', ['division_id'], ['id'])
    # a collector of the one office so far belongs to it
    op.execute("UPDATE \"user\" SET office_id = (SELECT id FROM office WHERE key = 'default') "
               "WHERE role = 'collector' AND office_id IS NULL")
    op.create_table(
        'readiness_snapshot',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('office_id', sa.Integer(), nullable=False),
        sa.Column('branch', sa.String(200), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('taken_at', sa.DateTime(), nullable=False),
        sa.Column('received_at', sa.DateTime(), nullable=False),
        sa.Column('name_hi', sa.String(200), nullable=False),
        sa.Column('name_en', sa.String(200), nullable=False),
        sa.Column('cutover', sa.Date(), nullable=True),
        *(sa.Column(c, sa.Integer(), nullable=False) for c in (
            'register_files', 'digitised_files', 'documents', 'pages', 'rejected', 'needs_review', 'files_today',
            'files_week', 'pages_week', 'files_total')),
        sa.ForeignKeyConstraint(['office_id'], ['office.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('office_id', 'branch', 'day'),
    )
    op.create_index('ix_readiness_snapshot_office_id', 'readiness_snapshot', ['office_id'])


def downgrade() -> None:
    op.drop_index('ix_readiness_snapshot_office_id', 'readiness_snapshot')
    op.drop_table('readiness_snapshot')
    with op.batch_alter_table('user') as b:
        b.drop_constraint('fk_user_division', type_='foreignkey')
        b.drop_constraint('fk_user_office', type_='foreignkey')
        b.drop_column('division_id')
        b.drop_column('office_id')
    with op.batch_alter_table('office') as b:
        b.drop_index('ix_office_division_id')
        b.drop_constraint('fk_office_division', type_='foreignkey')
        for name in ('push_key_hash', 'remote', 'share', 'division_id', 'kind'):
            b.drop_column(name)
    op.drop_table('division')
