"""The three consultation events reach the topic exactly as committed, without personal data."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from localrights.events import CONSULTATION_EVENTS, Envelope, parse_payload
from localrights.testing.helpers import read_topic

API = "/api/v1/consultations"


def of_type(events: list[Envelope], name: str) -> list[Envelope]:
    return [e for e in events if e.type == name]


class TestConsultationEvents:
    async def test_opened_closed_and_results_published_as_committed(
        self,
        client: httpx.AsyncClient,
        make_consultation: Any,
        officer: dict[str, str],
        answers: Callable[..., dict[str, Any]],
        resident: Callable[..., dict[str, str]],
        kafka_bootstrap_servers: str,
        topic_prefix: str,
    ) -> None:
        c = await make_consultation()
        for n in range(6):
            sent = await client.post(
                f"{API}/{c['id']}/responses", json={"answers": answers()}, headers=resident(f"r{n}")
            )
            assert sent.status_code == 201
        url = f"{API}/{c['id']}"
        # Refused transitions roll back and must publish nothing. Their events would share
        # the consultation's key, hence its partition, and show up before the next one.
        for step in ("open", "publish"):
            assert (await client.post(f"{url}/{step}", headers=officer)).status_code == 409
        closed = (await client.post(f"{url}/close", headers=officer)).json()
        for step in ("close", "open"):
            assert (await client.post(f"{url}/{step}", headers=officer)).status_code == 409
        published = (await client.post(f"{url}/publish", headers=officer)).json()
        results = (await client.get(f"{url}/results")).json()

        events = await read_topic(
            kafka_bootstrap_servers,
            topic_prefix + CONSULTATION_EVENTS,
            until=lambda seen: bool(of_type(seen, "consultation.results_published")),
        )
        assert [e.type for e in events] == [
            "consultation.opened",
            "consultation.closed",
            "consultation.results_published",
        ]
        assert {e.subject for e in events} == {c["id"]}
        opened, close, publish = (parse_payload(e) for e in events)
        assert opened.model_dump(mode="json") == {
            "consultation_id": c["id"],
            "institution_id": c["institution_id"],
            "country": "ID",
            "jurisdiction": "ID-JT",
            "municipality": "Wonosobo",
            "title": c["title"],
            "participation_mode": "open",
            "opens_at": opened.model_dump(mode="json")["opens_at"],
            "closes_at": opened.model_dump(mode="json")["closes_at"],
            "languages": ["en", "fr"],
            "sdg_targets": ["11.1", "16.7"],
            "recommendation_ids": c["recommendation_ids"],
            "exercise_id": c["exercise_id"],
        }
        assert opened.opens_at == datetime.fromisoformat(c["opens_at"])  # type: ignore[attr-defined]
        assert close.response_count == 6 and not close.closed_by_schedule  # type: ignore[attr-defined]
        assert close.closed_at == datetime.fromisoformat(closed["closed_at"])  # type: ignore[attr-defined]
        data = publish.model_dump(mode="json")
        assert data["response_count"] == 6 and data["suppression_threshold"] == 5
        assert data["published_at"] == published["published_at"].replace("+00:00", "Z")
        assert data["summary"] == results["overall"]["questions"]
        assert data["breakdowns"][0]["by"] == "age"
        assert [g["group"] for g in data["breakdowns"][0]["groups"]] == ["adult"]
        body = events[2].model_dump_json()
        assert "More buses" not in body and "r0" not in body  # no free text, no client keys

    async def test_small_groups_are_suppressed_in_the_published_summary(
        self,
        client: httpx.AsyncClient,
        make_consultation: Any,
        officer: dict[str, str],
        answers: Callable[..., dict[str, Any]],
        resident: Callable[..., dict[str, str]],
        kafka_bootstrap_servers: str,
        topic_prefix: str,
    ) -> None:
        c = await make_consultation()
        for n, age in enumerate(["youth"] * 6 + ["senior"] * 2):
            await client.post(
                f"{API}/{c['id']}/responses",
                json={"answers": answers(age=age)},
                headers=resident(f"r{n}"),
            )
        await client.post(f"{API}/{c['id']}/close", headers=officer)
        await client.post(f"{API}/{c['id']}/publish", headers=officer)
        events = await read_topic(
            kafka_bootstrap_servers,
            topic_prefix + CONSULTATION_EVENTS,
            until=lambda seen: len(of_type(seen, "consultation.results_published")) == 1,
        )
        published = of_type(events, "consultation.results_published")[0]
        groups = published.data["breakdowns"][0]["groups"]
        assert [g["group"] for g in groups] == ["suppressed"]
        assert "senior" not in published.model_dump_json()

    async def test_scheduled_closing_emits_closed_once(
        self,
        client: httpx.AsyncClient,
        make_consultation: Any,
        kafka_bootstrap_servers: str,
        topic_prefix: str,
    ) -> None:
        c = await make_consultation(
            closes_at=(datetime.now(UTC) + timedelta(seconds=1)).isoformat()
        )
        topic = topic_prefix + CONSULTATION_EVENTS
        events = await read_topic(
            kafka_bootstrap_servers,
            topic,
            until=lambda seen: bool(of_type(seen, "consultation.closed")),
        )
        closed = of_type(events, "consultation.closed")[0]
        assert closed.subject == c["id"] and closed.data["closed_by_schedule"] is True
        assert closed.data["closed_at"].startswith(c["closes_at"][:19])
        await asyncio.sleep(1.0)  # five more rounds of the closing task
        again = await read_topic(
            kafka_bootstrap_servers, topic, until=lambda seen: len(seen) >= len(events)
        )
        assert len(of_type(again, "consultation.closed")) == 1
