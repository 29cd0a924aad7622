"""A published consultation's results page costs the same for 1,000,000 responses as for 100.

    uv run python bench/published_results.py [--responses 1000000] [--runs 7] [--short]

Two consultations with one question of every type and an age breakdown: one answered by
100 residents, one by ``--responses``; both closed, then published (which computes and keeps
their results, ``service.publish_consultation``). Measured for each, as the public routes do
it in the service: the results for everyone together and by age
(``service.results_for``, serialised as the route answers) and the CSV download of every
breakdown (``service.all_results_for`` + ``downloads.results_csv``). The baseline is the same
work on the consultation of 100 responses, in the same run: the ratio is the cost of size.
Also shown: tallying the large one live, what every page view cost before results were kept.
Only PostgreSQL is needed; responses are made in bulk by SQL (generate_series).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import Any
from uuid import uuid4

from _ingest_load import definition
from benchlib import report
from consultation_results import fill
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from localrights.db import (
    asyncpg_dsn,
    create_engine,
    run_sql,
    session_factory,
    sqlalchemy_url,
)
from localrights.embedded import EmbeddedPostgres
from localrights.migrations import create_database, upgrade_database
from localrights.uow import UnitOfWork, event_source
from localrights_consultation import service
from localrights_consultation.models import Consultation
from localrights_consultation.schemas import ConsultationCreate, ConsultationPublish
from localrights_consultation.service import downloads

ROOT = Path(__file__).resolve().parent.parent
BENCH = "published_results"
THRESHOLD = 5
SMALL = 100


async def seconds(call: Callable[[], Awaitable[Any]]) -> float:
    started = time.perf_counter()
    await call()
    return time.perf_counter() - started


async def measure(url: str, count: int, runs: int) -> None:
    await asyncio.to_thread(upgrade_database, url, ROOT / "services/consultation/migrations")
    engine = create_engine(url)
    sessions = session_factory(engine)
    made: dict[int, Consultation] = {}
    for size in (SMALL, count):
        async with sessions() as session, UnitOfWork(session, source=event_source("bench")) as uow:
            created = await service.create_consultation(
                uow, institution_id=uuid4(), data=ConsultationCreate.model_validate(definition())
            )
        await fill(asyncpg_dsn(url), created.id, size)
        async with sessions() as session:
            await run_sql(
                session,
                text(
                    "UPDATE consultations SET status = 'closed', closed_at = now() WHERE id = :id"
                ),
                {"id": created.id},
            )
            await session.commit()
        started = time.perf_counter()
        async with sessions() as session, UnitOfWork(session, source=event_source("bench")) as uow:
            consultation = await service.get_consultation_or_raise(session=session, id=created.id)
            await service.publish_consultation(
                uow,
                consultation=consultation,
                threshold=THRESHOLD,
                data=ConsultationPublish(what_happens_next={"en": "The council decides."}),
            )
        print(f"  {size:,} responses published in {time.perf_counter() - started:.2f}s")
        made[size] = consultation

    async def page(consultation: Consultation) -> int:
        """The results route's work for everyone and by age, as the page asks for both."""
        async with sessions() as session:
            figures = [
                await service.results_for(
                    session=session, consultation=consultation, threshold=THRESHOLD, by=by
                )
                for by in (None, "age")
            ]
        return sum(len(f.model_dump_json()) for f in figures)

    async def download(consultation: Consultation) -> int:
        async with sessions() as session:
            results = await service.all_results_for(
                session=session, consultation=consultation, threshold=THRESHOLD
            )
        return len(downloads.results_csv(consultation, results, "en"))

    # Tallying a million answers may take longer than the service's 30 s statement timeout
    # on a busy machine: this comparison gets an engine of its own without one.
    patient = create_async_engine(sqlalchemy_url(url), connect_args={"command_timeout": None})

    async def live(consultation: Consultation) -> None:
        async with session_factory(patient)() as session:
            for by in (None, "age"):
                await service.compute_results(
                    session=session, consultation=consultation, threshold=THRESHOLD, by=by
                )

    # The same answers whatever the size: the kept results are complete and final.
    small, large = made[SMALL], made[count]
    assert await page(small) > 0 and await download(large) > 0
    times: dict[str, dict[int, list[float]]] = {"page": {}, "download": {}}
    for consultation in (small, large):  # warm: connections, caches, code paths
        await page(consultation)
        await download(consultation)
    for _ in range(runs):  # interleaved, so other load on the machine falls on both alike
        for size, consultation in ((SMALL, small), (count, large)):
            times["page"].setdefault(size, []).append(await seconds(partial(page, consultation)))
            times["download"].setdefault(size, []).append(
                await seconds(partial(download, consultation))
            )
    live_s = statistics.median([await seconds(lambda: live(large)) for _ in range(3)])
    await engine.dispose()
    await patient.dispose()

    def ms(values: list[float]) -> float:
        return statistics.median(values) * 1000

    baseline_name = f"the same for {SMALL} responses, same run"
    for what, figure in (("page", "results page"), ("download", "CSV download")):
        report(BENCH, f"{figure}, {SMALL} responses", ms(times[what][SMALL]), "ms")
        report(
            BENCH,
            f"{figure}, {count:,} responses",
            ms(times[what][count]),
            "ms",
            baseline=ms(times[what][SMALL]),
            baseline_name=baseline_name,
            higher_is_better=False,
        )
    report(
        BENCH,
        f"live tally of {count:,} (before: every view)",
        live_s * 1000,
        "ms",
        baseline=ms(times["page"][SMALL]),
        baseline_name=f"results page of {SMALL} responses, kept results",
        higher_is_better=False,
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--short", action="store_true", help="a smoke run of a few seconds")
    args = parser.parse_args()
    count = 20_000 if args.short else args.responses
    runs = 3 if args.short else args.runs
    with tempfile.TemporaryDirectory(prefix="bench-") as workdir:
        postgres = EmbeddedPostgres(Path(workdir) / "pgdata")
        postgres.start()
        try:
            url = await create_database(postgres.url, f"published_{uuid4().hex[:8]}")
            await measure(url, count, runs)
        finally:
            postgres.stop("immediate")


if __name__ == "__main__":
    asyncio.run(main())
