"""revocable web sessions, disabled users, the audit trail

Revision ID: 0008
Revises: 0006

- ``web_session``: one row per browser session of ``nasti serve``; the cookie carries only a random token and the
  row is keyed by its SHA-256 (a copy of the table gives no live cookie). ``user_id`` is NULL before login.
  Logout, disabling a user, a new password, a new role or removing the user deletes their rows at once.
- ``user.disabled``: a disabled user cannot log in (their sessions are gone).
- ``audit``: who did what, when and from where — cutovers, register imports, user changes, review assignments,
  logins (success and failure). ``document_id`` is NULL for an action on no document; ``detail`` is JSON;
  ``office_key`` is a plain string (no foreign key) for now.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # ALTER TABLE ADD COLUMN, never a batch table copy: a copy of `user` on SQLite would turn 0007's column
    # references into table constraints, and 0007's downgrade (DROP COLUMN) would then fail
    op.add_column('user', sa.Column('disabled', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        'web_session',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('data', sa.Text(), nullable=False),
        sa.Column('address', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('seen_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_web_session_user_id', 'web_session', ['user_id'])
    op.create_index('ix_web_session_expires_at', 'web_session', ['expires_at'])
    op.create_table(
        'audit',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('actor', sa.String(length=100), nullable=False),
        sa.Column('action', sa.String(length=32), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=True),
        sa.Column('detail', sa.Text(), nullable=True),
        sa.Column('address', sa.String(length=64), nullable=True),
        sa.Column('office_key', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(['document_id'], ['document.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_audit_at', 'audit', ['at'])
    op.create_index('ix_audit_action_at', 'audit', ['action', 'at'])
    op.create_index('ix_audit_actor_at', 'audit', ['actor', 'at'])


def downgrade() -> None:
    op.drop_table('audit')
    op.drop_table('web_session')
    if op.get_bind().dialect.name == 'sqlite':   # SQLite ≥ 3.35, in place, as in 0007
        op.execute('ALTER TABLE "user" DROP COLUMN disabled')
    else:
        op.drop_column('user', 'disabled')
