"""submission_refused(): aborts a refused submission's one statement

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 11:55:00.000000
"""
from collections.abc import Sequence

from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A submission is one autocommit statement (repository.submit): when any guard refuses,
    # this error aborts it, which undoes the guards that did pass (key claimed, code used,
    # quota counted), and tells the caller in DETAIL which guards passed.
    op.execute(
        """
        CREATE FUNCTION submission_refused(key_claimed boolean, code_ok boolean,
                                           within_quota boolean)
        RETURNS timestamptz LANGUAGE plpgsql VOLATILE AS $$
        BEGIN
            RAISE EXCEPTION 'submission refused' USING ERRCODE = 'LRC01',
                DETAIL = concat_ws(',', key_claimed::text, code_ok::text, within_quota::text);
        END
        $$
        """
    )


def downgrade() -> None:
    op.execute("DROP FUNCTION submission_refused(boolean, boolean, boolean)")
