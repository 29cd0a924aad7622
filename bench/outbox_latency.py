"""Outbox commit-to-consumer latency beside raw aiokafka at the same pace; its throughput.

    uv run python bench/outbox_latency.py [--rate 400] [--seconds 3] [--rounds 7]
        [--events 5000] [--writers 16] [--short]

Latency, open loop: events come at ``--rate`` a second whatever each takes, three ways:
- raw: the same CloudEvent produced straight to the broker, from send() to receipt;
- dual write: a transaction of the same size (one row, no outbox) commits, then the event
  is produced as in raw, from the send (it is lost if the process dies in between);
- outbox: ``record_event`` in its own transaction, published by the platform's relay (woken
  by LISTEN/NOTIFY), from the commit's return to receipt.
Producers are the platform's (``create_producer``); a reader in its own process takes each
topic (``bench/_receiver.py``). Rounds alternate raw, dual write, outbox ``--rounds``
times, so that the shared machine's load weighs on all alike; figures are the medians of
the rounds' p50 and p99, each round printed, and where an outbox event's time went.

Throughput, closed loop: ``--writers`` writers as fast as they go through the outbox,
beside the same commits without it, plain asyncpg commits, and a burst straight to the broker.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import cast
from uuid import uuid4

import asyncpg
from _outbox_stages import TimedProducer, TimedRelay, print_stages
from _receiver import Receiver
from aiokafka import AIOKafkaProducer
from benchlib import embedded_servers, percentile, report
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from localrights.db import asyncpg_dsn, create_engine, run_sql, session_factory
from localrights.events import get_event_type, new_event
from localrights.events.catalog.consultation import ConsultationClosed
from localrights.gc_tuning import tune_for_service
from localrights.kafka import KafkaConnection, create_producer, ensure_topics
from localrights.migrations import create_database
from localrights.outbox import CLOUDEVENTS_CONTENT_TYPE, OutboxMessage, record_event

BENCH = "outbox_latency"
TOPIC = get_event_type("consultation.closed").topic
HEADERS = [("content-type", CLOUDEVENTS_CONTENT_TYPE)]
MS = 1000.0

# One event of a contender: n -> (event id, the time its latency counts from).
Event = Callable[[int], Awaitable[tuple[str, float]]]


def closed(n: int) -> ConsultationClosed:
    return ConsultationClosed(
        consultation_id=uuid4(),
        institution_id=uuid4(),
        closed_at=datetime.now(UTC),
        response_count=n,
    )


def raw_event(n: int) -> tuple[str, bytes, bytes]:
    """The id, value and key of an event as the relay would send it."""
    envelope = new_event(closed(n), source="/bench")
    value = envelope.model_dump_json(exclude_none=True).encode()
    return envelope.id, value, (envelope.subject or envelope.id).encode()


async def outbox_database(postgres_url: str, writers: int) -> tuple[str, AsyncEngine]:
    url = await create_database(postgres_url, f"bench_{uuid4().hex[:8]}")
    engine = create_engine(url, pool_size=writers, max_overflow=0)
    async with engine.begin() as conn:
        await conn.run_sync(lambda sync: OutboxMessage.__table__.create(sync))  # type: ignore[attr-defined]
        await conn.execute(text("CREATE TABLE plain (id bigserial PRIMARY KEY, body jsonb)"))
    return url, engine


@dataclass
class Contender:
    """One way of getting events to a consumer: its own topic, reader and timings."""

    name: str
    topic: str
    event: Event
    origins: list[dict[str, float]] = field(default_factory=list)  # per round
    received: dict[str, float] = field(default_factory=dict)

    def latencies(self, pct: float) -> list[float]:
        """The pct-th percentile of each round, in ms."""
        return [
            percentile([self.received[i] - at for i, at in times.items()], pct) * MS
            for times in self.origins
        ]


async def paced(rate: float, count: int, event: Event, origins: dict[str, float]) -> None:
    """Start event n at n / rate seconds, each in its own task; note where each counts from."""

    async def one(n: int) -> None:
        event_id, at = await event(n)
        origins[event_id] = at

    tasks = []
    started = time.monotonic()
    for n in range(count):
        delay = started + n / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(n)))
    await asyncio.gather(*tasks)


async def latency(args: argparse.Namespace, postgres_url: str, kafka: KafkaConnection) -> None:
    """Alternating paced rounds of raw, dual-write and outbox events; report them."""
    count = int(args.rate * args.seconds)
    producer = create_producer(kafka, enable_idempotence=False, client_id="bench-raw")
    relay_producer = create_producer(kafka, enable_idempotence=False, client_id="bench-relay")
    await asyncio.gather(producer.start(), relay_producer.start())
    url, engine = await outbox_database(postgres_url, args.writers)
    sessions = session_factory(engine)
    prefix = f"bench{uuid4().hex[:6]}."
    timed = TimedProducer(relay_producer)
    relay = TimedRelay(
        dsn=asyncpg_dsn(url), producer=cast(AIOKafkaProducer, timed), topic_prefix=prefix
    )
    relay_task = asyncio.create_task(relay.run())
    raw_topic, dual_topic = f"bench-raw-{uuid4().hex[:6]}", f"bench-dual-{uuid4().hex[:6]}"
    insert = text("INSERT INTO plain (body) VALUES (CAST(:body AS jsonb))")

    async def raw(n: int) -> tuple[str, float]:
        event_id, value, key = raw_event(n)
        at = time.monotonic()
        await (await producer.send(raw_topic, value=value, key=key, headers=HEADERS))
        return event_id, at

    async def dual(n: int) -> tuple[str, float]:
        event_id, value, key = raw_event(n)
        async with sessions() as session:
            await run_sql(session, insert, {"body": value.decode()})
            await session.commit()
        at = time.monotonic()
        await (await producer.send(dual_topic, value=value, key=key, headers=HEADERS))
        return event_id, at

    keys: dict[str, bytes] = {}  # event id -> the key the relay sends it with

    async def outbox(n: int) -> tuple[str, float]:
        async with sessions() as session:
            envelope = await record_event(session, closed(n), source="/bench")
            await session.commit()
        keys[envelope.id] = (envelope.subject or envelope.id).encode()
        return envelope.id, time.monotonic()

    contenders = [
        Contender("raw aiokafka", raw_topic, raw),
        Contender("dual write", dual_topic, dual),
        Contender("outbox", prefix + TOPIC, outbox),
    ]
    await ensure_topics(kafka, [c.topic for c in contenders])
    total = count * args.rounds
    receivers = [Receiver(kafka.bootstrap_servers, c.topic, total, count) for c in contenders]
    await asyncio.gather(*(r.start() for r in receivers))
    tune_for_service()  # as a service process is, once started
    try:
        for _ in range(args.rounds):
            for contender, receiver in zip(contenders, receivers, strict=True):
                contender.origins.append({})
                await paced(args.rate, count, contender.event, contender.origins[-1])
                await receiver.next_every()
        for contender, receiver in zip(contenders, receivers, strict=True):
            contender.received = await receiver.times()
    finally:
        relay.stop()
        await relay_task
        await asyncio.gather(producer.stop(), relay_producer.stop())
        await engine.dispose()

    for contender in contenders:
        p50s, p99s = contender.latencies(50), contender.latencies(99)
        print(f"  {contender.name:<13} p50 by round (ms): " + " ".join(f"{v:.1f}" for v in p50s))
        print(f"  {contender.name:<13} p99 by round (ms): " + " ".join(f"{v:.1f}" for v in p99s))
    box = contenders[2]
    print_stages(box.origins, box.received, timed, relay.batches, relay.deletes, keys)
    of = f"same pace, median of {args.rounds}"
    for pct, against in ((50, contenders[0]), (99, contenders[0]), (99, contenders[1])):
        report(
            BENCH,
            f"p{pct} latency at {args.rate:g}/s",
            statistics.median(box.latencies(pct)),
            "ms",
            baseline=statistics.median(against.latencies(pct)),
            baseline_name=f"{against.name} produce->consume, {of}",
            higher_is_better=False,
        )


async def throughput(args: argparse.Namespace, postgres_url: str, kafka: KafkaConnection) -> None:
    """Events/s through the outbox, writers as fast as they go, beside what it adds to."""
    count = args.events
    url, engine = await outbox_database(postgres_url, args.writers)
    sessions = session_factory(engine)
    insert = text("INSERT INTO plain (body) VALUES (CAST(:body AS jsonb))")
    prefix, raw_topic = f"bench{uuid4().hex[:6]}.", f"bench-burst-{uuid4().hex[:6]}"
    await ensure_topics(kafka, [prefix + TOPIC, raw_topic])
    producer = create_producer(kafka, enable_idempotence=False, client_id="bench-throughput")
    await producer.start()

    async def closed_loop(work: Callable[[int], Awaitable[None]]) -> float:
        remaining = iter(range(count))

        async def writer() -> None:
            for n in remaining:
                await work(n)

        started = time.monotonic()
        await asyncio.gather(*(writer() for _ in range(args.writers)))
        return started

    async def session_commit(n: int) -> None:
        async with sessions() as session:
            await run_sql(session, insert, {"body": json.dumps({"n": n})})
            await session.commit()

    pool = await asyncpg.create_pool(asyncpg_dsn(url), min_size=args.writers, max_size=args.writers)

    async def plain_commit(n: int) -> None:
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute("INSERT INTO plain (body) VALUES ($1)", json.dumps({"n": n}))

    async def outbox_commit(n: int) -> None:
        async with sessions() as session:
            await record_event(session, closed(n), source="/bench")
            await session.commit()

    async def rate_to_reader(topic: str, load: Callable[[], Awaitable[float]]) -> float:
        receiver = Receiver(kafka.bootstrap_servers, topic, count, 0)
        await receiver.start()
        started = await load()
        return count / (max((await receiver.times()).values()) - started)

    async def burst() -> float:
        started = time.monotonic()
        for n in range(count):
            _, value, key = raw_event(n)
            await producer.send(raw_topic, value=value, key=key, headers=HEADERS)
        await producer.flush()
        return started

    relay = TimedRelay(dsn=asyncpg_dsn(url), producer=producer, topic_prefix=prefix)
    relay_task = asyncio.create_task(relay.run())
    try:
        rates = {}
        for name, work in (("session", session_commit), ("plain", plain_commit)):
            started = await closed_loop(work)
            rates[name] = count / (time.monotonic() - started)
        rates["raw"] = await rate_to_reader(raw_topic, burst)
        rates["outbox"] = await rate_to_reader(prefix + TOPIC, lambda: closed_loop(outbox_commit))
    finally:
        relay.stop()
        await relay_task
        await producer.stop()
        await pool.close()
        await engine.dispose()
    for name, baseline_name in (
        ("session", "same session commits, no outbox"),
        ("plain", "raw asyncpg commits, no outbox"),
        ("raw", "raw aiokafka burst produce->consume"),
    ):
        report(
            BENCH,
            f"events/s (commit->consumer, {args.writers} writers)",
            rates["outbox"],
            "events/s",
            baseline=rates[name],
            baseline_name=baseline_name,
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=400.0, help="events a second (latency)")
    parser.add_argument("--seconds", type=float, default=3.0, help="of each latency round")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--events", type=int, default=5000, help="for the throughput figures")
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--short", action="store_true", help="a smoke run of a few seconds")
    args = parser.parse_args()
    if args.short:
        args.seconds, args.rounds, args.events = 1.0, 2, 500
    with embedded_servers() as servers:
        kafka = KafkaConnection(servers.kafka_bootstrap_servers)
        await latency(args, servers.postgres_url, kafka)
        await throughput(args, servers.postgres_url, kafka)


if __name__ == "__main__":
    asyncio.run(main())
