"""Where an outbox event's time goes: the platform's relay and producer, with timestamps.

For each event: commit -> the relay's batch that takes it starts (the relay waking up, or
finishing the batch before) -> sent (the SELECT ... FOR UPDATE) -> acknowledged by the
broker -> received by the reader. For each batch: the DELETE and COMMIT after the acks,
and what of it the next batch still waited for.
"""

from __future__ import annotations

import bisect
import contextlib
import statistics
import time
from typing import Any

from aiokafka import AIOKafkaProducer
from benchlib import percentile

from localrights.outbox import OutboxRelay

MS = 1000.0


class TimedProducer:
    """The relay's producer, noting when each message (by key) is sent and acknowledged."""

    def __init__(self, producer: AIOKafkaProducer) -> None:
        self._producer = producer
        self.sent: dict[bytes, float] = {}
        self.acked: dict[bytes, float] = {}

    async def send(self, topic: str, value: bytes, key: bytes, **options: Any) -> Any:
        self.sent[key] = time.monotonic()
        delivery = await self._producer.send(topic, value=value, key=key, **options)
        delivery.add_done_callback(lambda _: self.acked.__setitem__(key, time.monotonic()))
        return delivery


class TimedRelay(OutboxRelay):
    """The platform's relay, noting when each batch starts and is done with."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.batches: list[tuple[float, float]] = []  # publish_batch: called, returned
        self.deletes: list[float] = []  # seconds the DELETE and COMMIT took

    async def publish_batch(self) -> int:
        started = time.monotonic()
        sent = await super().publish_batch()
        if sent:
            self.batches.append((started, time.monotonic()))
        return sent

    async def _delete(self, batch: contextlib.AsyncExitStack, conn: Any, ids: list[int]) -> None:
        started = time.monotonic()
        await super()._delete(batch, conn, ids)
        self.deletes.append(time.monotonic() - started)


def print_stages(
    rounds: list[dict[str, float]],
    received: dict[str, float],
    producer: TimedProducer,
    batches: list[tuple[float, float]],
    deletes: list[float],
    keys: dict[str, bytes],
) -> None:
    """Median of every event, and mean of the slowest 1%, for each stage."""
    starts = [start for start, _ in batches]
    events: list[tuple[float, list[float]]] = []
    for committed_at in rounds:
        for event_id, committed in committed_at.items():
            key = keys[event_id]
            sent, acked, got = producer.sent[key], producer.acked[key], received[event_id]
            start = starts[bisect.bisect_right(starts, sent) - 1]
            events.append(
                (got - committed, [start - committed, sent - start, acked - sent, got - acked])
            )
    events.sort(key=lambda event: event[0])
    slowest = events[-max(1, len(events) // 100) :]
    print(f"  where an outbox event's time goes, ms: median of {len(events)} | mean of slowest 1%")
    names = ("commit -> batch starts", "batch starts -> sent", "sent -> acked", "acked -> received")
    for i, name in enumerate(names):
        all_ = statistics.median(parts[i] for _, parts in events) * MS
        tail = statistics.fmean(parts[i] for _, parts in slowest) * MS
        print(f"    {name:<24} {all_:6.1f} | {tail:6.1f}")
    acks = sorted(producer.acked.values())
    waited = []
    for start, end in batches:
        last = bisect.bisect_right(acks, end) - 1
        if last >= 0 and acks[last] >= start:
            waited.append(end - acks[last])
    print(
        f"    per batch ({len(batches)}): DELETE+COMMIT median "
        f"{statistics.median(deletes) * MS:.1f}, p99 {percentile(deletes, 99) * MS:.1f}; "
        f"of it still waited for by the next batch median {statistics.median(waited) * MS:.1f}, "
        f"p99 {percentile(waited, 99) * MS:.1f}"
    )
