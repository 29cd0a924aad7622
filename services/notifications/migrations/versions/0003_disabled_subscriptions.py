"""subscriptions can be disabled (410 Gone, failing for days) and enabled again

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 09:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('subscriptions', sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('subscriptions', sa.Column('disabled_reason', sa.Text(), nullable=True))
    op.add_column('subscriptions', sa.Column('failing_since', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column('subscriptions', 'failing_since')
    op.drop_column('subscriptions', 'disabled_reason')
    op.drop_column('subscriptions', 'disabled_at')
