"""What the gateway costs: one trivial route directly, through a bare proxy, through the gateway.

    uv run python bench/gateway_overhead.py [--seconds 5] [--rounds 5] [--clients 32]
        [--load wrk|aiohttp] [--short]

The route is a trivial JSON endpoint of a stand-in service. Beside it, same run:
- the bare proxy (``bench/_bare_proxy.py``): raw ASGI, one pooled aiohttp session, no
  framework, no authentication; what any Python hop costs on this machine;
- the bare proxy sending and answering the gateway's headers ("bare+headers": its internal
  token, request id, rate-limit and security headers, made by the gateway's own code), no
  work behind them: what the gateway's headers alone cost;
- the gateway, with its own PostgreSQL database and the broker (embedded here) and its
  rate limit raised out of the way, so that it still does all its work per request:
  authentication (anonymous: the client key), the rate limiter, the internal token, the hop.
All three run as the launcher runs a service (``deploy/launch.py``'s ``ServiceProcess``: the
same uvicorn command and flags). The load is ``--clients`` keep-alive connections from wrk
(or aiohttp in its own process where wrk is missing: ``bench/_http_load.py``). Rounds
alternate direct, bare proxy, gateway, ``--rounds`` times, so that the shared machine's
load weighs on all three alike; the figures are the rounds' medians, each round printed.
Beside the rates, the CPU time each server process spent per request it answered (from
/proc): on a shared machine the rates swing with other work, the CPU a request costs much
less, so the gateway's own cost shows best as its CPU per request against the bare proxy's.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from _http_load import Measure, generator, load
from benchlib import embedded_servers, report

from localrights.embedded import free_port
from localrights.migrations import create_database, upgrade_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "deploy"))
from launch import ServiceProcess, http_ok, tail  # noqa: E402

BENCH = "gateway_overhead"
PATH = "/api/v1/consultations/ping"
TARGETS = ("direct", "bare proxy", "bare+headers", "gateway")


def ping_app() -> Any:
    """``uvicorn --factory gateway_overhead:ping_app``: the stand-in service's one route."""
    from fastapi import FastAPI

    app = FastAPI()

    @app.get(PATH)
    async def ping() -> dict[str, bool]:
        return {"ok": True}

    @app.get("/healthz")
    async def health() -> dict[str, bool]:
        return {"ok": True}

    return app


def wait_ready(process: ServiceProcess, path: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not http_ok(process.url + path):
        if process.process is None or process.process.poll() is not None:
            raise RuntimeError(f"{process.service} exited:\n{tail(process.log_path)}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{process.service} not ready:\n{tail(process.log_path)}")
        time.sleep(0.1)


def cpu_seconds(process: ServiceProcess) -> float:
    """CPU time (user and system) the server process has used so far, from /proc."""
    assert process.process is not None
    stat = Path(f"/proc/{process.process.pid}/stat").read_text()
    fields = stat.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def started(postgres_url: str, kafka: str, logs: Path) -> Iterator[dict[str, ServiceProcess]]:
    """The stand-in service, the bare proxy and the gateway running, by target."""
    database = asyncio.run(create_database(postgres_url, "gateway_bench"))
    upgrade_database(database, ROOT / "services" / "gateway" / "migrations")
    bench_env = {**os.environ, "PYTHONPATH": str(ROOT / "bench"), "LOG_LEVEL": "WARNING"}
    upstream = ServiceProcess(
        "ping", free_port(), bench_env, logs / "ping.log", app="gateway_overhead:ping_app"
    )
    bare = ServiceProcess(
        "bare-proxy",
        free_port(),
        {**bench_env, "BARE_PROXY_UPSTREAM": upstream.url},
        logs / "bare-proxy.log",
        app="_bare_proxy:create_app",
    )
    with_headers = ServiceProcess(
        "bare-proxy",
        free_port(),
        {**bench_env, "BARE_PROXY_UPSTREAM": upstream.url, "BARE_PROXY_GATEWAY_HEADERS": "1"},
        logs / "bare-proxy-headers.log",
        app="_bare_proxy:create_app",
    )
    gateway_env = {
        **os.environ,
        # As the launcher sets them (Stack._env), less the services this route does not use.
        "GATEWAY_DATABASE_URL": database,
        "KAFKA_BOOTSTRAP_SERVERS": kafka,
        "KAFKA_ENABLE_IDEMPOTENCE": "false",
        "INTERNAL_JWT_SECRET": secrets.token_urlsafe(48),
        "GATEWAY_JWT_SECRET": secrets.token_urlsafe(48),
        "GATEWAY_CONSULTATION_URL": upstream.url,
        "LOG_JSON": "true",
        "LOG_LEVEL": "WARNING",
        # Out of the way but still counted: the limiter does its work on every request.
        "GATEWAY_RATE_LIMIT_DEFAULT": "100000000/minute",
    }
    gateway = ServiceProcess("gateway", free_port(), gateway_env, logs / "gateway.log")
    processes = [upstream, bare, with_headers, gateway]
    try:
        for process in processes:
            process.start()
        wait_ready(upstream, "/healthz")
        wait_ready(bare, "/healthz")
        wait_ready(with_headers, "/healthz")
        wait_ready(gateway, "/livez")
        yield {
            "direct": upstream,
            "bare proxy": bare,
            "bare+headers": with_headers,
            "gateway": gateway,
        }
    finally:
        for process in reversed(processes):
            process.stop()


def summarise(name: str, measures: list[Measure]) -> tuple[float, float, float]:
    """Print one target's rounds; return the medians of rate, p50 and p99."""
    rates = [m.rate for m in measures]
    p50s, p99s = [m.p50_ms for m in measures], [m.p99_ms for m in measures]
    print(
        f"  {name:<11} req/s {statistics.median(rates):8,.0f} (rounds {min(rates):,.0f}"
        f"-{max(rates):,.0f})  p50 {statistics.median(p50s):5.1f} ms ({min(p50s):.1f}"
        f"-{max(p50s):.1f})  p99 {statistics.median(p99s):5.1f} ms ({min(p99s):.1f}"
        f"-{max(p99s):.1f})"
    )
    return statistics.median(rates), statistics.median(p50s), statistics.median(p99s)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=5, help="of each target in each round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument(
        "--load", choices=("wrk", "aiohttp"), default=generator(), help="the load generator"
    )
    parser.add_argument("--short", action="store_true", help="a smoke run of a few seconds")
    args = parser.parse_args()
    if args.short:
        args.seconds, args.rounds = 1, 1
    tool = args.load
    measures: dict[str, list[Measure]] = {target: [] for target in TARGETS}
    cpu_us: dict[str, list[float]] = {target: [] for target in TARGETS}
    with (
        embedded_servers() as servers,
        tempfile.TemporaryDirectory(prefix="bench-logs-") as logs,
        started(servers.postgres_url, servers.kafka_bootstrap_servers, Path(logs)) as servers_of,
    ):
        for target in TARGETS:  # warm-up: connections, caches, the first token
            load(servers_of[target].url + PATH, clients=args.clients, seconds=1, tool=tool)
        for n in range(args.rounds):
            for target in TARGETS:
                server = servers_of[target]
                before = cpu_seconds(server)
                measure = load(
                    server.url + PATH, clients=args.clients, seconds=args.seconds, tool=tool
                )
                answered = measure.rate * args.seconds
                cpu_us[target].append((cpu_seconds(server) - before) / answered * 1e6)
                measures[target].append(measure)
            print(
                f"  round {n + 1}: "
                + " | ".join(
                    f"{t} {measures[t][-1].rate:,.0f}/s {cpu_us[t][-1]:.0f} µs CPU/request"
                    for t in TARGETS
                ),
                flush=True,
            )

    print(f"  load: {tool}, {args.clients} connections, {args.rounds} rounds of {args.seconds} s")
    figures = {target: summarise(target, measures[target]) for target in TARGETS}
    of = f"median of {args.rounds}, {tool}"
    for target, against in (
        ("gateway", "direct"),
        ("bare proxy", "direct"),
        ("gateway", "bare proxy"),
        ("bare+headers", "bare proxy"),
    ):
        report(
            BENCH,
            f"{target}: requests/s",
            figures[target][0],
            "req/s",
            baseline=figures[against][0],
            baseline_name=f"{against}, {of}",
        )
    # The proxies' own CPU per request (the upstream's is the same behind both).
    cpu = {target: statistics.median(cpu_us[target]) for target in TARGETS}
    for target, against in (
        ("bare proxy", "direct"),
        ("gateway", "bare proxy"),
        ("bare+headers", "bare proxy"),
    ):
        report(
            BENCH,
            f"{target}: CPU per request",
            cpu[target],
            "µs",
            baseline=cpu[against],
            baseline_name=f"{against}, {of}",
            higher_is_better=False,
        )
    for index, pct in ((1, 50), (2, 99)):
        for target, against in (("bare proxy", "direct"), ("gateway", "bare proxy")):
            report(
                BENCH,
                f"{target}: p{pct} latency",
                figures[target][index],
                "ms",
                baseline=figures[against][index],
                baseline_name=f"{against}, {of}",
                higher_is_better=False,
            )


if __name__ == "__main__":
    main()
