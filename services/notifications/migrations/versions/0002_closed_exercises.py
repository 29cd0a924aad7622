"""closed exercises; no index on deliveries.subscription_id alone

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 15:40:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('closed_exercises',
    sa.Column('exercise_id', sa.Uuid(), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('exercise_id', name=op.f('pk_closed_exercises'))
    )
    # The unique (subscription_id, event_id) index serves lookups by subscription.
    op.drop_index(op.f('ix_deliveries_subscription_id'), table_name='deliveries')


def downgrade() -> None:
    op.create_index(op.f('ix_deliveries_subscription_id'), 'deliveries', ['subscription_id'], unique=False)
    op.drop_table('closed_exercises')
