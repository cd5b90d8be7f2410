"""web users

Revision ID: 0003
Revises: 0002

- ``user``: a person who logs in to ``nasti serve``; ``role`` is clerk | branch_head | collector; a clerk or a
  branch head belongs to one branch (``branch_id``), a collector to none. ``password_hash`` is argon2id.
  (``user`` is quoted by SQLAlchemy on PostgreSQL, where it is a reserved word.)
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'user',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('branch_id', sa.Integer(), nullable=True),
        sa.Column('password_hash', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['branch_id'], ['branch.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'),
    )


def downgrade() -> None:
    op.drop_table('user')
