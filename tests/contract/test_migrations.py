"""Each service's migrations build exactly the schema its models declare.

The models are what the code reads and writes; the migrations are what a database gets. A
migration written by hand (or a model changed without one) shows up here as a difference
Alembic's autogenerate would find.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData
from sqlmodel import SQLModel

from localrights.db import create_engine
from localrights.testing.plugin import MigratedDatabase

from .contract_kit import SERVICES_DIR, migrations_of

SERVICES = sorted(p.name for p in SERVICES_DIR.iterdir() if (p / "migrations").is_dir())


def declared_metadata(service: str) -> list[MetaData]:
    """The metadata the service's migrations/env.py compares against: its tables' and the
    shared ones (outbox, processed events)."""
    models = importlib.import_module(f"localrights_{service}.models")
    own = {
        id(value.metadata): value.metadata
        for value in vars(models).values()
        if isinstance(value, type) and issubclass(value, SQLModel) and hasattr(value, "metadata")
    }
    own.pop(id(SQLModel.metadata), None)
    return [*own.values(), SQLModel.metadata]


@pytest.mark.parametrize("service", SERVICES)
async def test_migrations_match_the_models(
    service: str, migrated_database: MigratedDatabase
) -> None:
    url = await migrated_database(migrations_of(service))
    engine = create_engine(url, pool_size=1)
    metadata = declared_metadata(service)

    def differences(connection: Any) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))

    try:
        async with engine.connect() as connection:
            diff = await connection.run_sync(differences)
    finally:
        await engine.dispose()
    assert diff == [], f"{service}: migrations and models differ: {diff}"
