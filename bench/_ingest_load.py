"""The load of bench/consultation_ingest.py: residents' submissions, and the consultation.

``run_load`` keeps ``clients`` aiohttp connections posting valid answers as fast as they are
answered and notes every accepted response's id, so that nothing accepted can go missing
unseen; the consultation is one of every question type, open now.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import aiohttp

PER_DEVICE = 10  # the service's default cap: each virtual resident sends at most this many


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
