"""Response submissions per second into the consultation service, beside a bare insert endpoint.

    uv run python bench/consultation_ingest.py [--seconds 20] [--clients 32] [--rounds 2] [--short]
    uv run python bench/consultation_ingest.py --url http://127.0.0.1:8000 \\
        --owner-token "Bearer <officer token>" [--token "Bearer <resident token>"]

Both servers run as real uvicorn processes (uvloop, httptools, one worker, no access log)
on the same embedded PostgreSQL; the load comes from 32 aiohttp clients for the same total
duration, in alternating rounds (bare, service, bare, service: --rounds 2), so that the
other work on a shared machine weighs on both measurements alike.

- Baseline: a bare FastAPI + asyncpg endpoint that inserts the same JSON body as one row.
- Service: POST /api/v1/consultations/{id}/responses with everything a real submission does:
  internal-token verification, validation of every answer against the definition, an
  Idempotency-Key recorded with the body's hash, the per-device cap, and the window check
  inside the INSERT. Each virtual resident sends at most as many responses as the cap allows.

Then the count check: every 2xx response id must be stored, and the results must count
exactly the number of 2xx responses (zero lost). Without --url the service is started here
on the embedded PostgreSQL and Tansu; with --url (e.g. the gateway) the consultation is
created and read with --owner-token and responses are sent with --token (or anonymously).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import aiohttp
import asyncpg
from benchlib import embedded_servers, percentile, report
from pydantic import BaseModel

from localrights.auth import Principal, Role, issue_internal_token
from localrights.db import asyncpg_dsn
from localrights.embedded import free_port
from localrights.migrations import create_database, upgrade_database

ROOT = Path(__file__).resolve().parent.parent
BENCH = "consultation_ingest"
PER_DEVICE = 10  # the service's default cap: each virtual resident sends at most this many


# -- the baseline: a bare FastAPI + asyncpg insert endpoint ---------------------------------


class Body(BaseModel):
    """The same body a resident sends to the service."""

    answers: dict[str, Any]
    language: str | None = None


def bare_app() -> Any:
    """``uvicorn consultation_ingest:bare_app --factory``: one INSERT per request, no more."""
    from fastapi import FastAPI

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.pool = await asyncpg.create_pool(os.environ["BARE_DSN"], min_size=10, max_size=20)
        yield
        await app.state.pool.close()

    app = FastAPI(lifespan=lifespan)

    @app.post("/responses", status_code=201)
    async def insert(body: Body) -> dict[str, str]:
        response_id = uuid4()
        await app.state.pool.execute(
            "INSERT INTO bare_responses (id, answers, language) VALUES ($1, $2::jsonb, $3)",
            response_id,
            json.dumps(body.answers),
            body.language,
        )
        return {"id": str(response_id)}

    @app.get("/healthz")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return app


# -- processes --------------------------------------------------------------------------------


def start_uvicorn(
    target: str, port: int, env: dict[str, str], *, app_dir: Path
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            target,
            "--app-dir",
            str(app_dir),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--loop",
            "uvloop",
            "--http",
            "httptools",
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        env={**os.environ, **env},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=sys.stderr,
        start_new_session=True,
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


async def wait_healthy(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as http:
        while True:
            try:
                async with http.get(url) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} not healthy after {timeout}s")
            await asyncio.sleep(0.2)


# -- the load ---------------------------------------------------------------------------------


def answer_bodies() -> list[bytes]:
    """A few different valid submissions to the benchmark consultation."""
    bodies = []
    for n in range(12):
        answers = {
            "housing": ["yes", "no"][n % 2],
            "services": [["clinic"], ["bus", "library"], ["library"]][n % 3],
            "safety": 1 + n % 5,
            "priorities": [["water", "roads", "schools"], ["schools", "water"]][n % 2],
            "budget": {"park": 100 * (n % 6), "lights": 50 * (n % 10)},
            "age": ["youth", "adult", "senior"][n % 3],
        }
        if n % 4 == 0:
            answers["comment"] = "More buses in the evening, please"
        bodies.append(json.dumps({"answers": answers, "language": "en"}).encode())
    return bodies


@dataclass
class Load:
    ids: list[str] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def rate(self) -> float:
        """2xx responses per second after the warm-up."""
        accepted = sum(c for s, c in self.statuses.items() if 200 <= s < 300)
        return accepted / self.elapsed if self.elapsed else 0.0


async def run_load(
    url: str,
    headers_for: Callable[[int, int], dict[str, str]],
    *,
    clients: int,
    seconds: float,
    warmup: float,
) -> Load:
    """``clients`` loops posting as fast as answered; counts only after the warm-up."""
    bodies = answer_bodies()
    load = Load()
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector) as http:
        started = time.perf_counter()
        measure_from = started + warmup
        end = measure_from + seconds

        async def client(worker: int) -> None:
            sent = 0
            while (now := time.perf_counter()) < end:
                headers = {
                    "content-type": "application/json",
                    "idempotency-key": uuid4().hex,
                    **headers_for(worker, sent),
                }
                async with http.post(url, data=bodies[sent % len(bodies)], headers=headers) as r:
                    body = await r.read()
                done = time.perf_counter()
                sent += 1
                if 200 <= r.status < 300:
                    # Every accepted response is checked later, warm-up ones included.
                    load.ids.append(json.loads(body)["id"])
                if now >= measure_from:
                    load.statuses[r.status] = load.statuses.get(r.status, 0) + 1
                    load.latencies.append(done - now)

        await asyncio.gather(*(client(w) for w in range(clients)))
        load.elapsed = time.perf_counter() - measure_from
    return load


# -- the consultation used ---------------------------------------------------------------------


def definition() -> dict[str, Any]:
    def text(en: str) -> dict[str, str]:
        return {"en": en}

    def options(*ids: str) -> list[dict[str, Any]]:
        return [{"id": i, "label": text(i)} for i in ids]

    now = datetime.now(UTC)
    return {
        "title": text("Benchmark consultation"),
        "jurisdiction": "ID-JT",
        "opens_at": (now - timedelta(minutes=1)).isoformat(),
        "closes_at": (now + timedelta(days=1)).isoformat(),
        "questions": [
            {
                "id": "housing",
                "type": "single_choice",
                "title": text("Housing"),
                "options": options("yes", "no"),
                "required": True,
            },
            {
                "id": "services",
                "type": "multiple_choice",
                "title": text("Services"),
                "options": options("clinic", "library", "bus"),
                "max_picks": 2,
            },
            {"id": "safety", "type": "rating", "title": text("Safety"), "min": 1, "max": 5},
            {"id": "comment", "type": "free_text", "title": text("Comment"), "max_length": 500},
            {
                "id": "priorities",
                "type": "ranking",
                "title": text("Priorities"),
                "options": options("water", "roads", "schools"),
            },
            {
                "id": "budget",
                "type": "budget",
                "title": text("Budget"),
                "total_budget": 1000,
                "projects": [
                    {"id": "park", "label": text("Park"), "cost": 600},
                    {"id": "lights", "label": text("Lights"), "cost": 500},
                ],
            },
            {
                "id": "age",
                "type": "single_choice",
                "title": text("Age"),
                "demographic": True,
                "options": options("youth", "adult", "senior"),
            },
        ],
    }


async def create_open_consultation(base: str, owner: str) -> str:
    async with aiohttp.ClientSession(headers={"authorization": owner}) as http:
        async with http.post(f"{base}/api/v1/consultations", json=definition()) as r:
            created = await r.json()
            assert r.status == 201, created
        async with http.post(f"{base}/api/v1/consultations/{created['id']}/open") as r:
            assert r.status == 200, await r.text()
    return str(created["id"])


async def results_count(base: str, owner: str, consultation_id: str) -> int:
    async with aiohttp.ClientSession(headers={"authorization": owner}) as http:
        async with http.get(f"{base}/api/v1/consultations/{consultation_id}/results") as r:
            assert r.status == 200, await r.text()
            return int((await r.json())["response_count"])


# -- the two measurements ---------------------------------------------------------------------

# One segment of load against one endpoint: seconds -> the load measured in it.
Segment = Callable[[float], Awaitable[Load]]


def merge(loads: list[Load]) -> Load:
    """The rounds of one endpoint as one measurement."""
    merged = Load()
    for load in loads:
        merged.ids += load.ids
        merged.latencies += load.latencies
        merged.elapsed += load.elapsed
        for status, count in load.statuses.items():
            merged.statuses[status] = merged.statuses.get(status, 0) + count
    return merged


@asynccontextmanager
async def bare_endpoint(postgres_url: str, args: argparse.Namespace) -> AsyncIterator[Segment]:
    """The bare endpoint running; afterwards, the check that it stored every 2xx."""
    url = await create_database(postgres_url, f"bare_{uuid4().hex[:8]}")
    conn = await asyncpg.connect(asyncpg_dsn(url))
    await conn.execute(
        "CREATE TABLE bare_responses (id uuid PRIMARY KEY, answers jsonb NOT NULL, language text, "
        "created_at timestamptz NOT NULL DEFAULT now())"
    )
    port = free_port()
    process = start_uvicorn(
        "consultation_ingest:bare_app", port, {"BARE_DSN": asyncpg_dsn(url)}, app_dir=ROOT / "bench"
    )
    accepted: list[str] = []

    async def segment(seconds: float) -> Load:
        load = await run_load(
            f"http://127.0.0.1:{port}/responses",
            lambda _w, _n: {},
            clients=args.clients,
            seconds=seconds,
            warmup=args.warmup,
        )
        accepted.extend(load.ids)
        return load

    try:
        await wait_healthy(f"http://127.0.0.1:{port}/healthz")
        yield segment
    finally:
        stop(process)
    stored = await conn.fetchval("SELECT count(*) FROM bare_responses")
    await conn.close()
    assert stored == len(accepted), f"bare endpoint lost {len(accepted) - stored} rows"


@dataclass
class ServiceCounts:
    """Filled in once the load is over: what the results count and the database holds."""

    counted: int = 0
    stored: int | None = None
    missing: int | None = None


@asynccontextmanager
async def service_endpoint(
    servers: Any, args: argparse.Namespace, counts: ServiceCounts
) -> AsyncIterator[Segment]:
    """The consultation service running with an open consultation; then the count check."""
    secret = secrets.token_urlsafe(48)
    url = await create_database(servers.postgres_url, f"consultation_{uuid4().hex[:8]}")
    await asyncio.to_thread(upgrade_database, url, ROOT / "services/consultation/migrations")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        "CONSULTATION_DATABASE_URL": url,
        "KAFKA_BOOTSTRAP_SERVERS": servers.kafka_bootstrap_servers,
        "INTERNAL_JWT_SECRET": secret,
        "KAFKA_TOPIC_PREFIX": f"bench{uuid4().hex[:6]}.",
        "LOG_LEVEL": "WARNING",
    }
    process = start_uvicorn(
        "localrights_consultation.main:create_app", port, env, app_dir=ROOT / "bench"
    )
    owner = "Bearer " + issue_internal_token(
        Principal(
            subject="bench-officer",
            roles=frozenset({Role.INSTITUTION_OFFICER}),
            institution_id=uuid4(),
        ),
        secret=secret,
        ttl=timedelta(hours=1),
    )
    tokens: dict[tuple[int, int], dict[str, str]] = {}
    rounds = 0

    def resident(worker: int, sent: int) -> dict[str, str]:
        # A new device every PER_DEVICE submissions (and every round), so the per-device
        # cap is never hit.
        device = (worker, rounds * 1_000_000 + sent // PER_DEVICE)
        if device not in tokens:
            principal = Principal(
                subject=f"anonymous:{device}",
                kind="anonymous",
                client=f"bench-{worker}-{device[1]}",
            )
            token = issue_internal_token(principal, secret=secret, ttl=timedelta(hours=1))
            tokens[device] = {"authorization": f"Bearer {token}"}
        return tokens[device]

    accepted: list[str] = []
    try:
        await wait_healthy(f"{base}/healthz")
        consultation_id = await create_open_consultation(base, owner)

        async def segment(seconds: float) -> Load:
            nonlocal rounds
            rounds += 1
            load = await run_load(
                f"{base}/api/v1/consultations/{consultation_id}/responses",
                resident,
                clients=args.clients,
                seconds=seconds,
                warmup=args.warmup,
            )
            accepted.extend(load.ids)
            return load

        yield segment
        counts.counted = await results_count(base, owner, consultation_id)
    finally:
        stop(process)
    conn = await asyncpg.connect(asyncpg_dsn(url))
    stored_ids = {
        str(r["id"])
        for r in await conn.fetch(
            "SELECT id FROM responses WHERE consultation_id = $1", UUID(consultation_id)
        )
    }
    await conn.close()
    counts.stored = len(stored_ids)
    counts.missing = len(set(accepted) - stored_ids)


@asynccontextmanager
async def remote_endpoint(
    args: argparse.Namespace, counts: ServiceCounts
) -> AsyncIterator[Segment]:
    """Against a running service or the gateway (--url): create, load, count through HTTP."""
    base = args.url.rstrip("/")
    consultation_id = await create_open_consultation(base, args.owner_token)
    fixed = {"authorization": args.token} if args.token else {}
    rounds = 0

    async def segment(seconds: float) -> Load:
        nonlocal rounds
        rounds += 1
        return await run_load(
            f"{base}/api/v1/consultations/{consultation_id}/responses",
            lambda worker, sent: {
                **fixed,
                "user-agent": f"bench-device-{rounds}-{worker}-{sent // PER_DEVICE}",
            },
            clients=args.clients,
            seconds=seconds,
            warmup=args.warmup,
        )

    yield segment
    counts.counted = await results_count(base, args.owner_token, consultation_id)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument(
        "--rounds", type=int, default=2, help="alternations of bare and service load"
    )
    parser.add_argument("--short", action="store_true", help="a smoke run of a few seconds")
    parser.add_argument("--url", help="service or gateway base URL instead of starting one here")
    parser.add_argument("--token", help="Authorization header value for submissions (with --url)")
    parser.add_argument("--owner-token", help="Authorization header of an officer (with --url)")
    args = parser.parse_args()
    args.warmup = 0.5 if args.short else 2.0
    if args.short:
        args.seconds, args.rounds = 3.0, 1
    if args.url and not args.owner_token:
        parser.error("--url needs --owner-token to create the consultation and read its results")
    counts = ServiceCounts()
    bare_loads: list[Load] = []
    service_loads: list[Load] = []
    with embedded_servers() as servers:
        async with contextlib.AsyncExitStack() as stack:
            bare_segment = await stack.enter_async_context(
                bare_endpoint(servers.postgres_url, args)
            )
            service_segment = await stack.enter_async_context(
                remote_endpoint(args, counts)
                if args.url
                else service_endpoint(servers, args, counts)
            )
            # Alternate the two, so that a change in the shared machine's load over the
            # run weighs on both alike.
            for _ in range(args.rounds):
                bare_loads.append(await bare_segment(args.seconds / args.rounds))
                service_loads.append(await service_segment(args.seconds / args.rounds))
    bare, load = merge(bare_loads), merge(service_loads)
    accepted = len(load.ids)
    lost = accepted - counts.counted
    ms = 1000.0
    report(
        BENCH,
        f"responses/s ({args.clients} clients)",
        load.rate,
        "req/s",
        baseline=bare.rate,
        baseline_name="bare FastAPI+asyncpg insert, same run",
    )
    report(
        BENCH,
        "p50 latency",
        percentile(load.latencies, 50) * ms,
        "ms",
        baseline=percentile(bare.latencies, 50) * ms,
        baseline_name="bare endpoint",
        higher_is_better=False,
    )
    report(
        BENCH,
        "p99 latency",
        percentile(load.latencies, 99) * ms,
        "ms",
        baseline=percentile(bare.latencies, 99) * ms,
        baseline_name="bare endpoint",
        higher_is_better=False,
    )
    report(BENCH, "2xx responses not counted in results", float(abs(lost)), "responses")
    print(f"  service statuses {load.statuses}; bare statuses {bare.statuses}")
    print(
        f"  accepted {accepted}, counted in results {counts.counted}, stored {counts.stored}, "
        f"accepted ids missing from the database {counts.missing}"
    )
    if lost or counts.missing:
        raise SystemExit(f"LOST RESPONSES: {lost} not counted, {counts.missing} ids not stored")
    if set(load.statuses) - {201}:
        raise SystemExit(f"unexpected statuses during the run: {load.statuses}")


if __name__ == "__main__":
    asyncio.run(main())
