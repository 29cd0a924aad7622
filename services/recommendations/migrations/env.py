"""Alembic environment of the recommendations database."""

from alembic import context
from sqlmodel import SQLModel

from localrights.migrations import run_migrations
from localrights_recommendations.models import RecommendationsTable

run_migrations(context, [RecommendationsTable.metadata, SQLModel.metadata])
