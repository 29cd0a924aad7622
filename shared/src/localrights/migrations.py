"""Alembic helpers: each service migrates its own database with its own scripts."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import asyncpg
from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData, pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from localrights.db import asyncpg_connector, asyncpg_dsn, sqlalchemy_url, verify_database_tls
from localrights.settings import SettingsError, database_settings

MIGRATION_LOCK_ID = 7_452_901  # arbitrary, the same in every service's database


def alembic_config(database_url: str, script_location: str | Path) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.set_main_option("sqlalchemy.url", sqlalchemy_url(database_url).replace("%", "%%"))
    return config


def upgrade_database(database_url: str, script_location: str | Path) -> None:
    """``alembic upgrade head`` for one service's database (blocking; no running loop)."""
    command.upgrade(alembic_config(database_url, script_location), "head")


async def aupgrade_database(database_url: str, script_location: str | Path) -> None:
    """``upgrade_database`` from async code (Alembic's env runs its own event loop)."""
    await asyncio.to_thread(upgrade_database, database_url, script_location)


def run_migrations(context: Any, target_metadata: MetaData | list[MetaData]) -> None:
    """Body of every service's ``migrations/env.py`` (online mode, async engine)."""
    url = context.config.get_main_option("sqlalchemy.url")

    def do_run(connection: Connection) -> None:
        context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
        with context.begin_transaction():
            # Replicas starting together migrate one at a time; the others then find the
            # database at head. The lock ends with the migration's transaction.
            connection.execute(text(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_ID})"))
            context.run_migrations()

    async def run_async() -> None:
        engine = create_async_engine(
            url.partition("?")[0], poolclass=pool.NullPool, async_creator=asyncpg_connector(url)
        )
        async with engine.connect() as connection:
            await connection.run_sync(do_run)
        await engine.dispose()

    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
    else:
        asyncio.run(run_async())


async def create_database(server_url: str, name: str, *, template: str | None = None) -> str:
    """Create ``name`` on the server of ``server_url`` if missing; return the new URL."""
    conn = await asyncpg.connect(asyncpg_dsn(server_url))
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            clause = f' TEMPLATE "{template}"' if template else ""
            await conn.execute(f'CREATE DATABASE "{name}"{clause}')
    finally:
        await conn.close()
    return database_url_for(server_url, name)


def database_url_for(server_url: str, name: str) -> str:
    """The same server's URL with another database name (query string kept)."""
    base, _, query = server_url.partition("?")
    head, _, _ = base.rpartition("/")
    return f"{head}/{name}" + (f"?{query}" if query else "")


def main(argv: list[str] | None = None) -> None:
    """``python -m localrights.migrations <service>``: migrate that service's database.

    Reads the service's database settings as the service does (``<SERVICE>_DATABASE_URL``
    or ``..._URL_FILE``, ``<SERVICE>_DATABASE_SSLMODE`` ...) and its scripts in
    ``services/<service>/migrations`` below the working directory (containers run from /app).
    """
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("service")
    parser.add_argument("--root", type=Path, default=Path.cwd())
    args = parser.parse_args(argv)
    try:
        settings = database_settings(args.service)
        asyncio.run(verify_database_tls(settings))
    except SettingsError as exc:
        raise SystemExit(str(exc)) from None
    upgrade_database(settings.database_url, args.root / "services" / args.service / "migrations")


if __name__ == "__main__":
    main()
