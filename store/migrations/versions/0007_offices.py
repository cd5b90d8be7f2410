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
    # plain ADD COLUMNs: on SQLite a batch "move and copy" of office would drop a table that branch, document and
    # register_file rows refer to (refused with foreign keys on); a nullable REFERENCES column may be added in place
    sqlite = op.get_bind().dialect.name == 'sqlite'
    op.add_column('office', sa.Column('kind', sa.String(16), nullable=False, server_default='collectorate'))
    op.add_column('office', sa.Column('share', sa.Text(), nullable=True))
    op.add_column('office', sa.Column('remote', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column('office', sa.Column('push_key_hash', sa.String(64), nullable=True))
    for table, column, target in (('office', 'division_id', 'division'), ('user', 'office_id', 'office'),
                                  ('user', 'division_id', 'division')):
        if sqlite:
            op.execute(f'ALTER TABLE "{table}" ADD COLUMN {column} INTEGER REFERENCES {target} (id)')
        else:
            op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
            op.create_foreign_key(f'fk_{table}_{column}', table, target, [column], ['id'])
    op.create_index('ix_office_division_id', 'office', ['division_id'])
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
    op.drop_index('ix_office_division_id', 'office')
    columns = (('user', 'division_id'), ('user', 'office_id'), ('office', 'push_key_hash'), ('office', 'remote'),
               ('office', 'share'), ('office', 'division_id'), ('office', 'kind'))
    if op.get_bind().dialect.name == 'sqlite':  # ALTER TABLE DROP COLUMN (SQLite ≥ 3.35), never a table copy
        for table, column in columns:
            op.execute(f'ALTER TABLE "{table}" DROP COLUMN {column}')
    else:
        for table, column in columns:
            op.drop_column(table, column)   # PostgreSQL drops a column's foreign key with it
    op.drop_table('division')
