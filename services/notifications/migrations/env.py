"""Alembic environment of the notifications database."""

from alembic import context
from sqlmodel import SQLModel

from localrights.migrations import run_migrations
from localrights_notifications.models import NotificationsTable

run_migrations(context, [NotificationsTable.metadata, SQLModel.metadata])
