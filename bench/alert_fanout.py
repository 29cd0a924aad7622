"""One alert fanned out to many webhook subscriptions, beside a bare aiohttp loop.

    uv run python bench/alert_fanout.py [--subscriptions 10000] [--short]

Sink: a uvicorn (uvloop, httptools) ASGI app in its own process on 127.0.0.1 that answers
200 at once, or hangs for an hour on paths under /hang/.
Baselines, in the same run against the same sink: bare client loops posting the same
requests (a real alert's CloudEvent body and the Standard Webhooks headers, signed once
beforehand) with 100 connections and 100 workers, one with an aiohttp ClientSession
and one with an httpx AsyncClient (the dispatcher's client is chosen by this measurement);
the faster of the two is the baseline.
Fan-out: the notifications service in this process (relay, consumer, dispatcher) on the
embedded PostgreSQL and Tansu. A publisher POSTs one alert; timing runs from that request
to the moment the last delivery is recorded as delivered in PostgreSQL (so it includes the
outbox, the broker, matching, signing, sending and recording).
The service sets the process's garbage collector as in production (``GC_TUNING``), so the
bare loops, in the same process, run under the same collector settings.
Rounds (3 by default) alternate the bare aiohttp loop and a fan-out to a fresh population;
each figure is the median of its rounds.
Then the same with 10% of the endpoints hanging until the webhook timeout, twice: every
tenth endpoint, and the first tenth in the order the dispatcher claims them (the worst case:
every place in the pool taken by hanging calls at once). The figure is the time until the
healthy 90% are all recorded as delivered, beside two baselines: a fan-out to those healthy
endpoints alone (what it would take if the hanging calls were never made), and a fan-out to
all the endpoints answering at once, timed until the same healthy 90% are recorded (what it
would take if the hanging calls cost what healthy calls cost: they still have to be sent,
each over a connection of its own, on the same two cores). Each of these fan-outs runs a
service and database of its own, started the same way, so one case's hanging calls and their
retries stay out of the next; they alternate, and each figure is the median of its rounds
(per-round ratios are printed too). Beside them, the bare aiohttp loop once more, knowing
beforehand which endpoints hang and sending their posts aside so they never hold a worker:
the time until its healthy posts are answered, beside its healthy posts alone, is what the
hanging calls cost on this machine whoever makes them.
Checked, not timed: every delivery is recorded as delivered in PostgreSQL and the sink
received each healthy endpoint's call exactly once.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import multiprocessing
import secrets
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import aiohttp
import asyncpg
import httpx
from benchlib import embedded_servers, report

from localrights.auth import Role
from localrights.db import asyncpg_dsn
from localrights.embedded import free_port
from localrights.migrations import aupgrade_database, create_database
from localrights.testing.helpers import bearer, running_app
from localrights_notifications.config import Settings
from localrights_notifications.delivery.senders import signed_headers
from localrights_notifications.main import create_app

BENCH = "alert_fanout"
ROOT = Path(__file__).resolve().parents[1]
MIGRATIONS = ROOT / "services" / "notifications" / "migrations"
SECRET = secrets.token_urlsafe(48)


# -- the sink (own process) ---------------------------------------------------------------


def run_sink(port: int) -> None:
    import uvicorn

    received: dict[str, int] = {}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        more = True
        while more:
            message = await receive()
            more = message.get("more_body", False)
        path: str = scope["path"]
        if path == "/stats":
            body = json.dumps(received).encode()
        else:
            prefix = path.split("/")[1]
            received[prefix] = received.get(prefix, 0) + 1
            if prefix == "hang":
                await asyncio.sleep(3600)
            body = b"ok"
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/plain")],
            }
        )
        await send({"type": "http.response.body", "body": body})

    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        loop="uvloop",
        http="httptools",
        lifespan="off",
        timeout_keep_alive=60,
        timeout_graceful_shutdown=1,
        backlog=4096,
    )


async def sink_stats(base: str) -> dict[str, int]:
    async with aiohttp.ClientSession() as client, client.get(f"{base}/stats") as response:
        return dict(json.loads(await response.read()))


async def wait_for_sink(base: str) -> None:
    for _ in range(600):
        with contextlib.suppress(OSError, aiohttp.ClientError):
            await sink_stats(base)
            return
        await asyncio.sleep(0.05)
    raise RuntimeError("sink did not start")


# -- baseline ----------------------------------------------------------------------------

# The bare loops post the same requests the dispatcher sends: a real alert's CloudEvent body
# and the Standard Webhooks headers, signed once beforehand (signing is the dispatcher's
# work, sending is what the loops stand for).
SameRequest = tuple[bytes, dict[str, str]]


async def same_request(dsn: str) -> SameRequest:
    conn = await asyncpg.connect(dsn)
    try:
        envelope = await conn.fetchval(
            "SELECT envelope FROM notifications ORDER BY created_at DESC LIMIT 1"
        )
    finally:
        await conn.close()
    body = str(envelope).encode()
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
    return body, signed_headers(
        secret=secret, message_id=str(uuid4()), body=body, now=datetime.now(UTC)
    )


async def bare_aiohttp(
    base: str, count: int, request: SameRequest, connections: int = 100
) -> float:
    """Seconds for ``count`` POSTs through one aiohttp session with ``connections`` workers."""
    body, headers = request
    queue = _numbers(count)
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector) as client:

        async def worker() -> None:
            while not queue.empty():
                i = queue.get_nowait()
                url = f"{base}/bare/{i}"
                async with client.post(url, data=body, headers=headers) as response:
                    await response.read()

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        return time.perf_counter() - started


async def bare_httpx(base: str, count: int, request: SameRequest, connections: int = 100) -> float:
    """Seconds for ``count`` POSTs through one httpx AsyncClient with ``connections`` workers."""
    body, headers = request
    queue = _numbers(count)
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:

        async def worker() -> None:
            while not queue.empty():
                i = queue.get_nowait()
                url = f"{base}/barex/{i}"
                (await client.post(url, content=body, headers=headers)).raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        return time.perf_counter() - started


async def bare_aiohttp_beside_hanging(
    base: str, count: int, request: SameRequest, hangs: Callable[[int], bool], timeout: float
) -> float:
    """Seconds until a bare aiohttp loop's healthy posts are all answered, when the loop
    knows beforehand which endpoints hang: as their turn comes, their posts are sent aside,
    a task each, and never hold one of the 100 workers. No dispatcher can do better (it has
    to find out which endpoints hang), so beside the healthy posts alone this shows what the
    hanging calls cost merely by being made."""
    body, headers = request
    queue = _numbers(count)
    aside: list[asyncio.Task[None]] = []
    hanging = sum(1 for i in range(count) if hangs(i))
    connector = aiohttp.TCPConnector(limit=100 + hanging)
    async with aiohttp.ClientSession(connector=connector) as client:

        async def post_aside(i: int) -> None:
            with contextlib.suppress(TimeoutError, aiohttp.ClientError):
                async with client.post(
                    f"{base}/hang/{i}",
                    data=body,
                    headers=headers,
                    timeout=aiohttp.ClientTimeout(total=timeout),
                ) as response:
                    await response.read()

        async def worker() -> None:
            while not queue.empty():
                i = queue.get_nowait()
                if hangs(i):
                    aside.append(asyncio.create_task(post_aside(i)))
                    continue
                async with client.post(f"{base}/bare/{i}", data=body, headers=headers) as response:
                    await response.read()

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(100)))
        seconds = time.perf_counter() - started
        for task in aside:
            task.cancel()
        await asyncio.gather(*aside, return_exceptions=True)
        return seconds


def _numbers(count: int) -> asyncio.Queue[int]:
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(count):
        queue.put_nowait(i)
    return queue


# -- fan-out ---------------------------------------------------------------------------------


async def add_subscriptions(dsn: str, *, country: str, urls: list[str]) -> None:
    """Insert webhook subscriptions directly (setup, not measured)."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.copy_records_to_table(
            "subscriptions",
            columns=[
                "id",
                "institution_id",
                "countries",
                "channel",
                "webhook_url",
                "webhook_secret",
                "mode",
            ],
            records=[
                (
                    uuid4(),
                    uuid4(),
                    [country],
                    "webhook",
                    url,
                    "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode(),
                    "immediate",
                )
                for url in urls
            ],
        )
    finally:
        await conn.close()


async def delivered_count(conn: asyncpg.Connection, country: str, healthy_only: bool) -> int:
    return int(
        await conn.fetchval(
            "SELECT count(*) FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id "
            "WHERE d.status = 'delivered' AND $1 = ANY(s.countries) "
            "AND (NOT $2 OR s.webhook_url NOT LIKE '%/hang/%')",
            country,
            healthy_only,
        )
    )


async def fan_out_once(
    client: Any, dsn: str, *, country: str, expected: int, healthy_only: bool
) -> float:
    """Publish one alert; seconds until ``expected`` deliveries are recorded as delivered.

    The end comes from PostgreSQL's own timestamp (``updated_at``, set when the dispatcher
    records a result), so the bench polls only a few times a second: polling a count every
    few milliseconds would take CPU from the dispatcher and the sink it is measuring, on a
    machine whose two cores they share.
    """
    conn = await asyncpg.connect(dsn)
    try:
        started = await publish_and_wait(client, conn, country, expected, healthy_only)
        recorded = await conn.fetchval(
            "SELECT max(d.updated_at) FROM deliveries d "
            "JOIN subscriptions s ON s.id = d.subscription_id "
            "WHERE d.status = 'delivered' AND $1 = ANY(s.countries) "
            "AND (NOT $2 OR s.webhook_url NOT LIKE '%/hang/%')",
            country,
            healthy_only,
        )
        return float(recorded.timestamp() - started)
    finally:
        await conn.close()


async def publish_and_wait(
    client: Any, conn: asyncpg.Connection, country: str, expected: int, healthy_only: bool
) -> float:
    """Publish one alert to ``country``, wait for ``expected`` deliveries; when it was sent."""
    alert = {
        "kind": "country_visit",
        "stage": "announced",
        "country": country,
        "mechanism": "SR on adequate housing",
        "title": {"en": "Special Rapporteur on adequate housing to visit"},
        "starts_on": "2030-09-14",
        "ends_on": "2030-09-25",
    }
    started = time.time()
    response = await client.post(
        "/api/v1/alerts", json=alert, headers=bearer(SECRET, Role.ALERT_PUBLISHER)
    )
    assert response.status_code == 201, response.text
    while await delivered_count(conn, country, healthy_only) < expected:
        await asyncio.sleep(0.25)
    return started


async def delivery_times(
    conn: asyncpg.Connection, country: str, started: float
) -> dict[int, float]:
    """Seconds from ``started`` until each healthy endpoint's delivery was recorded, by
    endpoint number (``/fine/{i}``)."""
    rows = await conn.fetch(
        "SELECT s.webhook_url, d.updated_at FROM deliveries d "
        "JOIN subscriptions s ON s.id = d.subscription_id "
        "WHERE d.status = 'delivered' AND $1 = ANY(s.countries) "
        "AND s.webhook_url LIKE '%/fine/%'",
        country,
    )
    return {
        int(r["webhook_url"].rsplit("/", 1)[1]): r["updated_at"].timestamp() - started for r in rows
    }


async def main(
    base: str, subscriptions: int, timeout: float, httpx_sample: int, rounds: int
) -> None:
    await wait_for_sink(base)
    with embedded_servers() as servers:
        await run(
            servers.postgres_url,
            servers.kafka_bootstrap_servers,
            base,
            subscriptions,
            timeout,
            min(subscriptions, httpx_sample),
            rounds,
        )


ROUND_COUNTRIES = ("UY", "PY", "CL", "BO", "EC")


async def service_database(pg: str, name: str, base: str) -> tuple[str, str]:
    """A migrated database with one subscriber for the warm-up alert: (url, asyncpg dsn)."""
    url = await create_database(pg, name)
    await aupgrade_database(url, MIGRATIONS)
    dsn = asyncpg_dsn(url)
    await add_subscriptions(dsn, country="AR", urls=[f"{base}/warm/0"])
    return url, dsn


def service_settings(url: str, kafka: str, timeout: float) -> Settings:
    return Settings(
        database_url=url,
        kafka_bootstrap_servers=kafka,
        internal_jwt_secret=SECRET,
        kafka_topic_prefix="bench.",
        log_json=True,
        log_level="WARNING",
        webhook_allowed_hosts=["127.0.0.1"],
        webhook_timeout=timeout,
        scheduler_interval=3600,
    )


async def fresh_fan_out(
    pg: str, kafka: str, base: str, n: int, timeout: float, name: str, hangs: Callable[[int], bool]
) -> dict[int, float]:
    """One fan-out to ``n`` endpoints, those where ``hangs(i)`` hanging, in a service and
    database of its own (the hanging calls of one case, and their retries, would otherwise
    hold the slow lane in the next): once the healthy endpoints are all recorded as
    delivered, the seconds until each was, by endpoint number."""
    url, dsn = await service_database(pg, f"notifications_bench_{name}", base)
    await add_subscriptions(
        dsn,
        country="IT",
        urls=[f"{base}/hang/{i}" if hangs(i) else f"{base}/fine/{i}" for i in range(n)],
    )
    healthy = sum(1 for i in range(n) if not hangs(i))
    async with running_app(create_app(service_settings(url, kafka, timeout))) as client:
        await fan_out_once(client, dsn, country="AR", expected=1, healthy_only=False)
        conn = await asyncpg.connect(dsn)
        try:
            started = await publish_and_wait(client, conn, "IT", healthy, healthy_only=True)
            times = await delivery_times(conn, "IT", started)
        finally:
            await conn.close()
    print(
        f"fan-out to {n} endpoints, {n - healthy} hanging for {timeout:g}s ({name}): "
        f"{len(times)} healthy deliveries recorded in {max(times.values()):.2f}s",
        flush=True,
    )
    return times


# The cases with hanging endpoints: (name, which hang), for n endpoints of which a tenth hang.
def hanging_cases(n: int) -> list[tuple[str, Callable[[int], bool]]]:
    hanging = n // 10
    return [
        ("every_tenth", lambda i: i % 10 == 0),
        ("first_tenth", lambda i: i < hanging),
    ]


async def run(
    pg: str, kafka: str, base: str, n: int, timeout: float, httpx_n: int, rounds: int
) -> None:
    url, dsn = await service_database(pg, "notifications_bench", base)
    # One population per measured round.
    countries = ROUND_COUNTRIES[:rounds]
    for country in countries:
        await add_subscriptions(dsn, country=country, urls=[f"{base}/ok/{i}" for i in range(n)])
    # Rounds alternate the bare loop and the fan-out, and each figure is the median of its
    # rounds: on a shared two-core machine one round of either can be off by a third.
    bare_rounds: list[float] = []
    fanout_rounds: list[float] = []
    async with running_app(create_app(service_settings(url, kafka, timeout))) as client:
        # The consumer has joined its group and the path works end to end before timing.
        await fan_out_once(client, dsn, country="AR", expected=1, healthy_only=False)
        request = await same_request(dsn)
        for country in countries:
            bare_rounds.append(await bare_aiohttp(base, n, request))
            fanout_rounds.append(
                await fan_out_once(client, dsn, country=country, expected=n, healthy_only=False)
            )
            print(
                f"round {len(bare_rounds)}: bare aiohttp loop {n} posts in "
                f"{bare_rounds[-1]:.2f}s; fan-out of {n}: all recorded delivered after "
                f"{fanout_rounds[-1]:.2f}s",
                flush=True,
            )
        conn = await asyncpg.connect(dsn)
        try:
            recorded = [await delivered_count(conn, c, False) for c in countries]
        finally:
            await conn.close()
    healthy = n - n // 10
    # Per round, in services of their own: the healthy endpoints alone, all n endpoints
    # healthy (the time until the same healthy endpoints are done: what the hanging ones
    # would cost if they answered at once), then each case with a tenth hanging.
    alone_rounds: list[float] = []
    same_rounds: dict[str, list[float]] = {}
    hanging_rounds: dict[str, list[float]] = {}
    bare_alone: list[float] = []
    bare_beside: dict[str, list[float]] = {}
    for r in range(rounds):
        bare_alone.append(await bare_aiohttp_beside_hanging(base, healthy, request, _never, 0))
        for name, hangs in hanging_cases(n):
            seconds = await bare_aiohttp_beside_hanging(base, n, request, hangs, timeout)
            bare_beside.setdefault(name, []).append(seconds)
        times = await fresh_fan_out(pg, kafka, base, healthy, timeout, f"alone_{r}", _never)
        alone_rounds.append(max(times.values()))
        times = await fresh_fan_out(pg, kafka, base, n, timeout, f"all_healthy_{r}", _never)
        for name, hangs in hanging_cases(n):
            same = [t for i, t in times.items() if not hangs(i)]
            same_rounds.setdefault(name, []).append(max(same))
        for name, hangs in hanging_cases(n):
            times = await fresh_fan_out(pg, kafka, base, n, timeout, f"{name}_{r}", hangs)
            assert len(times) == healthy, (name, len(times))
            hanging_rounds.setdefault(name, []).append(max(times.values()))
    for name, _ in hanging_cases(n):
        # Paired within each round, which cancels the machine's drift from round to round.
        paired = [
            f"{h / a:.2f}/{h / s:.2f}"
            for h, a, s in zip(hanging_rounds[name], alone_rounds, same_rounds[name], strict=True)
        ]
        print(f"{name}, per round, beside alone/all healthy: {' '.join(paired)}", flush=True)
    stats = await sink_stats(base)
    print(f"sink received per path prefix: {stats}", flush=True)
    # Every delivery recorded, every healthy endpoint called exactly once (no loss, no
    # duplicate); a benchmark whose deliveries went missing has no figure worth printing.
    assert recorded == [n] * rounds, recorded
    assert stats.get("ok") == n * rounds, stats
    assert stats.get("fine") == (healthy + n + len(hanging_cases(n)) * healthy) * rounds, stats

    # httpx is so much slower with 100 connections (encode/httpx#3215) that a sample of the
    # requests gives its rate; its time is scaled to n for the comparison.
    httpx_seconds = await bare_httpx(base, httpx_n, request) * n / httpx_n
    aiohttp_seconds = statistics.median(bare_rounds)
    bare_seconds, bare_name = min(
        (aiohttp_seconds, "bare aiohttp loop, 100 conns"),
        (httpx_seconds, "bare httpx loop, 100 conns"),
    )
    seconds = statistics.median(fanout_rounds)
    of = f"median of {rounds}" if rounds > 1 else "one round"
    rate = n / seconds
    report(
        BENCH,
        f"fan-out rate, {n} webhooks ({of})",
        rate,
        "deliv/s",
        baseline=n / bare_seconds,
        baseline_name=f"{bare_name}, same sink, {of}",
    )
    report(
        BENCH,
        f"time to last delivery, {n} webhooks",
        seconds,
        "s",
        baseline=bare_seconds,
        baseline_name=bare_name,
        higher_is_better=False,
    )
    report(
        BENCH,
        "bare httpx loop rate",
        n / httpx_seconds,
        "posts/s",
        baseline=n / aiohttp_seconds,
        baseline_name="bare aiohttp loop, 100 conns",
    )
    report(
        BENCH,
        f"deliveries recorded of {n * rounds}",
        sum(recorded),
        "rows",
        baseline=n * rounds,
        baseline_name="subscriptions",
    )
    alone = statistics.median(alone_rounds)
    for name, where in (("every_tenth", "every tenth"), ("first_tenth", "first tenth")):
        figure = f"last of {healthy} healthy deliveries, {where} of {n} hanging ({of})"
        seconds = statistics.median(hanging_rounds[name])
        report(
            BENCH,
            figure,
            seconds,
            "s",
            baseline=alone,
            baseline_name=f"the {healthy} healthy endpoints alone, {of}",
            higher_is_better=False,
        )
        report(
            BENCH,
            figure,
            seconds,
            "s",
            baseline=statistics.median(same_rounds[name]),
            baseline_name=f"the same {healthy} among {n} all healthy, {of}",
            higher_is_better=False,
        )
    bare_alone_seconds = statistics.median(bare_alone)
    for name, where in (("every_tenth", "every tenth"), ("first_tenth", "first tenth")):
        report(
            BENCH,
            f"bare loop knowing which hang: last of {healthy} healthy posts, {where} of {n} "
            f"hanging ({of})",
            statistics.median(bare_beside[name]),
            "s",
            baseline=bare_alone_seconds,
            baseline_name=f"the same loop, the {healthy} healthy posts alone, {of}",
            higher_is_better=False,
        )


def _never(_: int) -> bool:
    return False


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscriptions", type=int, help="10,000 unless --short")
    parser.add_argument("--timeout", type=float, default=10.0, help="webhook timeout (s)")
    parser.add_argument(
        "--httpx-sample", type=int, help="requests timed for the httpx loop (1,000)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="measured rounds (at most 5)")
    parser.add_argument(
        "--short",
        action="store_true",
        help="300 subscriptions, 2 s timeout, httpx sample 100, one round",
    )
    args = parser.parse_args()
    count = args.subscriptions or (300 if args.short else 10_000)
    timeout = 2.0 if args.short else args.timeout
    sample = args.httpx_sample or (100 if args.short else 1000)
    rounds = 1 if args.short else max(1, min(args.rounds, len(ROUND_COUNTRIES)))
    import uvloop

    # The sink is forked before any event loop exists in this process.
    port = free_port()
    sink = multiprocessing.get_context("fork").Process(target=run_sink, args=(port,), daemon=True)
    sink.start()
    try:
        uvloop.run(main(f"http://127.0.0.1:{port}", count, timeout, sample, rounds))
    finally:
        # Killed, not terminated: a graceful shutdown would wait for the hanging requests,
        # then log their cancellation as an error that is no error of the benchmark's.
        sink.kill()
        sink.join(3)
