"""Results broken down by a demographic question over 1,000,000 stored responses.

    uv run python bench/consultation_results.py [--responses 1000000] [--runs 3] [--short]

Service: the results use case (``service.compute_results``: the tally query built by
``repository.tallies_statement`` plus suppression and figures in ``domain.results``) for a
consultation with one question of every type, broken down by age band.
Baseline: what one would write by hand for the same figures, one GROUP BY per question
(UNION ALL), grouped by the age answer, run with asyncpg, no suppression, no figures built.
Also shown: the service's previous tally query (one scan reshaping every answer per row),
kept here as the measurement behind the switch to one GROUP BY per question.
All run on the same embedded PostgreSQL in the same run; the median of ``--runs`` is shown.
The service and the baseline must agree on the counts they share (checked).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import asyncpg
from _ingest_load import definition
from benchlib import report

from localrights.db import asyncpg_dsn, create_engine, session_factory
from localrights.embedded import EmbeddedPostgres
from localrights.migrations import create_database, upgrade_database
from localrights.uow import UnitOfWork, event_source
from localrights_consultation import service
from localrights_consultation.schemas import ConsultationCreate

ROOT = Path(__file__).resolve().parent.parent
BENCH = "consultation_results"

# Random valid answers; three 'senior' respondents so suppression has a group to hide.
GENERATE = """
INSERT INTO responses (id, consultation_id, answers, language)
SELECT gen_random_uuid(), $1, jsonb_strip_nulls(jsonb_build_object(
    'housing', CASE WHEN random() < 0.3 THEN 'yes' ELSE 'no' END,
    'services', (ARRAY['["clinic"]', '["bus","library"]', '["library"]', '["clinic","bus"]'])
                [1 + floor(random() * 4)::int]::jsonb,
    'safety', 1 + floor(random() * 5)::int,
    'comment', CASE WHEN random() < 0.2 THEN 'More buses in the evening' END,
    'priorities', (ARRAY['["water","roads","schools"]', '["schools","water"]', '["roads"]'])
                  [1 + floor(random() * 3)::int]::jsonb,
    'budget', jsonb_build_object('park', 100 * floor(random() * 6)::int,
                                 'lights', 50 * floor(random() * 10)::int),
    'age', CASE WHEN g <= 3 THEN 'senior' WHEN random() < 0.05 THEN NULL
                WHEN random() < 0.5 THEN 'youth' ELSE 'adult' END
)), 'en'
FROM generate_series($2::int, $3::int) g
"""

# The service's tally query before it became one GROUP BY per question (commit 982eaba).
ONE_SCAN = """
SELECT r.answers ->> 'age' AS g, a.key AS q, f.item AS item,
       count(*) AS n, coalesce(sum(f.num), 0)::float8 AS total
FROM responses r
CROSS JOIN LATERAL (
    SELECT e.key, e.value FROM jsonb_each(r.answers) e UNION ALL SELECT '', 'null'::jsonb
) a
CROSS JOIN LATERAL (
    SELECT NULL::text AS item, 0::numeric AS num
    UNION ALL
    SELECT a.value #>> '{}', 1 WHERE jsonb_typeof(a.value) = 'string' AND a.key <> 'comment'
    UNION ALL
    SELECT x.item, x.ord FROM jsonb_array_elements_text(
        CASE WHEN jsonb_typeof(a.value) = 'array' THEN a.value ELSE '[]'::jsonb END
    ) WITH ORDINALITY x(item, ord)
    UNION ALL
    SELECT a.value #>> '{}', CAST(a.value AS numeric) WHERE jsonb_typeof(a.value) = 'number'
    UNION ALL
    SELECT b.key, CAST(b.value AS numeric) FROM jsonb_each(
        CASE WHEN jsonb_typeof(a.value) = 'object' THEN a.value ELSE '{}'::jsonb END
    ) b
) f
WHERE r.consultation_id = $1
GROUP BY 1, 2, 3
"""

HAND_WRITTEN = """
SELECT answers->>'age' AS g, 'housing' AS q, answers->>'housing' AS item,
       count(*) AS n, count(*)::numeric AS total
FROM responses WHERE consultation_id = $1 AND answers ? 'housing' GROUP BY 1, 3
UNION ALL
SELECT answers->>'age', 'services', e, count(*), count(*)
FROM responses, jsonb_array_elements_text(answers->'services') e
WHERE consultation_id = $1 AND answers ? 'services' GROUP BY 1, 3
UNION ALL
SELECT answers->>'age', 'safety', answers->>'safety', count(*), sum((answers->>'safety')::int)
FROM responses WHERE consultation_id = $1 AND answers ? 'safety' GROUP BY 1, 3
UNION ALL
SELECT answers->>'age', 'comment', NULL, count(*), 0
FROM responses WHERE consultation_id = $1 AND answers ? 'comment' GROUP BY 1
UNION ALL
SELECT answers->>'age', 'priorities', e.item, count(*), sum(e.ord)
FROM responses, jsonb_array_elements_text(answers->'priorities') WITH ORDINALITY e(item, ord)
WHERE consultation_id = $1 AND answers ? 'priorities' GROUP BY 1, 3
UNION ALL
SELECT answers->>'age', 'budget', b.key, count(*), sum(b.value::numeric)
FROM responses, jsonb_each(answers->'budget') b
WHERE consultation_id = $1 AND answers ? 'budget' GROUP BY 1, 3
UNION ALL
SELECT answers->>'age', '', NULL, count(*), 0
FROM responses WHERE consultation_id = $1 GROUP BY 1
"""


async def fill(dsn: str, consultation_id: UUID, count: int) -> float:
    """Insert ``count`` random responses in batches of 100,000 rows; seconds taken."""
    conn = await asyncpg.connect(dsn)
    started = time.perf_counter()
    batch = 100_000
    for first in range(1, count + 1, batch):
        await conn.execute(GENERATE, consultation_id, first, min(first + batch - 1, count))
    await conn.execute("VACUUM ANALYZE responses")
    await conn.close()
    return time.perf_counter() - started


async def timed(call: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    """Seconds one call took, and what it returned."""
    started = time.perf_counter()
    value = await call()
    return time.perf_counter() - started, value


async def measure(url: str, count: int, runs: int) -> None:
    """Fill a migrated database, time the three ways in turn, check and report."""
    await asyncio.to_thread(upgrade_database, url, ROOT / "services/consultation/migrations")
    engine = create_engine(url)
    sessions = session_factory(engine)
    async with sessions() as session, UnitOfWork(session, source=event_source("bench")) as uow:
        consultation = await service.create_consultation(
            uow, institution_id=uuid4(), data=ConsultationCreate.model_validate(definition())
        )
    filled = await fill(asyncpg_dsn(url), consultation.id, count)
    print(f"  {count:,} responses stored in {filled:.1f}s")

    async def through_service() -> Any:
        async with sessions() as session:
            return await service.compute_results(
                session=session, consultation=consultation, threshold=5, by="age"
            )

    conn = await asyncpg.connect(asyncpg_dsn(url))
    times: dict[str, list[float]] = {"service": [], "hand": [], "one_scan": []}
    results: Any = None
    rows: list[Any] = []
    scanned: list[Any] = []
    try:
        # Interleaved, so load from other processes on the machine falls on all three alike.
        for _ in range(runs):
            elapsed, results = await timed(through_service)
            times["service"].append(elapsed)
            elapsed, rows = await timed(lambda: conn.fetch(HAND_WRITTEN, consultation.id))
            times["hand"].append(elapsed)
            elapsed, scanned = await timed(lambda: conn.fetch(ONE_SCAN, consultation.id))
            times["one_scan"].append(elapsed)
    finally:
        await conn.close()
        await engine.dispose()

    # The same facts three ways: respondents, and 'no' answers among youth.
    def youth_no(found: list[Any]) -> int:
        return int(
            next(
                r["n"]
                for r in found
                if r["g"] == "youth" and r["q"] == "housing" and r["item"] == "no"
            )
        )

    total = sum(r["n"] for r in rows if r["q"] == "")
    youth = next(g for g in results.groups if g["group"] == "youth")
    housing = next(q for q in youth["questions"] if q["question_id"] == "housing")
    assert results.response_count == total == count, (results.response_count, total)
    service_youth_no = next(o["count"] for o in housing["options"] if o["id"] == "no")
    assert service_youth_no == youth_no(rows) == youth_no(scanned)
    assert "senior" not in results.model_dump_json(), "a group of 3 was shown"

    service_s, hand_s = statistics.median(times["service"]), statistics.median(times["hand"])
    one_scan_s = statistics.median(times["one_scan"])
    hand_name = "hand-written GROUP BY per question, same run"
    report(
        BENCH,
        f"results by age, {count:,} responses",
        service_s,
        "s",
        baseline=hand_s,
        baseline_name=hand_name,
        higher_is_better=False,
    )
    report(
        BENCH,
        "responses tallied per second",
        count / service_s,
        "rows/s",
        baseline=count / hand_s,
        baseline_name=hand_name,
    )
    report(
        BENCH,
        "previous one-scan tally query",
        one_scan_s,
        "s",
        baseline=hand_s,
        baseline_name=hand_name,
        higher_is_better=False,
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--short", action="store_true", help="a smoke run of a few seconds")
    args = parser.parse_args()
    count = 20_000 if args.short else args.responses
    # Only PostgreSQL is needed: no events are relayed, so no broker is started.
    with tempfile.TemporaryDirectory(prefix="bench-") as workdir:
        postgres = EmbeddedPostgres(Path(workdir) / "pgdata")
        postgres.start()
        try:
            url = await create_database(postgres.url, f"results_{uuid4().hex[:8]}")
            await measure(url, count, args.runs)
        finally:
            postgres.stop("immediate")


if __name__ == "__main__":
    asyncio.run(main())
