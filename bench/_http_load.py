"""Closed-loop HTTP load on one URL: wrk when it is installed, else aiohttp in its own process.

    python bench/_http_load.py URL CLIENTS SECONDS      (the aiohttp generator alone)

wrk (Debian's package, which ``make bench`` installs) is written in C: one thread keeps 32
keep-alive connections busy while using a small part of one core, so on a 2-core machine
the servers measured, not the client, set the figure. aiohttp takes a whole core for the
same rates; it runs in a process of its own, and every figure it gives says so.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

import aiohttp
from benchlib import percentile

# wrk's summary as one JSON line (latencies in microseconds).
WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %d, "duration_us": %d, "errors": %d, "non_2xx": %d, '
    .. '"p50_us": %d, "p99_us": %d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99)))
end
"""


@dataclass(frozen=True)
class Measure:
    """Requests a second and latency percentiles of one load run."""

    rate: float
    p50_ms: float
    p99_ms: float


def generator() -> str:
    """The load generator this machine has: ``wrk`` or ``aiohttp``."""
    return "wrk" if shutil.which("wrk") else "aiohttp"


def load(url: str, *, clients: int, seconds: int, tool: str) -> Measure:
    """``clients`` keep-alive connections requesting ``url`` for ``seconds``; any non-2xx fails."""
    if tool == "wrk":
        return _wrk(url, clients, seconds)
    command = [sys.executable, __file__, url, str(clients), str(seconds)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return Measure(**json.loads(output))


def _wrk(url: str, clients: int, seconds: int) -> Measure:
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(WRK_REPORT)
        script.flush()
        command = ["wrk", "-t1", f"-c{clients}", f"-d{seconds}s", "-s", script.name, url]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    [line] = [line for line in output.splitlines() if line.startswith("WRK ")]
    summary = json.loads(line[4:])
    if summary["errors"] or summary["non_2xx"]:
        raise RuntimeError(f"{url}: {summary['errors']} errors, {summary['non_2xx']} not 2xx")
    return Measure(
        rate=summary["requests"] / (summary["duration_us"] / 1e6),
        p50_ms=summary["p50_us"] / 1000,
        p99_ms=summary["p99_us"] / 1000,
    )


async def _aiohttp(url: str, clients: int, seconds: float) -> Measure:
    latencies: list[float] = []
    failed = 0
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker(until: float) -> None:
            nonlocal failed
            while (started := time.perf_counter()) < until:
                async with session.get(url) as response:
                    await response.read()
                    failed += not 200 <= response.status < 300
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(worker(started + seconds) for _ in range(clients)))
        elapsed = time.perf_counter() - started
    if failed:
        raise RuntimeError(f"{url}: {failed} answers not 2xx")
    return Measure(
        rate=len(latencies) / elapsed,
        p50_ms=percentile(latencies, 50) * 1000,
        p99_ms=percentile(latencies, 99) * 1000,
    )


if __name__ == "__main__":
    url, clients, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    print(json.dumps(asyncio.run(_aiohttp(url, clients, seconds)).__dict__))
