"""A country's follow-up dashboard over many places and a long status history, beside the
hand-written SQL of the same figures.

    uv run python bench/follow_up_dashboard.py [--places 300] [--recommendations 2000] [--short]

One country with N recommendations over 4 UPR cycles (a quarter each) and M places (one
institution each, every one publishing), each place with a status history of 4 entries per
recommendation (one per cycle): 2,400,000 timeline entries and 600,000 current statuses at
the full size. GET /api/v1/follow-up/countries/{code} of the in-process service, as the
country's ministry and as a resident (median of 5 each). Baselines, in the same run: the
same figures (places × statuses with the review counts, coverage per place and overall,
recommendations in scope, recurring links) by hand-written SQL over the current statuses
with asyncpg; and, to show what keeping the current status saves, the same places × statuses
computed from the timeline itself (the latest entry per recommendation and place).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
from benchlib import embedded_servers, report

from localrights.auth import Role
from localrights.db import asyncpg_dsn
from localrights.migrations import aupgrade_database, create_database
from localrights.testing.helpers import anonymous, bearer, running_app
from localrights_recommendations.config import Settings
from localrights_recommendations.main import create_app

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = ROOT / "services" / "recommendations" / "migrations"
SECRET = "bench-secret-" + "x" * 40
COUNTRY = "IT"
STATUSES = ["not_started", "in_progress", "partially_implemented", "implemented"]
ROUNDS = 5

HAND_WRITTEN = {
    "by place and status": """
        SELECT jurisdiction, reported_status, count(*) AS statuses,
               count(*) FILTER (WHERE review = 'validated') AS validated,
               count(*) FILTER (WHERE review = 'pending') AS pending,
               count(*) FILTER (WHERE review = 'returned') AS returned,
               count(*) FILTER (WHERE carried_from IS NOT NULL) AS carried_over
        FROM follow_up_statuses WHERE country = $1 {published}
        GROUP BY jurisdiction, reported_status""",
    "coverage": """
        SELECT jurisdiction, count(DISTINCT recommendation_id), count(DISTINCT institution_id)
        FROM follow_up_statuses WHERE country = $1 {published}
        GROUP BY GROUPING SETS ((jurisdiction), ())""",
    "in scope": "SELECT count(*) FROM recommendations WHERE country = $1",
    "recurring": "SELECT status, count(*) FROM recurrence_links WHERE country = $1 GROUP BY 1",
}
PUBLISHED = (
    "AND institution_id IN (SELECT institution_id FROM follow_up_publications WHERE published)"
)
FROM_THE_TIMELINE = """
    SELECT jurisdiction, status, count(*) FROM (
        SELECT DISTINCT ON (recommendation_id, institution_id) jurisdiction, status
        FROM status_entries WHERE country = $1 AND origin <> 'ministry_validation'
        ORDER BY recommendation_id, institution_id, as_of DESC, recorded_at DESC
    ) AS latest GROUP BY jurisdiction, status"""


async def seed(url: str, recs: int, places: int) -> None:
    """Recommendations, institutions, their timelines and current statuses, by COPY."""
    rng = random.Random(20)
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        themes = ["Right to housing", "Minorities", "Women's rights", "Rights of the Child"]
        rec_ids = [uuid.uuid4() for _ in range(recs)]
        cycles = [1 + n * 4 // recs for n in range(recs)]
        await conn.copy_records_to_table(
            "recommendations",
            records=[
                (
                    rid,
                    "bench",
                    f"k{n}",
                    "upr",
                    "UPR",
                    COUNTRY,
                    cycles[n],
                    str(7 + 14 * cycles[n]),
                    f"Recommendation {n} on local implementation",
                    [themes[n % 4]],
                    ["11.1"] if n % 3 else ["5.2"],
                )  # fmt: skip
                for n, rid in enumerate(rec_ids)
            ],
            columns=[
                "id",
                "source",
                "natural_key",
                "mechanism_type",
                "mechanism",
                "country",
                "cycle",
                "session",
                "text",
                "themes",
                "sdg_targets",
            ],  # fmt: skip
        )
        institutions = [(uuid.uuid4(), f"{COUNTRY}-P{n:03d}") for n in range(places)]
        await conn.copy_records_to_table(
            "follow_up_publications",
            records=[(i, True, "bench") for i, _ in institutions],
            columns=["institution_id", "published", "changed_by"],
        )
        years = [date(2012, 6, 1), date(2016, 6, 1), date(2020, 6, 1), date(2024, 6, 1)]
        for institution, place in institutions:
            entries = [
                (
                    uuid.uuid4(),
                    rid,
                    institution,
                    place,
                    COUNTRY,
                    rng.choice(STATUSES),
                    day,
                    "institution_update",
                    rng.choice(("validated", "pending", "returned")),
                    "bench",
                )  # fmt: skip
                for rid in rec_ids
                for day in years
            ]
            await conn.copy_records_to_table(
                "status_entries",
                records=entries,
                columns=[
                    "id",
                    "recommendation_id",
                    "institution_id",
                    "jurisdiction",
                    "country",
                    "status",
                    "as_of",
                    "origin",
                    "review",
                    "recorded_by",
                ],  # fmt: skip
            )
        # The current statuses, as the service keeps them: the latest entry of each pair.
        await conn.execute(
            """
            INSERT INTO follow_up_statuses (recommendation_id, institution_id, jurisdiction,
                country, reported_status, reported_entry_id, reported_as_of, review, entries)
            SELECT DISTINCT ON (recommendation_id, institution_id) recommendation_id,
                institution_id, jurisdiction, country, status, id, as_of, review, 4
            FROM status_entries
            ORDER BY recommendation_id, institution_id, as_of DESC
            """
        )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


async def median_seconds(call: Callable[[], Awaitable[Any]]) -> float:
    await call()  # warm the caches once
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        await call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def main(recs: int, places: int) -> None:
    with embedded_servers() as servers:
        url = await create_database(servers.postgres_url, "bench_follow_up")
        await aupgrade_database(url, MIGRATIONS)
        started = time.perf_counter()
        await seed(url, recs, places)
        print(
            f"seeded {recs} recommendations x {places} places x 4 entries "
            f"({recs * places * 4:,} timeline entries) in {time.perf_counter() - started:.0f}s"
        )
        conn = await asyncpg.connect(asyncpg_dsn(url))

        async def hand_written(published: str) -> None:
            for sql in HAND_WRITTEN.values():
                await conn.fetch(sql.format(published=published), COUNTRY)

        ministry_sql = await median_seconds(lambda: hand_written(""))
        public_sql = await median_seconds(lambda: hand_written(PUBLISHED))
        timeline_sql = await median_seconds(lambda: conn.fetch(FROM_THE_TIMELINE, COUNTRY))
        await conn.close()
        settings = Settings(
            database_url=url,
            kafka_bootstrap_servers=servers.kafka_bootstrap_servers,
            internal_jwt_secret=SECRET,
            log_json=False,
            log_level="WARNING",
        )
        async with running_app(create_app(settings)) as client:

            async def dashboard(headers: dict[str, str]) -> None:
                response = await client.get(
                    f"/api/v1/follow-up/countries/{COUNTRY}", headers=headers, timeout=600
                )
                assert response.status_code == 200, response.text[:300]
                board = response.json()
                assert len(board["places"]) == places and board["recommendations"] == recs

            ministry = bearer(
                SECRET, Role.MINISTRY_OFFICER, institution_id=uuid.uuid4(), country=COUNTRY
            )
            as_ministry = await median_seconds(lambda: dashboard(ministry))
            as_resident = await median_seconds(lambda: dashboard(anonymous(SECRET)))
        size = f"{places} places x {recs} recommendations"
        report("follow_up_dashboard", f"country dashboard, ministry, {size}", as_ministry * 1000,
               "ms", baseline=ministry_sql * 1000, baseline_name="hand-written SQL, asyncpg",
               higher_is_better=False)  # fmt: skip
        report("follow_up_dashboard", f"country dashboard, resident, {size}", as_resident * 1000,
               "ms", baseline=public_sql * 1000,
               baseline_name="hand-written SQL (published only), asyncpg",
               higher_is_better=False)  # fmt: skip
        report("follow_up_dashboard", "places x statuses from the timeline itself",
               timeline_sql * 1000, "ms", baseline=ministry_sql * 1000,
               baseline_name="hand-written SQL over the current statuses",
               higher_is_better=False)  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--places", type=int, default=300)
    parser.add_argument("--recommendations", type=int, default=2000)
    parser.add_argument("--short", action="store_true", help="30 places x 200 recommendations")
    args = parser.parse_args()
    if args.short:
        args.places, args.recommendations = 30, 200
    asyncio.run(main(args.recommendations, args.places))
