"""Outbox commit-to-consumer latency and throughput, beside raw aiokafka produce->consume.

    uv run python bench/outbox_latency.py [--events 5000] [--writers 16] [--short]

Baseline: the same number of messages produced straight to the broker with aiokafka and
read by a consumer, latency from the send call to receipt. Outbox: each event is written in
its own committed transaction (16 concurrent writers), the relay (woken by LISTEN/NOTIFY)
publishes it, and a consumer receives it; latency from the commit's return to receipt.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from datetime import UTC, datetime
from uuid import uuid4

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from benchlib import embedded_servers, percentile, report

from localrights.db import asyncpg_dsn, create_engine, run_sql, session_factory
from localrights.events.catalog.consultation import ConsultationClosed
from localrights.kafka import KafkaConnection, ensure_topics
from localrights.migrations import create_database
from localrights.outbox import OutboxMessage, OutboxRelay, record_event

TOPIC = "consultation.events"


async def consume(bootstrap: str, topic: str, count: int, received: dict[str, float]) -> None:
    # Assigned partitions (no group to join), so timing starts with a reading consumer.
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, fetch_max_wait_ms=20
    )
    await consumer.start()
    metadata = await consumer._client.fetch_all_metadata()
    consumer.assign([TopicPartition(topic, p) for p in metadata.partitions_for_topic(topic) or ()])
    await consumer.seek_to_beginning()
    try:
        while len(received) < count:
            batch = await consumer.getmany(timeout_ms=100)
            now = time.perf_counter()
            for records in batch.values():
                for record in records:
                    received[json.loads(record.value or b"{}")["id"]] = now
    finally:
        await consumer.stop()


async def wait_assigned(received_task: asyncio.Task[None], seconds: float = 1.0) -> None:
    # Let the consumer fetch its first (empty) batch before timing starts.
    await asyncio.sleep(seconds)
    if received_task.done():
        await received_task


async def baseline(bootstrap: str, count: int) -> tuple[list[float], float]:
    topic = f"bench-raw-{uuid4().hex[:6]}"
    await ensure_topics(KafkaConnection(bootstrap), [topic])
    received: dict[str, float] = {}
    task = asyncio.create_task(consume(bootstrap, topic, count, received))
    await wait_assigned(task)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5, acks="all")
    await producer.start()
    sent: dict[str, float] = {}
    started = time.perf_counter()
    for _ in range(count):
        event_id = uuid4().hex
        sent[event_id] = time.perf_counter()
        await producer.send(topic, json.dumps({"id": event_id}).encode(), key=event_id.encode())
    await producer.flush()
    await task
    elapsed = max(received.values()) - started
    await producer.stop()
    return [received[k] - sent[k] for k in sent], count / elapsed


async def outbox(
    postgres_url: str, bootstrap: str, count: int, writers: int
) -> tuple[list[float], float]:
    prefix = f"bench{uuid4().hex[:6]}."
    await ensure_topics(KafkaConnection(bootstrap), [prefix + TOPIC])
    url = await create_database(postgres_url, f"bench_{uuid4().hex[:8]}")
    engine = create_engine(url, pool_size=writers, max_overflow=0)
    async with engine.begin() as conn:
        await conn.run_sync(lambda sync: OutboxMessage.__table__.create(sync))  # type: ignore[attr-defined]
    sessions = session_factory(engine)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5, acks="all")
    await producer.start()
    relay = OutboxRelay(dsn=asyncpg_dsn(url), producer=producer, topic_prefix=prefix)
    relay_task = asyncio.create_task(relay.run())
    received: dict[str, float] = {}
    consumer_task = asyncio.create_task(consume(bootstrap, prefix + TOPIC, count, received))
    await wait_assigned(consumer_task)
    committed: dict[str, float] = {}
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(count):
        queue.put_nowait(n)

    async def writer() -> None:
        while not queue.empty():
            n = queue.get_nowait()
            async with sessions() as session:
                envelope = await record_event(
                    session,
                    ConsultationClosed(
                        consultation_id=uuid4(),
                        institution_id=uuid4(),
                        closed_at=datetime.now(UTC),
                        response_count=n,
                    ),
                    source="/bench",
                )
                await session.commit()
            committed[envelope.id] = time.perf_counter()

    started = time.perf_counter()
    await asyncio.gather(*(writer() for _ in range(writers)))
    await consumer_task
    elapsed = max(received.values()) - started
    relay.stop()
    await relay_task
    await producer.stop()
    await engine.dispose()
    return [received[k] - committed[k] for k in committed], count / elapsed


async def plain_commits(postgres_url: str, count: int, writers: int) -> float:
    """Transactions/s of the same writers inserting a row each, without outbox or relay."""
    import asyncpg

    url = await create_database(postgres_url, f"bench_{uuid4().hex[:8]}")
    pool = await asyncpg.create_pool(asyncpg_dsn(url), min_size=writers, max_size=writers)
    await pool.execute("CREATE TABLE plain (id bigserial PRIMARY KEY, body jsonb NOT NULL)")
    remaining = iter(range(count))

    async def writer() -> None:
        for n in remaining:
            async with pool.acquire() as conn, conn.transaction():
                await conn.execute("INSERT INTO plain (body) VALUES ($1)", json.dumps({"n": n}))

    started = time.perf_counter()
    await asyncio.gather(*(writer() for _ in range(writers)))
    elapsed = time.perf_counter() - started
    await pool.close()
    return count / elapsed


async def session_commits(postgres_url: str, count: int, writers: int) -> float:
    """Transactions/s through the same SQLAlchemy sessions, one row each, without the outbox."""
    from sqlalchemy import text

    url = await create_database(postgres_url, f"bench_{uuid4().hex[:8]}")
    engine = create_engine(url, pool_size=writers, max_overflow=0)
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE plain (id bigserial PRIMARY KEY, body jsonb)"))
    sessions = session_factory(engine)
    remaining = iter(range(count))
    insert = text("INSERT INTO plain (body) VALUES (CAST(:body AS jsonb))")

    async def writer() -> None:
        for n in remaining:
            async with sessions() as session:
                await run_sql(session, insert, {"body": json.dumps({"n": n})})
                await session.commit()

    started = time.perf_counter()
    await asyncio.gather(*(writer() for _ in range(writers)))
    elapsed = time.perf_counter() - started
    await engine.dispose()
    return count / elapsed


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--short", action="store_true", help="a smoke run of a few seconds")
    args = parser.parse_args()
    count = 500 if args.short else args.events
    with embedded_servers() as servers:
        raw_latency, raw_rate = await baseline(servers.kafka_bootstrap_servers, count)
        plain_rate = await plain_commits(servers.postgres_url, count, args.writers)
        session_rate = await session_commits(servers.postgres_url, count, args.writers)
        box_latency, box_rate = await outbox(
            servers.postgres_url, servers.kafka_bootstrap_servers, count, args.writers
        )
    ms = 1000.0
    report(
        "outbox_latency",
        "events/s (commit->consumer)",
        box_rate,
        "events/s",
        baseline=session_rate,
        baseline_name="same session commits, no outbox",
    )
    report(
        "outbox_latency",
        "events/s (commit->consumer)",
        box_rate,
        "events/s",
        baseline=plain_rate,
        baseline_name="raw asyncpg commits, no outbox",
    )
    report(
        "outbox_latency",
        "events/s (commit->consumer)",
        box_rate,
        "events/s",
        baseline=raw_rate,
        baseline_name="raw aiokafka produce->consume",
    )
    report(
        "outbox_latency",
        "p50 latency",
        percentile(box_latency, 50) * ms,
        "ms",
        baseline=percentile(raw_latency, 50) * ms,
        baseline_name="raw aiokafka",
        higher_is_better=False,
    )
    report(
        "outbox_latency",
        "p99 latency",
        percentile(box_latency, 99) * ms,
        "ms",
        baseline=percentile(raw_latency, 99) * ms,
        baseline_name="raw aiokafka",
        higher_is_better=False,
    )


if __name__ == "__main__":
    asyncio.run(main())
