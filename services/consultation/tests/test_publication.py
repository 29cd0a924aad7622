"""Published results are final: kept at publication, served from what was kept, downloadable."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import unquote
from uuid import UUID

import asyncpg
import httpx
import pytest

from localrights.db import asyncpg_dsn
from localrights.events import CONSULTATION_EVENTS, parse_payload
from localrights.testing.helpers import read_topic
from localrights_consultation.config import Settings

API = "/api/v1/consultations"
NEXT_STEPS = {"en": "The council votes on the housing plan in March.", "fr": "Le conseil vote."}


@pytest.fixture
async def published(
    client: httpx.AsyncClient,
    make_consultation: Any,
    answer_groups: Callable[[str, dict[str, int]], Awaitable[None]],
    officer: dict[str, str],
) -> dict[str, Any]:
    """A published consultation of 12 youth, 8 adult and 3 senior respondents."""
    c = await make_consultation()
    await answer_groups(c["id"], {"youth": 12, "adult": 8, "senior": 3})
    await client.post(f"{API}/{c['id']}/close", headers=officer)
    done = await client.post(
        f"{API}/{c['id']}/publish", json={"what_happens_next": NEXT_STEPS}, headers=officer
    )
    assert done.status_code == 200, done.text
    return dict(done.json())


async def forget_responses(settings: Settings, consultation_id: str) -> None:
    conn = await asyncpg.connect(asyncpg_dsn(settings.database_url))
    try:
        await conn.execute(
            "DELETE FROM responses WHERE consultation_id = $1", UUID(consultation_id)
        )
    finally:
        await conn.close()


class TestPublishedResultsAreKept:
    async def test_the_page_reads_what_was_computed_at_publication(
        self, client: httpx.AsyncClient, published: dict[str, Any], settings: Settings
    ) -> None:
        url = f"{API}/{published['id']}/results"
        everyone = (await client.get(url)).json()
        by_age = (await client.get(url, params={"by": "age"})).json()
        assert everyone["response_count"] == by_age["response_count"] == 23
        # Nothing can reach a published consultation's responses any more; remove them all
        # behind the service's back: results served from what was kept do not move.
        await forget_responses(settings, published["id"])
        assert (await client.get(url)).json() == everyone
        assert (await client.get(url, params={"by": "age"})).json() == by_age

    async def test_every_breakdown_is_kept_and_a_wrong_one_is_still_refused(
        self, client: httpx.AsyncClient, published: dict[str, Any], settings: Settings
    ) -> None:
        await forget_responses(settings, published["id"])
        by_age = await client.get(f"{API}/{published['id']}/results", params={"by": "age"})
        assert [g["group"] for g in by_age.json()["groups"]] == ["youth", "suppressed"]
        wrong = await client.get(f"{API}/{published['id']}/results", params={"by": "housing"})
        assert wrong.status_code == 422


class TestWhatHappensNext:
    async def test_written_when_publishing_read_with_the_consultation_and_on_the_event(
        self,
        client: httpx.AsyncClient,
        published: dict[str, Any],
        kafka_bootstrap_servers: str,
        topic_prefix: str,
    ) -> None:
        assert published["what_happens_next"] == NEXT_STEPS
        read = (await client.get(f"{API}/{published['id']}")).json()
        assert read["what_happens_next"] == NEXT_STEPS
        events = await read_topic(
            kafka_bootstrap_servers,
            topic_prefix + CONSULTATION_EVENTS,
            until=lambda seen: any(e.type == "consultation.results_published" for e in seen),
        )
        event = next(e for e in events if e.type == "consultation.results_published")
        assert parse_payload(event).model_dump()["what_happens_next"] == NEXT_STEPS

    async def test_publishing_needs_no_body(
        self, client: httpx.AsyncClient, make_consultation: Any, officer: dict[str, str]
    ) -> None:
        c = await make_consultation()
        await client.post(f"{API}/{c['id']}/close", headers=officer)
        done = await client.post(f"{API}/{c['id']}/publish", headers=officer)
        assert done.status_code == 200 and done.json()["what_happens_next"] == {}

    async def test_a_language_the_consultation_lacks_is_refused_and_nothing_published(
        self, client: httpx.AsyncClient, make_consultation: Any, officer: dict[str, str]
    ) -> None:
        c = await make_consultation()
        await client.post(f"{API}/{c['id']}/close", headers=officer)
        refused = await client.post(
            f"{API}/{c['id']}/publish",
            json={"what_happens_next": {"de": "Der Rat stimmt ab."}},
            headers=officer,
        )
        assert refused.status_code == 422
        assert "what_happens_next.de" in refused.json()["detail"]
        assert (await client.get(f"{API}/{c['id']}")).json()["status"] == "closed"


class TestPublicDownloads:
    async def test_csv_has_every_breakdown_with_labels_and_no_small_group(
        self, client: httpx.AsyncClient, published: dict[str, Any]
    ) -> None:
        response = await client.get(
            f"{API}/{published['id']}/results/download", params={"format": "csv", "lang": "fr"}
        )
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        disposition = response.headers["content-disposition"]
        assert 'filename="Housing in Wonosobo (fr) - results.csv"' in disposition
        assert unquote(disposition.split("''")[1]) == "Housing in Wonosobo (fr) – results.csv"
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert "senior" not in response.text and "adult" not in response.text
        everyone = [r for r in rows if r["breakdown"] == ""]
        assert everyone[0]["group_label"] == "Tout le monde"
        assert everyone[0]["group_responses"] == "23"
        no = next(r for r in everyone if r["question_id"] == "housing" and r["item"] == "no")
        assert no["question"] == "Housing affordable? (fr)" and no["item_label"] == "no (fr)"
        groups = {r["group"] for r in rows if r["breakdown"] == "Age band (fr)"}
        assert groups == {"youth", "suppressed"}

    async def test_json_holds_the_definition_the_rule_and_every_breakdown(
        self, client: httpx.AsyncClient, published: dict[str, Any]
    ) -> None:
        response = await client.get(
            f"{API}/{published['id']}/results/download", params={"format": "json"}
        )
        body = json.loads(response.text)
        assert body["response_count"] == 23 and body["suppression_threshold"] == 5
        assert "not about the counts of an answer" in body["suppression_rule"]
        assert body["consultation"]["what_happens_next"] == NEXT_STEPS
        assert [b["by"] for b in body["breakdowns"]] == ["age"]
        assert "senior" not in json.dumps(body["breakdowns"]) + json.dumps(body["everyone"])

    async def test_public_only_once_published(
        self, client: httpx.AsyncClient, make_consultation: Any, officer: dict[str, str]
    ) -> None:
        c = await make_consultation()
        url = f"{API}/{c['id']}/results/download"
        assert (await client.get(url)).status_code == 403
        owner = await client.get(url, headers=officer)
        assert owner.status_code == 200 and owner.headers["cache-control"] == "no-store"
