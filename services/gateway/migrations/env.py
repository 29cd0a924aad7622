"""Alembic environment of the gateway database."""

from alembic import context
from sqlmodel import SQLModel

from localrights.migrations import run_migrations
from localrights_gateway.models import GatewayTable

run_migrations(context, [GatewayTable.metadata, SQLModel.metadata])
