"""published_results snapshots; consultations' topics and what happens next

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-08 10:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        'consultations',
        sa.Column(
            'topics', postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"), nullable=False,
        ),
    )
    op.add_column(
        'consultations',
        sa.Column(
            'what_happens_next', postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"), nullable=False,
        ),
    )
    op.create_table(
        'published_results',
        sa.Column('consultation_id', sa.Uuid(), nullable=False),
        sa.Column('breakdown', sa.Text(), nullable=False),
        sa.Column('results', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            'created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint(
            'consultation_id', 'breakdown', name=op.f('pk_published_results')
        ),
    )


def downgrade() -> None:
    op.drop_table('published_results')
    op.drop_column('consultations', 'what_happens_next')
    op.drop_column('consultations', 'topics')
