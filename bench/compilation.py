"""Compiling a reporting exercise's annex in each format, beside reading its inputs.

    uv run python bench/compilation.py [--recommendations 500] [--institutions 300] [--short]

An exercise with N recommendations and M invited institutions, each of which answered a
share of the recommendations (--answer-share, default 0.1: 15,000 inputs for 500 x 300)
with measures, an indicator with disaggregation and an evidence link. Each format is
fetched through GET /api/v1/exercises/{id}/compilation of the in-process service (median of
3). Baseline: a plain SELECT of the same inputs with asyncpg, the read no compilation avoids.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import asyncpg
from benchlib import embedded_servers, report

from localrights.auth import Role
from localrights.db import asyncpg_dsn
from localrights.migrations import aupgrade_database, create_database
from localrights.testing.helpers import bearer, running_app
from localrights_recommendations.config import Settings
from localrights_recommendations.main import create_app

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = ROOT / "services" / "recommendations" / "migrations"
SECRET = "bench-secret-" + "x" * 40


async def seed(url: str, recs: int, institutions: int, share: float, ministry: uuid.UUID) -> str:
    rng = random.Random(11)
    conn = await asyncpg.connect(asyncpg_dsn(url))
    now = datetime.now(UTC)
    try:
        rec_ids = [uuid.uuid4() for _ in range(recs)]
        await conn.copy_records_to_table(
            "recommendations",
            records=[
                (
                    rid,
                    "bench",
                    f"k{n}",
                    "upr",
                    "UPR",
                    "UY",
                    str(40),
                    f"{120 + n // 50}.{n % 50}",
                    f"Ensure that local authorities implement measure {n} with disaggregated data",
                    ["5.2", "11.1"],
                )
                for n, rid in enumerate(rec_ids)
            ],
            columns=[
                "id",
                "source",
                "natural_key",
                "mechanism_type",
                "mechanism",
                "country",
                "session",
                "paragraph",
                "text",
                "sdg_targets",
            ],
        )
        inst = [
            (uuid.uuid4(), f"UY-{chr(65 + i % 19)}{chr(65 + i // 19 % 26)}")
            for i in range(institutions)
        ]
        await conn.copy_records_to_table(
            "institutions",
            records=[
                (i, f"Municipality {n}", "municipality", "UY", j, True, now)
                for n, (i, j) in enumerate(inst)
            ],
            columns=["id", "name", "kind", "country", "jurisdiction", "active", "changed_at"],
        )
        exercise = uuid.uuid4()
        await conn.execute(
            "INSERT INTO exercises (id, ministry_institution_id, created_by, report_type, country,"
            " title, deadline, status, invited_institution_ids, selection)"
            " VALUES ($1, $2, 'bench', 'upr_midterm_report', 'UY', 'Mid-term report', $3, 'open',"
            " $4, '{}')",
            exercise,
            ministry,
            date(2026, 6, 30),
            [i for i, _ in inst],
        )
        await conn.copy_records_to_table(
            "exercise_recommendations",
            records=[(exercise, rid, n) for n, rid in enumerate(rec_ids)],
            columns=["exercise_id", "recommendation_id", "position"],
        )
        statuses = ["implemented", "in_progress", "not_started", "not_applicable"]
        indicator = json.dumps(
            [
                {
                    "name": "Households reached",
                    "value": 1200.0,
                    "unit": "households",
                    "period": "2025",
                    "disaggregation": [
                        {"group": "women-headed", "dimension": "sex", "value": 430.0}
                    ],
                }
            ]
        )
        inputs = []
        for institution, jurisdiction in inst:
            for rid in rng.sample(rec_ids, max(1, round(recs * share))):
                inputs.append(
                    (
                        uuid.uuid4(),
                        exercise,
                        rid,
                        institution,
                        jurisdiction,
                        rng.choice(statuses),
                        "Adopted a municipal plan with a budget line and a monitoring committee.",
                        indicator,
                        "Participatory budgeting with residents' assemblies.",
                        "Staff turnover.",
                        ["https://example.org/evidence"],
                        1,
                        "bench",
                        now,
                    )
                )
        await conn.copy_records_to_table(
            "local_inputs",
            records=inputs,
            columns=[
                "id",
                "exercise_id",
                "recommendation_id",
                "institution_id",
                "jurisdiction",
                "status",
                "measures_taken",
                "indicators",
                "good_practice",
                "challenges",
                "evidence_links",
                "version",
                "submitted_by",
                "submitted_at",
            ],
        )
        return str(exercise)
    finally:
        await conn.close()


async def main(recs: int, institutions: int, share: float) -> None:
    ministry = uuid.uuid4()
    with embedded_servers() as servers:
        url = await create_database(servers.postgres_url, "bench_compilation")
        await aupgrade_database(url, MIGRATIONS)
        exercise = await seed(url, recs, institutions, share, ministry)
        conn = await asyncpg.connect(asyncpg_dsn(url))
        started = time.perf_counter()
        rows = await conn.fetch(
            "SELECT * FROM local_inputs WHERE exercise_id = $1", uuid.UUID(exercise)
        )
        select_seconds = time.perf_counter() - started
        await conn.close()
        settings = Settings(
            database_url=url,
            kafka_bootstrap_servers=servers.kafka_bootstrap_servers,
            internal_jwt_secret=SECRET,
            log_json=False,
            log_level="WARNING",
        )
        print(
            f"exercise: {recs} recommendations, {institutions} institutions, {len(rows):,} inputs"
        )
        async with running_app(create_app(settings)) as client:
            for fmt in ("json", "csv", "md", "html"):
                times, size = [], 0
                for _ in range(3):
                    # A fresh internal token each time: the gateway's expire in minutes.
                    headers = bearer(SECRET, Role.MINISTRY_OFFICER, institution_id=ministry)
                    started = time.perf_counter()
                    response = await client.get(
                        f"/api/v1/exercises/{exercise}/compilation",
                        params={"format": fmt},
                        headers=headers,
                        timeout=600,
                    )
                    times.append(time.perf_counter() - started)
                    assert response.status_code == 200, response.text[:300]
                    size = len(response.content)
                seconds = statistics.median(times)
                report(
                    "compilation",
                    f"{fmt} annex ({size / 1e6:.1f} MB)",
                    len(rows) / seconds,
                    "inputs/s",
                    baseline=len(rows) / select_seconds,
                    baseline_name="asyncpg SELECT",
                )
                report(
                    "compilation",
                    f"{fmt} annex time",
                    seconds,
                    "s",
                    baseline=select_seconds,
                    baseline_name="asyncpg SELECT",
                    higher_is_better=False,
                )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recommendations", type=int, default=500)
    parser.add_argument("--institutions", type=int, default=300)
    parser.add_argument("--answer-share", type=float, default=0.1)
    parser.add_argument("--short", action="store_true", help="50 recommendations x 30")
    args = parser.parse_args()
    if args.short:
        args.recommendations, args.institutions = 50, 30
    asyncio.run(main(args.recommendations, args.institutions, args.answer_share))
