"""Alembic environment of the consultation database."""

from alembic import context

import localrights_consultation.models  # noqa: F401  (registers the tables)
from localrights.migrations import run_migrations
from sqlmodel import SQLModel

run_migrations(context, SQLModel.metadata)
