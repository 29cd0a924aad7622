"""Async database helpers: one engine per service, SQLModel sessions, stable constraint names."""

from __future__ import annotations

import errno
import socket
import ssl
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping
from contextlib import asynccontextmanager
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlsplit

import asyncpg
from fastapi import Depends, Request
from sqlalchemy import Executable, MetaData, Result
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.ext.asyncio import AsyncSession as SQLAlchemyAsyncSession
from sqlalchemy.orm import registry
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.secret_files import SettingsError, env_names
from localrights.settings import DatabaseSettings

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
    """The URL as asyncpg itself wants it, query (TLS parameters) included.

    Every connection the platform opens goes through this: the ORM engine's, the outbox
    relay's LISTEN and pool, the ingest and dispatch pools, COPY and migrations. asyncpg
    reads libpq's ``sslmode``, ``sslrootcert``, ``sslcert`` and ``sslkey`` from it, so TLS
    is configured once, in the URL (``DatabaseSettings`` puts its TLS settings there).
    """
    return "postgresql://" + sqlalchemy_url(url)[len("postgresql+asyncpg://") :]


def asyncpg_connector(
    url: str, **options: Any
) -> Callable[[], Coroutine[Any, Any, asyncpg.Connection]]:
    """What SQLAlchemy calls for a new connection: asyncpg's own, from ``asyncpg_dsn``.

    SQLAlchemy's asyncpg dialect would hand the URL's query to ``asyncpg.connect`` as
    keyword arguments, which has no ``sslmode``; asyncpg parses it from a DSN instead.
    """
    dsn = asyncpg_dsn(url)

    async def connect() -> asyncpg.Connection:
        return await asyncpg.connect(dsn, **options)

    return connect


def create_engine(url: str, *, pool_size: int = 10, max_overflow: int = 20) -> AsyncEngine:
    """An engine whose connections fail fast when PostgreSQL is away."""
    return create_async_engine(
        sqlalchemy_url(url).partition("?")[0],
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=True,
        pool_timeout=5,
        async_creator=asyncpg_connector(url, timeout=5, command_timeout=30),
    )


_VERIFYING_MODES = frozenset({"verify-ca", "verify-full"})


async def verify_database_tls(settings: DatabaseSettings) -> None:
    """Refuse to start, naming the settings, when PostgreSQL's certificate is not trusted.

    Only where the settings ask for verification. A database that does not answer yet is
    left to the usual reconnection (services start without it), but a certificate that
    does not verify, or names another host, will not get better by waiting.
    """
    query = dict(parse_qsl(urlsplit(settings.database_url).query))
    if query.get("sslmode") not in _VERIFYING_MODES:
        return
    try:
        connection = await asyncpg.connect(asyncpg_dsn(settings.database_url), timeout=10)
    except ssl.SSLCertVerificationError as exc:
        model = type(settings)
        raise SettingsError(
            f"PostgreSQL at {urlsplit(settings.database_url).hostname} refused: certificate "
            f"verify failed: {exc.verify_message or exc}; "
            f"check {env_names(model, 'database_sslrootcert')[0]} (the CA that signed the "
            f"server's certificate) and the host in {env_names(model, 'database_url')[0]} "
            "(the certificate must name it)"
        ) from None
    except Exception:  # not reachable yet: the pools reconnect once it is
        return
    await connection.close()


# Socket errors that say "the server is not reachable", unlike e.g. a missing file.
_UNREACHABLE = frozenset({errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN, errno.ENETDOWN})
# What asyncpg says of a connection it found closed (other InterfaceErrors are misuse: bugs).
_CLOSED = ("connection is closed", "connection was closed")


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception and what it wraps: SQLAlchemy's error, the driver's, the socket's."""
    chain: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and len(chain) < 6:
        chain.append(seen)
        seen = getattr(seen, "orig", None) or seen.__cause__ or seen.__context__
    return chain


def connection_broken(exc: BaseException) -> bool:
    """True when ``exc`` says the connection it happened on can run no further statement.

    Refused, reset or closed sockets; PostgreSQL's connection errors (class 08) and operator
    interventions (class 57: shutting down, terminated by an administrator, starting up; a
    cancelled statement aside); and asyncpg's internal client errors, which it raises when a
    statement meets a protocol left midway by the server's last message ("cannot switch to
    state 12; another operation (2) is in progress"). Such a connection must be terminated,
    never reused.
    """
    for seen in _causes(exc):
        if isinstance(seen, asyncpg.exceptions.QueryCanceledError):
            return False
        if isinstance(
            seen,
            ConnectionError  # refused, reset
            | asyncpg.PostgresConnectionError
            | asyncpg.exceptions.OperatorInterventionError
            | asyncpg.exceptions.InternalClientError,
        ):
            return True
        if isinstance(seen, asyncpg.InterfaceError) and str(seen).startswith(_CLOSED):
            return True
        if isinstance(seen, OSError) and seen.errno in _UNREACHABLE:
            return True
    return False


def database_unavailable(exc: BaseException) -> bool:
    """True when ``exc`` says PostgreSQL cannot be reached now (retry later), not a bug.

    A broken connection (``connection_broken``), a connection SQLAlchemy found dead, no pooled
    connection within ``pool_timeout``, a timeout or a cancelled statement, a server name
    that does not resolve yet: the same request succeeds once the database is back.
    Constraint violations and SQL errors are not.
    """
    if connection_broken(exc):
        return True
    for seen in _causes(exc):
        if isinstance(seen, sa_exc.DBAPIError) and seen.connection_invalidated:
            return True
        if isinstance(
            seen,
            TimeoutError
            | asyncpg.exceptions.QueryCanceledError
            | socket.gaierror  # the server's name does not resolve (yet)
            | sa_exc.TimeoutError,  # the pool had no connection to give in time
        ):
            return True
    return False


@asynccontextmanager
async def pooled_connection(
    pool: asyncpg.Pool, *, timeout: float | None = None
) -> AsyncIterator[asyncpg.Connection]:
    """A connection of an asyncpg pool for one piece of work.

    One that breaks is terminated, so the pool replaces it instead of lending it out again
    (a custom ``reset`` that skips the round trip would not notice), and the failure is
    raised as ``ConnectionError``, which services answer with a retryable 503.
    """
    try:
        async with pool.acquire(timeout=timeout) as connection:
            try:
                yield connection
            except BaseException as exc:
                if connection_broken(exc):
                    connection.terminate()
                raise
    except ConnectionError:
        raise
    except Exception as exc:
        if connection_broken(exc):
            raise ConnectionError(f"database connection lost: {exc!r}"[:500]) from exc
        raise


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
