"""Async database helpers: one engine per service, SQLModel sessions, stable constraint names."""

from __future__ import annotations

import errno
import socket
from collections.abc import AsyncIterator, Mapping
from typing import Annotated, Any

import asyncpg
from fastapi import Depends, Request
from sqlalchemy import Executable, MetaData, Result
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.ext.asyncio import AsyncSession as SQLAlchemyAsyncSession
from sqlalchemy.orm import registry
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

# Named constraints keep Alembic migrations stable across machines (fastapi-best-practices).
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION


def service_registry() -> registry:
    """A mapper registry with its own MetaData, for one service's tables.

    Each service owns its own database, so each keeps its own MetaData: two services may
    both have an ``institutions`` table (the gateway's, and another's projection of it) and
    still be imported into one process (the test run, the launcher). The shared ``outbox``
    and ``processed_events`` tables stay on SQLModel's default MetaData.
    """
    return registry(metadata=MetaData(naming_convention=NAMING_CONVENTION))


def sqlalchemy_url(url: str) -> str:
    """The URL as SQLAlchemy's asyncpg dialect wants it."""
    for prefix in (
        "postgresql+asyncpg://",
        "postgresql+psycopg2://",
        "postgresql://",
        "postgres://",
    ):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    raise ValueError(f"not a PostgreSQL URL: {url.split('@')[-1]}")


def asyncpg_dsn(url: str) -> str:
    """The URL as asyncpg itself wants it (for LISTEN/NOTIFY and COPY)."""
    return "postgresql://" + sqlalchemy_url(url)[len("postgresql+asyncpg://") :]


def create_engine(url: str, *, pool_size: int = 10, max_overflow: int = 20) -> AsyncEngine:
    """An engine whose connections fail fast when PostgreSQL is away."""
    return create_async_engine(
        sqlalchemy_url(url),
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=True,
        pool_timeout=5,
        connect_args={"timeout": 5, "command_timeout": 30},
    )


# Socket errors that say "the server is not reachable", unlike e.g. a missing file.
_UNREACHABLE = frozenset({errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN, errno.ENETDOWN})


def database_unavailable(exc: BaseException) -> bool:
    """True when ``exc`` says PostgreSQL cannot be reached now (retry later), not a bug.

    Refused or dropped connections, a server starting up or shutting down, a connection
    SQLAlchemy found dead, no pooled connection within ``pool_timeout``: the same request
    succeeds once the database is back. Constraint violations and SQL errors are not.
    """
    seen: BaseException | None = exc
    for _ in range(6):  # SQLAlchemy wraps the driver's error, which wraps the socket's
        if seen is None:
            return False
        if isinstance(seen, sa_exc.DBAPIError) and seen.connection_invalidated:
            return True
        if isinstance(
            seen,
            ConnectionError  # refused, reset
            | TimeoutError
            | socket.gaierror  # the server's name does not resolve (yet)
            | sa_exc.TimeoutError  # the pool had no connection to give in time
            | asyncpg.PostgresConnectionError
            | asyncpg.exceptions.OperatorInterventionError,  # starting up, shutting down
        ):
            return True
        if isinstance(seen, OSError) and seen.errno in _UNREACHABLE:
            return True
        seen = getattr(seen, "orig", None) or seen.__cause__ or seen.__context__
    return False


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


async def run_sql(
    session: AsyncSession, statement: Executable, params: Mapping[str, Any] | None = None
) -> Result[Any]:
    """Run hand-written SQL (``text()``), or a Core select read as plain rows, in the
    session's transaction, after flushing pending objects.

    SQLModel deprecates ``session.execute`` in favour of ``session.exec``, whose types take
    neither ``text()`` yet (fastapi/sqlmodel#1657) nor give ``.mappings()``; this is
    SQLAlchemy's own ``execute``, which ``exec`` calls too. ORM selects and Core inserts or
    updates go through ``session.exec``.
    """
    return await SQLAlchemyAsyncSession.execute(session, statement, params)


async def _request_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request; the use case commits, anything uncommitted is rolled back."""
    sessions: async_sessionmaker[AsyncSession] = request.app.state.runtime.sessions
    async with sessions() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(_request_session)]
