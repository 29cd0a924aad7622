"""Residents' responses per second through the whole platform, beside a bare insert endpoint.

    uv run python bench/consultation_ingest.py [--seconds 20] [--clients 32] [--rounds 2] [--short]
    uv run python bench/consultation_ingest.py --url http://127.0.0.1:8000 \\
        --owner-token "Bearer <officer token>" [--token "Bearer <resident token>"]

The platform is started as the tests start it (``deploy/launch.py``'s ``Stack``: PostgreSQL,
the broker, the four services as uvicorn processes), with the gateway's rate limits off.
An officer signs in through the gateway and opens a consultation; 32 aiohttp clients then
post responses as fast as they are answered, in alternating rounds (bare, service, gateway,
bare, ...: --rounds 2) so that the shared machine's load weighs on all alike:
- baseline: a bare FastAPI + asyncpg endpoint that inserts the same JSON body as one row,
  on the platform's PostgreSQL, run as the launcher runs a service;
- straight to the consultation service, as the gateway would call it (a signed internal
  token per resident): internal-token verification, validation of every answer against the
  definition, an Idempotency-Key recorded with the body's hash, the per-device cap and the
  window check inside the INSERT;
- through the gateway, anonymous residents as on a phone (a User-Agent per device): the
  gateway's client key, internal token and hop on top of all that.
Each virtual resident sends at most as many responses as the service's cap allows.

Then zero lost: every 2xx response's id must be in the consultation database, its rows for
the consultation must number exactly the 2xx received, and its results must count as many.
With --url (a platform started elsewhere, e.g. by ``make up``) the consultation is created
and read with --owner-token, responses are sent with --token (or anonymously), and only the
results count is checked; the bare endpoint then runs on an embedded PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import asyncpg
from _ingest_load import (
    PER_DEVICE,
    Load,
    create_open_consultation,
    merge,
    results_count,
    run_load,
    wait_healthy,
)
from benchlib import embedded_servers, percentile, report
from pydantic import BaseModel

from localrights.auth import Principal, Role, issue_internal_token
from localrights.db import asyncpg_dsn
from localrights.embedded import free_port
from localrights.migrations import create_database

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "deploy"), str(ROOT / "tests" / "e2e")]
from launch import ServiceProcess, Stack  # noqa: E402
from platform_client import Platform  # noqa: E402

BENCH = "consultation_ingest"
ROWS = "rows in the consultation database"
# The platform's own settings, less the per-client limits this load runs far over.
STACK_ENV = {"GATEWAY_RATE_LIMIT_ENABLED": "false"}


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


# -- what the load is sent to -----------------------------------------------------------------


@dataclass
class Target:
    """One endpoint under load: where, as whom, and what it accepted over the rounds."""

    name: str
    url: str
    headers: Callable[[int, int, int], dict[str, str]]  # (round, worker, sent) -> headers
    loads: list[Load] = field(default_factory=list)

    async def segment(self, args: argparse.Namespace) -> None:
        """One round of load."""
        round_ = len(self.loads)
        load = await run_load(
            self.url,
            lambda worker, sent: self.headers(round_, worker, sent),
            clients=args.clients,
            seconds=args.seconds / args.rounds,
            warmup=args.warmup,
        )
        self.loads.append(load)


@dataclass
class Consultation:
    """A consultation under load: where its results are read, and what the database holds."""

    base: str
    owner: str
    id: str = ""
    database_url: str | None = None  # None: checked through the results alone

    async def open(self) -> str:
        self.id = await create_open_consultation(self.base, self.owner)
        return self.id

    async def kept(self, accepted: list[str]) -> dict[str, int]:
        """What the platform kept of the accepted responses, by how it is counted."""
        kept = {"counted in the results": await results_count(self.base, self.owner, self.id)}
        if self.database_url is not None:
            conn = await asyncpg.connect(asyncpg_dsn(self.database_url))
            rows = await conn.fetch(
                "SELECT id FROM responses WHERE consultation_id = $1", UUID(self.id)
            )
            await conn.close()
            stored = {str(row["id"]) for row in rows}
            kept[ROWS] = len(rows)
            kept["accepted ids among them"] = len(set(accepted) & stored)
        return kept


def anonymous_device(token: str | None = None) -> Callable[[int, int, int], dict[str, str]]:
    """Residents through the gateway: a new device (User-Agent) every PER_DEVICE responses."""
    fixed = {"authorization": token} if token else {}
    return lambda round_, worker, sent: {
        **fixed,
        "user-agent": f"bench-device-{round_}-{worker}-{sent // PER_DEVICE}",
    }


def signed_device(secret: str) -> Callable[[int, int, int], dict[str, str]]:
    """Residents straight to the service: the internal token the gateway would sign."""
    tokens: dict[tuple[int, int, int], dict[str, str]] = {}

    def headers(round_: int, worker: int, sent: int) -> dict[str, str]:
        device = (round_, worker, sent // PER_DEVICE)
        if device not in tokens:
            principal = Principal(
                subject=f"anonymous:{device}", kind="anonymous", client=f"bench-{device}"
            )
            token = issue_internal_token(principal, secret=secret, ttl=timedelta(hours=1))
            tokens[device] = {"authorization": f"Bearer {token}"}
        return tokens[device]

    return headers


def responses_url(base: str, consultation_id: str) -> str:
    return f"{base}/api/v1/consultations/{consultation_id}/responses"


# -- the endpoints running --------------------------------------------------------------------


@asynccontextmanager
async def bare_endpoint(database_url: str, logs: Path) -> AsyncIterator[Target]:
    """The bare insert endpoint, run as the launcher runs a service."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "bench"), "BARE_DSN": asyncpg_dsn(database_url)}
    process = ServiceProcess(
        "bare-insert", free_port(), env, logs / "bare.log", app="consultation_ingest:bare_app"
    )
    process.start()
    try:
        await wait_healthy(f"{process.url}/healthz")
        yield Target("bare insert", f"{process.url}/responses", lambda _r, _w, _n: {})
    finally:
        process.stop()


async def bare_database(postgres_url: str) -> str:
    url = await create_database(postgres_url, f"bare_{uuid4().hex[:8]}")
    conn = await asyncpg.connect(asyncpg_dsn(url))
    await conn.execute(
        "CREATE TABLE bare_responses (id uuid PRIMARY KEY, answers jsonb NOT NULL, language text, "
        "created_at timestamptz NOT NULL DEFAULT now())"
    )
    await conn.close()
    return url


@asynccontextmanager
async def platform_targets() -> AsyncIterator[tuple[str, list[tuple[Target, Consultation]]]]:
    """A started platform: its PostgreSQL, and the service and the gateway to load."""
    with tempfile.TemporaryDirectory(prefix="bench-stack-") as run_dir:
        stack = Stack(Path(run_dir), extra_env=STACK_ENV)
        await asyncio.to_thread(stack.start)
        platform = Platform(stack.gateway_url, stack.admin)
        try:
            officer = await platform.institution_with_officer(
                name="Bench municipality", kind="municipality", country="ID", jurisdiction="ID-JT"
            )
            through = Consultation(
                stack.gateway_url,
                officer.client.headers["authorization"],
                database_url=stack.database_url("consultation"),
            )
            assert officer.institution_id is not None
            straight_owner = Principal(
                subject="bench-officer",
                roles=frozenset({Role.INSTITUTION_OFFICER}),
                institution_id=UUID(officer.institution_id),
            )
            service = stack.service_url("consultation")
            straight = Consultation(
                service,
                "Bearer "
                + issue_internal_token(
                    straight_owner, secret=stack.internal_secret, ttl=timedelta(hours=1)
                ),
                database_url=stack.database_url("consultation"),
            )
            targets = [
                (
                    Target(
                        "straight to the service",
                        responses_url(service, await straight.open()),
                        signed_device(stack.internal_secret),
                    ),
                    straight,
                ),
                (
                    Target(
                        "through the gateway",
                        responses_url(stack.gateway_url, await through.open()),
                        anonymous_device(),
                    ),
                    through,
                ),
            ]
            yield stack.postgres.url, targets
        finally:
            await platform.close()
            await asyncio.to_thread(stack.stop)


@asynccontextmanager
async def remote_targets(
    args: argparse.Namespace,
) -> AsyncIterator[tuple[str, list[tuple[Target, Consultation]]]]:
    """A platform (or service) started elsewhere (--url); an embedded PostgreSQL for the bare."""
    base = args.url.rstrip("/")
    consultation = Consultation(base, args.owner_token)
    target = Target(
        f"via {base}", responses_url(base, await consultation.open()), anonymous_device(args.token)
    )
    with embedded_servers() as servers:
        yield servers.postgres_url, [(target, consultation)]


# -- the run ----------------------------------------------------------------------------------


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="of each target, all rounds")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=2, help="alternations of the targets")
    parser.add_argument("--short", action="store_true", help="a smoke run of a few seconds")
    parser.add_argument("--url", help="a platform started elsewhere instead of starting one")
    parser.add_argument("--token", help="Authorization header value for submissions (with --url)")
    parser.add_argument("--owner-token", help="Authorization header of an officer (with --url)")
    args = parser.parse_args()
    args.warmup = 0.5 if args.short else 2.0
    if args.short:
        args.seconds, args.rounds = 2.0, 1
    if args.url and not args.owner_token:
        parser.error("--url needs --owner-token to create the consultation and read its results")
    started = remote_targets(args) if args.url else platform_targets()
    async with started as (postgres_url, targets):
        bare_url = await bare_database(postgres_url)
        with tempfile.TemporaryDirectory(prefix="bench-logs-") as logs:
            async with bare_endpoint(bare_url, Path(logs)) as bare:
                for _ in range(args.rounds):
                    for target in [bare, *(t for t, _ in targets)]:
                        await target.segment(args)
        kept = {t.name: await c.kept(merge(t.loads).ids) for t, c in targets}
        conn = await asyncpg.connect(asyncpg_dsn(bare_url))
        kept[bare.name] = {
            "rows stored": await conn.fetchval("SELECT count(*) FROM bare_responses")
        }
        await conn.close()
    report_figures(args, bare, [t for t, _ in targets], kept)


def report_figures(
    args: argparse.Namespace, bare: Target, targets: list[Target], kept: dict[str, dict[str, int]]
) -> None:
    """Each target's rate and latency beside the bare insert's; then the zero-lost check."""
    bare_load = merge(bare.loads)
    baseline = f"bare FastAPI+asyncpg insert, same run, {args.rounds} rounds"
    for target in targets:
        load = merge(target.loads)
        report(
            BENCH,
            f"responses/s {target.name} ({args.clients} clients)",
            load.rate,
            "req/s",
            baseline=bare_load.rate,
            baseline_name=baseline,
        )
        for pct in (50, 99):
            report(
                BENCH,
                f"p{pct} latency {target.name}",
                percentile(load.latencies, pct) * 1000,
                "ms",
                baseline=percentile(bare_load.latencies, pct) * 1000,
                baseline_name="bare endpoint",
                higher_is_better=False,
            )
        # The database's rows where this run can see them, else the results' count.
        how = next(h for h in (ROWS, "counted in the results") if h in kept[target.name])
        count = kept[target.name][how]
        report(
            BENCH,
            f"{how}, {target.name}",
            float(count),
            "responses",
            baseline=float(len(load.ids)),
            baseline_name="2xx received (zero lost: ratio 1.00)",
        )
    lost = []
    for target in [bare, *targets]:
        load, accepted = merge(target.loads), len(merge(target.loads).ids)
        print(f"  {target.name}: statuses {load.statuses}; {accepted} accepted in all; ", end="")
        print(", ".join(f"{count} {how}" for how, count in kept[target.name].items()))
        lost += [f"{target.name}: {h}" for h, n in kept[target.name].items() if n != accepted]
        if set(load.statuses) - {201}:
            lost.append(f"{target.name}: answers other than 201 {load.statuses}")
    if lost:
        raise SystemExit("LOST RESPONSES or failed requests: " + "; ".join(lost))


if __name__ == "__main__":
    asyncio.run(main())
