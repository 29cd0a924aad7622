"""Helpers tests across services share: in-process apps, tokens, reading topics."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING
from uuid import UUID, uuid4

from aiokafka import TopicPartition

from localrights.auth import Principal, Role, issue_internal_token
from localrights.events import Envelope
from localrights.kafka import KafkaConnection, create_consumer

if TYPE_CHECKING:
    import httpx
    from fastapi import FastAPI


@contextlib.asynccontextmanager
async def running_app(
    app: FastAPI, *, token: str | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """Run an app's lifespan (runtime, relay, consumers) and give an HTTP client to it."""
    import httpx

    headers = {"authorization": f"Bearer {token}"} if token else {}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://service", headers=headers
        ) as client:
            yield client


def bearer(
    secret: str,
    *roles: Role,
    institution_id: UUID | None = None,
    country: str | None = None,
    jurisdiction: str | None = None,
    subject: str | None = None,
    client: str | None = None,
) -> dict[str, str]:
    """Headers carrying an internal token, as the gateway would send them."""
    principal = Principal(
        subject=subject or f"user-{uuid4().hex[:8]}",
        roles=frozenset(roles),
        institution_id=institution_id,
        country=country,
        jurisdiction=jurisdiction,
        client=client,
    )
    return {"authorization": f"Bearer {issue_internal_token(principal, secret=secret)}"}


def anonymous(secret: str, client: str = "client-1") -> dict[str, str]:
    """Headers the gateway sends for a resident without an account."""
    principal = Principal(subject=f"anonymous:{client}", kind="anonymous", client=client)
    return {"authorization": f"Bearer {issue_internal_token(principal, secret=secret)}"}


async def read_topic(
    kafka: str | KafkaConnection,
    topic: str,
    *,
    until: Callable[[list[Envelope]], bool],
    timeout: float = 20.0,
) -> list[Envelope]:
    """Read a topic from the start until ``until(events)`` holds; AssertionError on timeout.

    ``kafka`` is the test broker's address, or a ``KafkaConnection`` (TLS, SASL).
    """
    connection = kafka if isinstance(kafka, KafkaConnection) else KafkaConnection(kafka)
    # Assigned partitions, no consumer group: no rebalance to wait for.
    consumer = create_consumer(connection, enable_auto_commit=False, auto_offset_reset="earliest")
    await consumer.start()
    partitions = await consumer._client.fetch_all_metadata()
    consumer.assign(
        [TopicPartition(topic, p) for p in partitions.partitions_for_topic(topic) or ()]
    )
    await consumer.seek_to_beginning()
    events: list[Envelope] = []
    deadline = time.monotonic() + timeout
    try:
        while not until(events):
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{topic}: condition not met after {timeout}s; saw {[e.type for e in events]}"
                )
            batch = await consumer.getmany(timeout_ms=200)
            for records in batch.values():
                events.extend(Envelope.model_validate_json(r.value or b"") for r in records)
    finally:
        await consumer.stop()
    return events


async def eventually(
    check: Callable[[], object], *, timeout: float = 20.0, interval: float = 0.1
) -> None:
    """Poll an (async or sync) assertion until it passes or the time is up."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
            if asyncio.iscoroutine(result):
                await result
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(interval)
