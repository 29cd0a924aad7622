"""Alembic environment of the recommendations database."""

from alembic import context
from sqlmodel import SQLModel

import localrights_recommendations.models  # noqa: F401  (registers the tables)
from localrights.migrations import run_migrations

run_migrations(context, SQLModel.metadata)
