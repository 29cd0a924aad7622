"""Fixtures for the shared library's own tests: a database with the outbox tables."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import uuid4

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, Text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.consumer import ProcessedEvent
from localrights.db import create_engine, session_factory
from localrights.migrations import create_database
from localrights.outbox import OutboxMessage

effects_metadata = MetaData()
effects = Table(
    "effects",
    effects_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", Text, nullable=False),
)


@pytest.fixture
async def database_url(postgres_server_url: str) -> str:
    url = await create_database(postgres_server_url, f"shared_{uuid4().hex[:12]}")
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(lambda sync: OutboxMessage.__table__.create(sync))  # type: ignore[attr-defined]
        await conn.run_sync(lambda sync: ProcessedEvent.__table__.create(sync))  # type: ignore[attr-defined]
        await conn.run_sync(effects_metadata.create_all)
    await engine.dispose()
    return url


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return session_factory(engine)
