"""What the gateway costs: one endpoint called directly and through the gateway, same run.

    uv run python bench/gateway_overhead.py [--seconds 10] [--clients 32] [--short]

The endpoint is a trivial JSON route of a stand-in service (its own uvicorn process), so the
figures are the gateway's own work: authentication (anonymous: the client key), the rate
limiter, signing the internal token, and the pooled aiohttp hop. The gateway runs as the
launcher starts it (uvicorn, its own PostgreSQL database and the broker, embedded here),
with the rate limit raised out of the way. 32 concurrent keep-alive clients in this process
drive each target in turn; the ratio is gateway / direct.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import aiohttp
from benchlib import embedded_servers, percentile, report

from localrights.embedded import free_port
from localrights.migrations import create_database, upgrade_database

ROOT = Path(__file__).resolve().parent.parent
PATH = "/api/v1/consultations/ping"

UPSTREAM = textwrap.dedent(
    """
    import sys
    import uvicorn
    from fastapi import FastAPI

    app = FastAPI()

    @app.get("/api/v1/consultations/ping")
    async def ping() -> dict[str, bool]:
        return {"ok": True}

    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning",
                access_log=False)
    """
)


def wait_http(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: process exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer in {timeout}s")


async def load(url: str, clients: int, seconds: float) -> tuple[float, list[float]]:
    """Requests per second and latencies of ``clients`` workers hammering ``url``."""
    latencies: list[float] = []
    errors = 0
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker(until: float, record: bool) -> None:
            nonlocal errors
            while time.perf_counter() < until:
                started = time.perf_counter()
                async with session.get(url) as response:
                    await response.read()
                    if response.status != 200:
                        errors += 1
                if record:
                    latencies.append(time.perf_counter() - started)

        warm_until = time.perf_counter() + min(1.0, seconds / 4)
        await asyncio.gather(*(worker(warm_until, False) for _ in range(clients)))
        started = time.perf_counter()
        until = started + seconds
        await asyncio.gather(*(worker(until, True) for _ in range(clients)))
        elapsed = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"{url}: {errors} answers were not 200")
    return len(latencies) / elapsed, latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--short", action="store_true", help="a smoke run of a few seconds")
    args = parser.parse_args()
    seconds = 2.0 if args.short else args.seconds

    with embedded_servers() as servers:
        database = asyncio.run(create_database(servers.postgres_url, "gateway_bench"))
        upgrade_database(database, ROOT / "services" / "gateway" / "migrations")
        upstream_port, gateway_port = free_port(), free_port()
        upstream = subprocess.Popen([sys.executable, "-c", UPSTREAM, str(upstream_port)])
        env = {
            **os.environ,
            "GATEWAY_DATABASE_URL": database,
            "KAFKA_BOOTSTRAP_SERVERS": servers.kafka_bootstrap_servers,
            "INTERNAL_JWT_SECRET": secrets.token_urlsafe(48),
            "GATEWAY_JWT_SECRET": secrets.token_urlsafe(48),
            "GATEWAY_CONSULTATION_URL": f"http://127.0.0.1:{upstream_port}",
            "GATEWAY_RATE_LIMIT_DEFAULT": "100000000/minute",
            "LOG_LEVEL": "WARNING",
        }
        gateway = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "localrights_gateway.main:create_app",
                "--port",
                str(gateway_port),
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT,
        )
        try:
            direct_url = f"http://127.0.0.1:{upstream_port}{PATH}"
            gateway_url = f"http://127.0.0.1:{gateway_port}{PATH}"
            wait_http(direct_url, upstream)
            wait_http(f"http://127.0.0.1:{gateway_port}/livez", gateway)
            direct_rps, direct_lat = asyncio.run(load(direct_url, args.clients, seconds))
            via_rps, via_lat = asyncio.run(load(gateway_url, args.clients, seconds))
        finally:
            for process in (gateway, upstream):
                process.terminate()
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    process.kill()

    name = "gateway_overhead"
    base = f"direct, {args.clients} clients"
    report(
        name,
        "through gateway: requests/s",
        via_rps,
        "req/s",
        baseline=direct_rps,
        baseline_name=base,
    )
    for pct in (50, 99):
        report(
            name,
            f"through gateway: p{pct} latency",
            percentile(via_lat, pct) * 1000,
            "ms",
            baseline=percentile(direct_lat, pct) * 1000,
            baseline_name=base,
            higher_is_better=False,
        )


if __name__ == "__main__":
    main()
