"""Recommendation import throughput through the API, beside PostgreSQL COPY of the same rows.

    uv run python bench/recommendations_import.py [--rows 100000] [--short]

Generated UPR Info rows (CR line ends, quoted commas) are streamed in 64 KiB chunks to
POST /api/v1/recommendations/import of the service running in-process (its full lifespan:
engine, relay, consumers), which decodes, validates, deduplicates and upserts them in
batches in one transaction. Baseline: the same rows, already parsed, written with asyncpg's
binary COPY into the same table (tsvector column and GIN indexes included) of a fresh
database: the floor any importer of this table pays.

Memory: a third import of as many new rows runs under tracemalloc, and its peak of Python
allocations (everything the service, the client and the driver allocate while it runs) is
printed beside the size of the upload: streaming keeps it at one batch plus a few bytes a
row, where reading the body first would cost the file several times over.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import random
import time
import tracemalloc
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
from benchlib import embedded_servers, report

from localrights.auth import Role
from localrights.db import asyncpg_dsn
from localrights.migrations import aupgrade_database, create_database
from localrights.testing.helpers import bearer, running_app
from localrights_recommendations.config import Settings
from localrights_recommendations.domain.importing import (
    CsvRecordReader,
    LineDecoder,
    parser_for,
)
from localrights_recommendations.main import create_app

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = ROOT / "services" / "recommendations" / "migrations"
SECRET = "bench-secret-" + "x" * 40
CHUNK = 64 * 1024
COUNTRIES = ["Viet Nam", "Macedonia FYR", "Palestine", "Uruguay", "Kenya", "Italy", "Chile"]
STATES = ["Mexico", "Sweden", "Brazil", "Japan", "Ghana", "Norway", "Peru", "India"]
WORDS = (
    "ensure local authorities adopt implement strengthen measures protect rights women "
    "children persons disabilities indigenous peoples access justice housing water "
    "education health participation budget data disaggregated municipal regional plan"
).split()


def generate(rows: int, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r")
    writer.writerow(
        [
            "To",
            "To-Rgrp",
            "To-Org",
            "Text",
            "From",
            "From-Rgrp",
            "From-Org",
            "Response",
            "Action",
            "Issue",
            "Session",
        ]
    )
    for n in range(rows):
        text = " ".join(rng.choices(WORDS, k=rng.randint(12, 40))).capitalize()
        writer.writerow(
            [
                rng.choice(COUNTRIES),
                "Asia",
                "OIC, AL",
                f"{text}, item {n}",
                rng.choice(STATES),
                "GRULAC",
                "OAS",
                rng.choice(["Accepted", "Noted"]),
                str(rng.randint(1, 5)),
                "Women's rights,Rights of the Child",
                str(rng.randint(1, 40)),
            ]
        )
    return out.getvalue().encode()


async def chunks(data: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(data), CHUNK):
        yield data[start : start + CHUNK]


def parsed_rows(data: bytes) -> list[tuple[object, ...]]:
    reader = CsvRecordReader(LineDecoder())
    records = reader.feed(data) + reader.finish()
    parser = parser_for("upr_info_csv", records[0].fields)
    rows: list[tuple[object, ...]] = []
    for record in records[1:]:
        for rec in parser.parse(record.fields, None).records:
            rows.append(
                (
                    uuid.uuid4(),
                    rec.source,
                    rec.natural_key,
                    rec.mechanism_type,
                    rec.mechanism,
                    rec.country,
                    rec.cycle,
                    rec.session,
                    list(rec.recommending_states),
                    rec.response,
                    rec.action_category,
                    rec.text,
                    list(rec.themes),
                )
            )
    return rows


async def copy_baseline(server_url: str, rows: list[tuple[object, ...]]) -> float:
    url = await create_database(server_url, f"bench_copy_{uuid.uuid4().hex[:6]}")
    await aupgrade_database(url, MIGRATIONS)
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        started = time.perf_counter()
        async with conn.transaction():
            await conn.copy_records_to_table(
                "recommendations",
                records=rows,
                columns=[
                    "id",
                    "source",
                    "natural_key",
                    "mechanism_type",
                    "mechanism",
                    "country",
                    "cycle",
                    "session",
                    "recommending_states",
                    "response",
                    "action_category",
                    "text",
                    "themes",
                ],
            )
        return time.perf_counter() - started
    finally:
        await conn.close()


async def main(rows: int) -> None:
    data = generate(rows)
    with embedded_servers() as servers:
        url = await create_database(servers.postgres_url, "bench_import")
        await aupgrade_database(url, MIGRATIONS)
        settings = Settings(
            database_url=url,
            kafka_bootstrap_servers=servers.kafka_bootstrap_servers,
            internal_jwt_secret=SECRET,
            log_json=False,
            log_level="WARNING",
        )
        ministry = uuid.uuid4()

        def signed() -> dict[str, str]:
            # A fresh internal token per call: they expire within minutes, imports are long.
            headers = bearer(SECRET, Role.MINISTRY_OFFICER, institution_id=ministry)
            return {**headers, "content-type": "text/csv"}

        async with running_app(create_app(settings)) as client:
            started = time.perf_counter()
            response = await client.post(
                "/api/v1/recommendations/import",
                content=chunks(data),
                headers=signed(),
                timeout=3600,
            )
            first = time.perf_counter() - started
            result = response.json()
            assert response.status_code == 200, response.text
            assert result["created"] + result["rejected"] == rows, result
            started = time.perf_counter()
            again = await client.post(
                "/api/v1/recommendations/import",
                content=chunks(data),
                headers=signed(),
                timeout=3600,
            )
            second = time.perf_counter() - started
            assert again.json()["unchanged"] == result["created"], again.text
            fresh = generate(rows, seed=8)
            tracemalloc.start()
            measured = await client.post(
                "/api/v1/recommendations/import",
                content=chunks(fresh),
                headers=signed(),
                timeout=3600,
            )
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            assert measured.status_code == 200, measured.text
            assert measured.json()["created"] > 0, measured.text
        copy_seconds = await copy_baseline(servers.postgres_url, parsed_rows(data))

    print(
        f"{rows:,} generated UPR Info rows, {len(data) / 1e6:.1f} MB, "
        f"{result['created']:,} created, {result['rejected']:,} rejected"
    )
    report(
        "recommendations_import",
        "import via API (new rows)",
        rows / first,
        "rows/s",
        baseline=rows / copy_seconds,
        baseline_name="asyncpg COPY",
    )
    report(
        "recommendations_import",
        "re-import via API (unchanged)",
        rows / second,
        "rows/s",
        baseline=rows / copy_seconds,
        baseline_name="asyncpg COPY",
    )
    report(
        "recommendations_import",
        "peak Python heap during an import",
        peak / 1e6,
        "MB",
        baseline=len(fresh) / 1e6,
        baseline_name="upload size (MB)",
        higher_is_better=False,
    )
    report(
        "recommendations_import",
        "import wall time",
        first,
        "s",
        baseline=copy_seconds,
        baseline_name="asyncpg COPY",
        higher_is_better=False,
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, help="100,000 unless --short")
    parser.add_argument("--short", action="store_true", help="10,000 rows")
    args = parser.parse_args()
    asyncio.run(main(args.rows or (10_000 if args.short else 100_000)))
