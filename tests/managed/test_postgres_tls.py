"""PostgreSQL over TLS, verified: every service connects with ``sslmode=verify-full``.

The embedded PostgreSQL's build has no TLS ("SSL is not supported by this build"), so it
listens only on its Unix socket and its one network door is stunnel in PostgreSQL mode:
it answers the client's SSLRequest, presents a certificate for ``localhost`` from the
test's CA, and rejects any client that does not ask for TLS, as a managed server set to
require TLS does. The environment says ``PGSSLMODE=disable``, asyncpg's default for a
connection given no sslmode: a connection path that missed the service's TLS settings
(the outbox relay's LISTEN, the ingest pool, a migration) would go out in clear and be
rejected, so what works here works because the settings reached it.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from localrights.db import asyncpg_dsn
from localrights.embedded import EmbeddedPostgres
from localrights.events import get_event_type
from localrights.migrations import create_database, upgrade_database
from localrights.outbox import record_event
from localrights.runtime import ServiceRuntime
from localrights.settings import DatabaseSettings, ServiceSettings, SettingsError
from localrights.testing.helpers import eventually, running_app
from localrights.testing.tls import STUNNEL_MISSING, Certificates, TlsTerminator, stunnel_binary

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("consultation", "notifications", "recommendations", "gateway")


@dataclass
class TlsPostgres:
    server: EmbeddedPostgres
    door: TlsTerminator
    certificates: Certificates

    def url(self, database: str, host: str = "localhost") -> str:
        return f"postgresql://postgres@{host}:{self.door.port}/{database}"

    def clear_connections_rejected(self) -> int:
        """How many clients came without asking for TLS (stunnel logs each rejection)."""
        return self.door.log_text().count("did not request TLS")

    def tls_environment(self, service: str, ca_file: Path | None = None) -> dict[str, str]:
        prefix = service.upper()
        return {
            f"{prefix}_DATABASE_URL": self.url(service),
            f"{prefix}_DATABASE_SSLMODE": "verify-full",
            f"{prefix}_DATABASE_SSLROOTCERT": str(ca_file or self.certificates.ca_file),
        }


@pytest.fixture(scope="module")
def no_tls_unless_asked() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PGSSLMODE", "disable")
        yield


@pytest.fixture(scope="module")
def tls_postgres(
    tmp_path_factory: pytest.TempPathFactory, certificates: Certificates, no_tls_unless_asked: None
) -> Iterator[TlsPostgres]:
    """The server, with one database per service migrated over verified TLS."""
    if stunnel_binary() is None:
        pytest.skip(STUNNEL_MISSING)
    directory = tmp_path_factory.mktemp("tls-postgres")
    server = EmbeddedPostgres(directory / "pgdata", listen_tcp=False)
    server.start()
    door = TlsTerminator(
        directory, target=str(server.socket_path), certificates=certificates, protocol="pgsql"
    )
    door.start()
    tls = TlsPostgres(server, door, certificates)
    try:
        ca = certificates.ca_file
        for service in SERVICES:
            dsn = f"{tls.url('postgres')}?sslmode=verify-full&sslrootcert={ca}"
            asyncio.run(create_database(dsn, service))
        # One database through the command the container runs, the others in this process
        # (quicker): both open their connections from the service's TLS settings.
        command = subprocess.run(
            [sys.executable, "-m", "localrights.migrations", "gateway"],
            env={**os.environ, **tls.tls_environment("gateway")},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert command.returncode == 0, f"migrating over TLS failed:\n{command.stderr}"
        for service in SERVICES[:-1]:
            settings = DatabaseSettings(
                database_url=tls.url(service),
                database_sslmode="verify-full",
                database_sslrootcert=ca,
            )
            upgrade_database(settings.database_url, ROOT / "services" / service / "migrations")
        yield tls
    finally:
        door.stop()
        server.stop("immediate")


def service_settings(
    service: str, tls: TlsPostgres, kafka_bootstrap_servers: str, topic_prefix: str, **more: Any
) -> ServiceSettings:
    config = importlib.import_module(f"localrights_{service}.config")
    values: dict[str, Any] = {
        "database_url": tls.url(service),
        "database_sslmode": "verify-full",
        "database_sslrootcert": tls.certificates.ca_file,
        "kafka_bootstrap_servers": kafka_bootstrap_servers,
        "kafka_topic_prefix": topic_prefix,
        "internal_jwt_secret": "i" * 40,
        "log_json": False,
    }
    if service == "gateway":
        values["jwt_secret"] = "g" * 40
    values.update(more)
    settings: ServiceSettings = config.Settings(**values)
    return settings


async def backends(tls: TlsPostgres, database: str) -> list[str]:
    """The last query of every connection the server has to ``database``."""
    ca = tls.certificates.ca_file
    monitor = await asyncpg.connect(f"{tls.url('postgres')}?sslmode=verify-full&sslrootcert={ca}")
    try:
        rows = await monitor.fetch(
            "SELECT query FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            database,
        )
    finally:
        await monitor.close()
    return [row["query"] for row in rows]


@pytest.fixture
async def started(
    request: pytest.FixtureRequest,
    tls_postgres: TlsPostgres,
    kafka_bootstrap_servers: str,
    topic_prefix: str,
) -> AsyncIterator[tuple[str, Any, Any]]:
    service: str = request.param
    main = importlib.import_module(f"localrights_{service}.main")
    app = main.create_app(
        service_settings(service, tls_postgres, kafka_bootstrap_servers, topic_prefix)
    )
    async with running_app(app) as client:
        yield service, app, client


@pytest.mark.parametrize("started", SERVICES, indirect=True)
async def test_every_connection_of_the_service_is_verified_tls(
    started: tuple[str, Any, Any], tls_postgres: TlsPostgres
) -> None:
    service, app, client = started
    runtime: ServiceRuntime = app.state.runtime
    rejected_before = tls_postgres.clear_connections_rejected()

    health = (await client.get("/healthz")).json()
    assert health["checks"]["database"] == "ok", health  # the ORM engine's pool

    # The outbox relay: its LISTEN connection and its pool publish an event.
    async with runtime.sessions() as session:
        await record_event(
            session, get_event_type("recommendation.imported").example, source="/tls-test"
        )
        await session.commit()

    async def relayed() -> None:
        assert runtime.relay.published >= 1

    await eventually(relayed)

    if service == "consultation":  # the submission path's own asyncpg pool
        async with app.state.ingest.connection() as connection:
            assert await connection.fetchval("SELECT 1") == 1

    found = await backends(tls_postgres, service)
    listeners = [query for query in found if query.upper().startswith("LISTEN")]
    assert listeners, f"no LISTEN connection of {service}: {found}"
    if service == "notifications":  # the relay's and the dispatcher's
        assert len(listeners) == 2, found
    assert tls_postgres.clear_connections_rejected() == rejected_before


async def start_recommendations(settings: ServiceSettings) -> None:
    main = importlib.import_module("localrights_recommendations.main")
    async with running_app(main.create_app(settings)):
        pass


async def test_a_wrong_ca_is_refused_at_start_naming_the_setting(
    tls_postgres: TlsPostgres,
    other_certificates: Certificates,
    kafka_bootstrap_servers: str,
    topic_prefix: str,
) -> None:
    settings = service_settings(
        "recommendations",
        tls_postgres,
        kafka_bootstrap_servers,
        topic_prefix,
        database_sslrootcert=other_certificates.ca_file,
    )
    with pytest.raises(SettingsError) as refused:
        await start_recommendations(settings)
    message = str(refused.value)
    assert "certificate verify failed: unable to get local issuer certificate" in message
    assert "check RECOMMENDATIONS_DATABASE_SSLROOTCERT" in message


async def test_a_wrong_host_name_is_refused_at_start_naming_the_setting(
    tls_postgres: TlsPostgres, kafka_bootstrap_servers: str, topic_prefix: str
) -> None:
    settings = service_settings(
        "recommendations",
        tls_postgres,
        kafka_bootstrap_servers,
        topic_prefix,
        database_url=tls_postgres.url("recommendations", host="127.0.0.1"),
    )
    with pytest.raises(SettingsError) as refused:
        await start_recommendations(settings)
    message = str(refused.value)
    assert "IP address mismatch, certificate is not valid for '127.0.0.1'" in message
    assert "the host in RECOMMENDATIONS_DATABASE_URL" in message


def test_migrations_with_a_wrong_ca_stop_with_the_setting_named(
    tls_postgres: TlsPostgres, other_certificates: Certificates
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "localrights.migrations", "recommendations"],
        env={
            **os.environ,
            **tls_postgres.tls_environment("recommendations", other_certificates.ca_file),
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "PostgreSQL at localhost refused" in done.stderr
    assert "check RECOMMENDATIONS_DATABASE_SSLROOTCERT" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_connection_without_tls_is_rejected_by_the_door(tls_postgres: TlsPostgres) -> None:
    """The control: the door really refuses what does not ask for TLS."""
    rejected_before = tls_postgres.clear_connections_rejected()
    with pytest.raises((ConnectionError, asyncpg.PostgresConnectionError, OSError)):
        asyncio.run(asyncpg.connect(tls_postgres.url("postgres"), timeout=5))
    assert tls_postgres.clear_connections_rejected() == rejected_before + 1


def test_dsn_carries_the_tls_parameters(tls_postgres: TlsPostgres) -> None:
    settings = service_settings("consultation", tls_postgres, "kafka:9092", "")
    dsn = asyncpg_dsn(settings.database_url)
    assert dsn.startswith(f"postgresql://postgres@localhost:{tls_postgres.door.port}/")
    assert "sslmode=verify-full" in dsn and "sslrootcert=" in dsn
