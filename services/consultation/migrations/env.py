"""Alembic environment of the consultation database."""

from alembic import context
from sqlmodel import SQLModel

from localrights.migrations import run_migrations
from localrights_consultation.models import ConsultationTable

run_migrations(context, [ConsultationTable.metadata, SQLModel.metadata])
