"""Implementation status over time: reported, given through an exercise, validated, returned,
and seen by whom."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from localrights.consumer import EVENTS_CONSUMED
from localrights.events import EXERCISE_EVENTS, FOLLOW_UP_EVENTS, Envelope
from localrights.testing.helpers import anonymous, eventually, read_topic

from .follow_up_kit import Italy, import_italy, report


@pytest.fixture
async def italy(client: httpx.AsyncClient, internal_jwt_secret: str) -> Italy:
    return await import_italy(client, internal_jwt_secret)


async def timeline(
    client: httpx.AsyncClient, recommendation_id: str, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    response = await client.get(
        f"/api/v1/follow-up/recommendations/{recommendation_id}", headers=headers or {}
    )
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


async def publish(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    response = await client.put(
        "/api/v1/follow-up/publication", json={"published": True}, headers=headers
    )
    assert response.status_code == 200, response.text


async def status_events(bootstrap: str, topic_prefix: str, count: int) -> list[Envelope]:
    return await read_topic(
        bootstrap, topic_prefix + FOLLOW_UP_EVENTS, until=lambda seen: len(seen) >= count
    )


class TestReportStatus:
    async def test_an_institution_reports_and_its_timeline_and_current_status_show_it(
        self,
        client: httpx.AsyncClient,
        italy: Italy,
        kafka_bootstrap_servers: str,
        topic_prefix: str,
    ) -> None:
        housing = italy.rec("housing_20")
        first = await report(
            client, italy.bologna, housing, status="in_progress", as_of="2025-03-01",
            measures="Waiting list published monthly", responsible_body="Housing department",
            evidence_links=["https://www.comune.bologna.it/casa"],
        )  # fmt: skip
        assert first.status_code == 201, first.text
        assert (first.json()["origin"], first.json()["review"]) == ("institution_update", "pending")
        second = await report(
            client, italy.bologna, housing, status="partially_implemented", as_of="2026-03-01"
        )
        assert second.status_code == 201

        seen = await timeline(client, housing, italy.bologna)
        [place] = seen["places"]
        assert place["jurisdiction"] == "IT-BO"
        assert [e["status"] for e in place["entries"]] == ["in_progress", "partially_implemented"]
        assert place["entries"][0]["evidence_links"] == ["https://www.comune.bologna.it/casa"]
        assert place["current"]["reported_status"] == "partially_implemented"
        assert place["current"]["validated_status"] is None

        events = await status_events(kafka_bootstrap_servers, topic_prefix, 2)
        changed = [e.data for e in events if e.type == "follow_up.status_changed"]
        assert [(c["status"], c["previous_status"]) for c in changed] == [
            ("in_progress", None),
            ("partially_implemented", "in_progress"),
        ]
        assert (changed[0]["mechanism"], changed[0]["cycle"]) == ("UPR", 2)
        assert changed[0]["published"] is False

    async def test_refusals_name_what_is_wrong(
        self, client: httpx.AsyncClient, italy: Italy, internal_jwt_secret: str
    ) -> None:
        housing = italy.rec("housing_20")
        unknown = await report(client, italy.bologna, str(uuid4()), status="implemented")
        assert unknown.status_code == 404
        bad = await report(client, italy.bologna, housing, status="done")
        assert bad.status_code == 422 and "status" in bad.text
        future = await report(
            client, italy.bologna, housing, status="implemented", as_of="2999-01-01"
        )
        assert future.status_code == 422 and "future" in future.text
        resident = await report(
            client, anonymous(internal_jwt_secret), housing, status="implemented"
        )
        assert resident.status_code == 401
        foreign = await report(client, italy.foreign_officer(), housing, status="implemented")
        assert foreign.status_code == 403 and "another country" in foreign.text


async def _exercise_with_input(
    client: httpx.AsyncClient, italy: Italy, recommendation_id: str, **input_fields: Any
) -> dict[str, Any]:
    created = await client.post(
        "/api/v1/exercises",
        json={
            "report_type": "upr_midterm_report",
            "country": "IT",
            "mechanism": "UPR",
            "title": "UPR mid-term report: local input",
            "deadline": "2027-06-30",
            "recommendation_ids": [recommendation_id],
            "invited_institution_ids": [str(italy.bologna_id), str(italy.torino_id)],
        },
        headers=italy.ministry,
    )
    assert created.status_code == 201, created.text
    exercise: dict[str, Any] = created.json()
    opened = await client.post(f"/api/v1/exercises/{exercise['id']}/open", headers=italy.ministry)
    assert opened.status_code == 200
    submitted = await client.post(
        f"/api/v1/exercises/{exercise['id']}/inputs",
        json={"recommendation_id": recommendation_id, **input_fields},
        headers=italy.bologna,
    )
    assert submitted.status_code in (200, 201), submitted.text
    return exercise


class TestInputGivenInAnExercise:
    async def test_becomes_a_timeline_entry_through_its_event_once(
        self,
        client: httpx.AsyncClient,
        italy: Italy,
        kafka_bootstrap_servers: str,
        topic_prefix: str,
    ) -> None:
        housing = italy.rec("housing_20")
        exercise = await _exercise_with_input(
            client, italy, housing, status="partially_implemented",
            measures_taken="Two new social housing blocks", as_of="2025-11-30",
            evidence_links=["https://www.comune.bologna.it/casa/piano"],
        )  # fmt: skip

        entry: dict[str, Any] = {}

        async def recorded() -> None:
            places = (await timeline(client, housing, italy.ministry))["places"]
            assert len(places) == 1 and len(places[0]["entries"]) == 1, places
            entry.update(places[0]["entries"][0])

        await eventually(recorded, timeout=30)
        assert (entry["origin"], entry["status"]) == ("exercise_input", "partially_implemented")
        assert entry["exercise_id"] == exercise["id"]
        assert entry["as_of"] == "2025-11-30"  # the report's reference date, as given
        assert entry["measures"] == "Two new social housing blocks"
        assert entry["evidence_links"] == ["https://www.comune.bologna.it/casa/piano"]

        # The same input announced again (another event id, the same version) adds nothing.
        [submitted] = [
            e
            for e in await read_topic(
                kafka_bootstrap_servers,
                topic_prefix + EXERCISE_EVENTS,
                until=lambda seen: any(x.type == "exercise.input_submitted" for x in seen),
            )
            if e.type == "exercise.input_submitted"
        ]
        again = submitted.model_copy(update={"id": str(uuid4())})
        handled = EVENTS_CONSUMED.labels("recommendations", "exercise.input_submitted", "applied")
        before = handled._value.get()
        producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap_servers)
        await producer.start()
        try:
            await producer.send_and_wait(
                topic_prefix + EXERCISE_EVENTS, value=again.to_json_bytes(), key=b"k"
            )
        finally:
            await producer.stop()

        async def applied() -> None:
            assert handled._value.get() == before + 1

        await eventually(applied, timeout=30)
        events = await status_events(kafka_bootstrap_servers, topic_prefix, 1)
        assert [e.data["origin"] for e in events] == ["exercise_input"]
        [place] = (await timeline(client, housing, italy.ministry))["places"]
        assert len(place["entries"]) == 1


class TestMinistryReview:
    async def test_validation_is_an_entry_of_its_own_and_reported_and_validated_stay_apart(
        self, client: httpx.AsyncClient, italy: Italy
    ) -> None:
        housing = italy.rec("housing_20")
        reported = (
            await report(client, italy.bologna, housing, status="partially_implemented")
        ).json()
        validated = await client.post(
            f"/api/v1/follow-up/statuses/{reported['id']}/validate",
            json={"comment": "Matches the regional housing data"},
            headers=italy.ministry,
        )
        assert validated.status_code == 200, validated.text
        assert validated.json()["origin"] == "ministry_validation"
        assert validated.json()["validates_entry_id"] == reported["id"]
        newer = await report(client, italy.bologna, housing, status="implemented")
        [place] = (await timeline(client, housing, italy.ministry))["places"]
        assert [(e["origin"], e["review"]) for e in place["entries"]] == [
            ("institution_update", "validated"),
            ("ministry_validation", None),
            ("institution_update", "pending"),
        ]
        current = place["current"]
        assert (current["reported_status"], current["review"]) == ("implemented", "pending")
        assert current["validated_status"] == "partially_implemented"
        twice = await client.post(
            f"/api/v1/follow-up/statuses/{reported['id']}/validate", headers=italy.ministry
        )
        assert twice.status_code == 409 and "validated already" in twice.text
        assert newer.status_code == 201

    async def test_a_returned_status_keeps_its_comment_and_is_announced(
        self,
        client: httpx.AsyncClient,
        italy: Italy,
        kafka_bootstrap_servers: str,
        topic_prefix: str,
    ) -> None:
        reported = (
            await report(client, italy.torino, italy.rec("housing_20"), status="implemented")
        ).json()
        returned = await client.post(
            f"/api/v1/follow-up/statuses/{reported['id']}/return",
            json={"comment": "Only one district has it: report it as partially implemented"},
            headers=italy.ministry,
        )
        assert returned.status_code == 200, returned.text
        assert (returned.json()["review"], returned.json()["review_comment"]) == (
            "returned",
            "Only one district has it: report it as partially implemented",
        )
        events = await status_events(kafka_bootstrap_servers, topic_prefix, 2)
        [back] = [e.data for e in events if e.type == "follow_up.status_returned"]
        assert back["comment"].startswith("Only one district") and back["status"] == "implemented"
        again = await client.post(
            f"/api/v1/follow-up/statuses/{reported['id']}/validate", headers=italy.ministry
        )
        assert again.status_code == 409 and "returned already" in again.text

    async def test_only_the_ministry_of_the_country_reviews(
        self, client: httpx.AsyncClient, italy: Italy
    ) -> None:
        reported = (
            await report(client, italy.bologna, italy.rec("nhri_20"), status="not_started")
        ).json()
        url = f"/api/v1/follow-up/statuses/{reported['id']}/validate"
        assert (await client.post(url, headers=italy.other_ministry())).status_code == 404
        assert (await client.post(url, headers=italy.bologna)).status_code == 403
        pending = await client.get(
            "/api/v1/follow-up/reviews", params={"country": "IT"}, headers=italy.ministry
        )
        assert [e["id"] for e in pending.json()["items"]] == [reported["id"]]
        # What is reviewed is said beside each status: the ministry need not look it up.
        assert pending.json()["items"][0]["recommendation_text"].startswith("Establish")
        other = await client.get(
            "/api/v1/follow-up/reviews", params={"country": "IT"}, headers=italy.other_ministry()
        )
        assert other.status_code == 403


class TestWhoSeesWhat:
    async def test_residents_see_what_institutions_publish_and_the_ministry_all_of_its_country(
        self, client: httpx.AsyncClient, italy: Italy, internal_jwt_secret: str
    ) -> None:
        housing = italy.rec("housing_20")
        await report(client, italy.bologna, housing, status="in_progress")
        await report(client, italy.torino, housing, status="not_started")
        resident = anonymous(internal_jwt_secret)

        def places(found: dict[str, Any]) -> list[str]:
            return [p["jurisdiction"] for p in found["places"]]

        assert places(await timeline(client, housing, resident)) == []
        assert (await timeline(client, housing, resident))["public_only"] is True
        await publish(client, italy.bologna)
        assert places(await timeline(client, housing, resident)) == ["IT-BO"]
        assert places(await timeline(client, housing)) == ["IT-BO"]
        assert places(await timeline(client, housing, italy.torino)) == ["IT-BO", "IT-TO"]
        assert places(await timeline(client, housing, italy.ministry)) == ["IT-BO", "IT-TO"]
        assert places(await timeline(client, housing, italy.other_ministry())) == ["IT-BO"]
        mine = await client.get("/api/v1/follow-up/publication", headers=italy.bologna)
        assert mine.json()["published"] is True
