"""pytest plugin (entry point ``localrights``): real PostgreSQL and broker for every test.

Fixtures:
- ``infrastructure``: the session's servers (see ``infrastructure.py`` for where they come from);
- ``kafka_bootstrap_servers`` and ``postgres_server_url``;
- ``topic_prefix``: a fresh topic namespace per test, so tests sharing one broker never
  see each other's events;
- ``migrated_database``: ``await migrated_database(script_location)`` returns the URL of a
  new database at the head of those migrations (cloned from a template migrated once);
- ``internal_jwt_secret``: the secret internal tokens are signed with in this session;
- ``restored_gc``: the garbage collector given back as it was (thresholds, nothing frozen)
  to the tests after one that tunes it.
"""

from __future__ import annotations

import gc
import itertools
import os
import secrets
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from uuid import uuid4

import pytest

from localrights.migrations import aupgrade_database, create_database
from localrights.testing.infrastructure import Infrastructure, provide_infrastructure

MigratedDatabase = Callable[[str | Path], Awaitable[str]]


def pytest_configure() -> None:
    # A test process starts hundreds of apps: freezing what each one's start-up built
    # (localrights.gc_tuning) would keep every earlier test's leftovers for good.
    os.environ.setdefault("GC_TUNING", "false")
    # Every app a test starts joins its consumer group, and the broker answers a first join
    # after about half the session timeout: 5 s at the production 10 s, paid hundreds of
    # times. 6 s is Kafka's own minimum (group.min.session.timeout.ms); at 3 s two
    # notifications tests failed in a full run. Services started by the launcher inherit it.
    os.environ.setdefault("KAFKA_SESSION_TIMEOUT_MS", "6000")


@pytest.fixture
def restored_gc() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


@pytest.fixture(scope="session")
def infrastructure(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Infrastructure]:
    with provide_infrastructure(tmp_path_factory.mktemp("infrastructure")) as infra:
        yield infra


@pytest.fixture(scope="session")
def kafka_bootstrap_servers(infrastructure: Infrastructure) -> str:
    return infrastructure.kafka_bootstrap_servers


@pytest.fixture(scope="session")
def postgres_server_url(infrastructure: Infrastructure) -> str:
    return infrastructure.postgres_url


@pytest.fixture
def topic_prefix() -> str:
    return f"t{uuid4().hex[:10]}."


@pytest.fixture(scope="session")
def internal_jwt_secret() -> str:
    return secrets.token_urlsafe(48)


@pytest.fixture(scope="session")
def migrated_database(postgres_server_url: str) -> MigratedDatabase:
    templates: dict[Path, str] = {}
    counter = itertools.count()
    run = uuid4().hex[:6]

    async def make(script_location: str | Path) -> str:
        location = Path(script_location).resolve()
        if location not in templates:
            name = f"tpl_{location.parent.name}_{run}_{next(counter)}"
            url = await create_database(postgres_server_url, name)
            await aupgrade_database(url, location)
            templates[location] = name
        return await create_database(
            postgres_server_url,
            f"test_{location.parent.name}_{run}_{next(counter)}",
            template=templates[location],
        )

    return make
