"""Kafka clients built from settings, and topic creation."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from localrights.events import all_topics, dlq_topic


def create_producer(
    bootstrap_servers: str, *, enable_idempotence: bool, client_id: str
) -> AIOKafkaProducer:
    """A producer that waits for all in-sync replicas; idempotence where the broker has it."""
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        acks="all",
        enable_idempotence=enable_idempotence,
        linger_ms=5,
        request_timeout_ms=15000,
    )


def platform_topics(prefix: str = "") -> list[str]:
    """Every registered topic and its dead-letter topic, with the deployment's prefix."""
    topics = all_topics()
    return [prefix + t for t in topics] + [prefix + dlq_topic(t) for t in topics]


async def ensure_topics(
    bootstrap_servers: str, topics: Iterable[str], *, partitions: int = 3
) -> None:
    """Create the topics that do not exist yet (idempotent, safe from several processes)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=15000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in topics if t not in existing]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(
                    [NewTopic(t, num_partitions=partitions, replication_factor=1) for t in missing]
                )
    finally:
        await admin.close()
