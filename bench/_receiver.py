"""A reader of one topic in a process of its own, as a consuming service is: receipt times.

    python bench/_receiver.py BOOTSTRAP TOPIC COUNT [--every N] [--timeout SECONDS]

Prints ``ready`` once it reads every partition of TOPIC (from the beginning), the count so
far each time it passes a multiple of ``--every``, and after COUNT messages (or the timeout)
one JSON line: each message's ``id`` (a CloudEvent's) and the ``time.monotonic()`` it was
received at. CLOCK_MONOTONIC is one clock for every process of the machine, so the
benchmark compares these times with its own. ``Receiver`` is the benchmark's handle on it.

Fetches wait at most 10 ms. Tansu, the embedded broker, holds a fetch for about half its
maximum wait even when messages arrive meanwhile (Kafka answers as soon as there are
some): with the platform consumers' 100 ms, that hold alone is a median of about 25 ms
and a p99 of about 50 ms on every message, whatever sent it, and hides what the senders
cost. At 10 ms it is under 5 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import cast

from aiokafka import AIOKafkaConsumer, TopicPartition

FETCH_MAX_WAIT_MS = 10


async def receive(
    bootstrap: str, topic: str, count: int, every: int, timeout: float
) -> dict[str, float]:
    # Assigned partitions rather than a group to join, so that "ready" means reading.
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, fetch_max_wait_ms=FETCH_MAX_WAIT_MS
    )
    await consumer.start()
    try:
        metadata = await consumer._client.fetch_all_metadata()
        partitions = metadata.partitions_for_topic(topic) or set()
        if not partitions:
            raise SystemExit(f"topic {topic} does not exist")
        consumer.assign([TopicPartition(topic, p) for p in partitions])
        await consumer.seek_to_beginning()
        await consumer.getmany(timeout_ms=100)
        print("ready", flush=True)
        deadline = time.monotonic() + timeout
        fetched: list[tuple[float, list[bytes]]] = []
        seen = 0
        while seen < count and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            now = time.monotonic()
            values = [record.value or b"{}" for records in batch.values() for record in records]
            fetched.append((now, values))  # parsed afterwards: nothing else between fetches
            if every and (seen + len(values)) // every > seen // every:
                print(seen + len(values), flush=True)
            seen += len(values)
    finally:
        await consumer.stop()
    return {json.loads(value)["id"]: at for at, values in fetched for value in values}


class Receiver:
    """``_receiver.py`` reading one topic, from the benchmark's side."""

    def __init__(self, bootstrap: str, topic: str, count: int, every: int) -> None:
        self._args = [bootstrap, topic, str(count), "--every", str(every)]
        self._process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        """Start it and wait until it reads."""
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(Path(__file__)),
            *self._args,
            stdout=asyncio.subprocess.PIPE,
            limit=1 << 26,  # the last line holds every receipt time
        )
        if (line := await self._line()) != "ready":
            raise RuntimeError(f"receiver said {line!r}")

    async def next_every(self) -> None:
        """Wait until it has received the next ``every`` messages."""
        await self._line()

    async def times(self) -> dict[str, float]:
        """Once it has all COUNT messages: when each was received, by id."""
        received = cast(dict[str, float], json.loads(await self._line()))
        assert self._process is not None
        await self._process.wait()
        return received

    async def _line(self) -> str:
        assert self._process is not None and self._process.stdout is not None
        line = await asyncio.wait_for(self._process.stdout.readline(), timeout=120)
        if not line:
            raise RuntimeError(f"receiver exited with {await self._process.wait()}")
        return line.decode().strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bootstrap")
    parser.add_argument("topic")
    parser.add_argument("count", type=int)
    parser.add_argument("--every", type=int, default=0, help="print the count every N messages")
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()
    received = asyncio.run(
        receive(args.bootstrap, args.topic, args.count, args.every, args.timeout)
    )
    sys.stdout.write(json.dumps(received) + "\n")


if __name__ == "__main__":
    main()
