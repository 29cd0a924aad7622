"""Publishing, listing, updating and cancelling alerts."""

from __future__ import annotations

from uuid import uuid4

import pytest

from localrights.events import ALERT_EVENTS
from localrights.testing.helpers import read_topic

from .conftest import Service, alert_body


class TestPublishAlert:
    async def test_a_publisher_publishes_and_the_event_goes_out(self, service: Service) -> None:
        alert = await service.publish()
        assert alert["revision"] == 1 and alert["status"] == "published"
        assert alert["stage"] == "dialogue" and alert["country"] == "UY"
        events = await read_topic(
            service.settings.kafka_bootstrap_servers,
            service.settings.kafka_topic_prefix + ALERT_EVENTS,
            until=lambda evs: any(e.subject == alert["id"] for e in evs),
        )
        [event] = [e for e in events if e.subject == alert["id"]]
        assert event.type == "alert.published"
        assert event.data["mechanism"] == "CERD" and event.data["revision"] == 1

    async def test_an_institution_officer_cannot_publish(self, service: Service) -> None:
        response = await service.client.post(
            "/api/v1/alerts", json=alert_body(), headers=service.officer(uuid4())
        )
        assert response.status_code == 403

    async def test_an_anonymous_caller_cannot_publish(self, service: Service) -> None:
        response = await service.client.post("/api/v1/alerts", json=alert_body())
        assert response.status_code == 401

    @pytest.mark.parametrize(
        ("fields", "location", "words"),
        [
            ({"stage": ...}, "stage", "needs a stage"),
            ({"stage": "announced"}, "stage", "not a treaty_body_review stage"),
            ({"kind": "upr_review"}, "stage", "has no stage"),
            ({"ends_on": "2030-08-01"}, "ends_on", "before starts_on"),
            ({"country": "XX"}, "country", "ISO 3166-1"),
            ({"mechanism": "Human Rights Watch"}, "mechanism", "not a mechanism"),
            ({"kind": "deadline", "stage": ..., "deadline": ...}, "deadline", "needs a deadline"),
            ({"title": {}}, "title", "at least one language"),
            ({"jurisdictions": ["AR-B"]}, "jurisdictions", "not in UY"),
            ({"kind": "country_visit", "stage": "dialogue"}, "stage", "announced"),
        ],
    )
    async def test_invalid_alerts_get_a_422_that_says_where(
        self, service: Service, fields: dict[str, object], location: str, words: str
    ) -> None:
        response = await service.client.post(
            "/api/v1/alerts", json=alert_body(**fields), headers=service.publisher()
        )
        assert response.status_code == 422, response.text
        errors = response.json()["errors"]
        assert any(e["location"] == location and words in e["message"] for e in errors), errors

    async def test_a_special_procedure_visit_with_mandate_name(self, service: Service) -> None:
        alert = await service.publish(
            kind="country_visit",
            stage="announced",
            mechanism="SR on adequate housing",
            jurisdictions=["UY-CA", "UY-MO"],
        )
        assert alert["mechanism"] == "SR on adequate housing"
        assert alert["jurisdictions"] == ["UY-CA", "UY-MO"]


class TestListAlerts:
    async def test_filters_by_country_mechanism_kind_theme_and_dates(
        self, service: Service
    ) -> None:
        cerd = await service.publish()
        upr = await service.publish(
            kind="upr_review",
            stage=...,
            mechanism="UPR",
            country="IT",
            themes=["housing"],
            starts_on="2031-01-20",
            ends_on="2031-01-31",
            deadline=...,
        )
        client = service.client

        async def ids(**params: str) -> set[str]:
            response = await client.get("/api/v1/alerts", params=params)
            assert response.status_code == 200, response.text
            return {a["id"] for a in response.json()["items"]}

        assert await ids(country="UY") == {cerd["id"]}
        assert await ids(mechanism="UPR") == {upr["id"]}
        assert await ids(kind="treaty_body_review") == {cerd["id"]}
        assert await ids(theme="housing") == {upr["id"]}
        assert await ids(**{"from": "2031-01-01", "to": "2031-12-31"}) == {upr["id"]}
        assert await ids(**{"from": "2030-06-30", "to": "2030-07-02"}) == {cerd["id"]}
        page = (await client.get("/api/v1/alerts", params={"limit": 1})).json()
        assert page["total"] == 2 and len(page["items"]) == 1

    async def test_one_alert_and_a_missing_one(self, service: Service) -> None:
        alert = await service.publish()
        assert (await service.client.get(f"/api/v1/alerts/{alert['id']}")).json() == alert
        assert (await service.client.get(f"/api/v1/alerts/{uuid4()}")).status_code == 404


class TestUpdateAndCancel:
    async def test_update_raises_the_revision_and_emits_alert_updated(
        self, service: Service
    ) -> None:
        alert = await service.publish()
        response = await service.client.patch(
            f"/api/v1/alerts/{alert['id']}",
            json={"stage": "concluding_observations", "starts_on": "2030-09-01", "ends_on": None},
            headers=service.publisher(),
        )
        assert response.status_code == 200, response.text
        updated = response.json()
        assert updated["revision"] == 2 and updated["stage"] == "concluding_observations"
        events = await read_topic(
            service.settings.kafka_bootstrap_servers,
            service.settings.kafka_topic_prefix + ALERT_EVENTS,
            until=lambda evs: any(e.type == "alert.updated" for e in evs),
        )
        [event] = [e for e in events if e.type == "alert.updated"]
        assert event.data["revision"] == 2 and event.data["starts_on"] == "2030-09-01"

    async def test_an_update_is_validated_as_a_whole(self, service: Service) -> None:
        alert = await service.publish()
        response = await service.client.patch(
            f"/api/v1/alerts/{alert['id']}",
            json={"ends_on": "2020-01-01"},
            headers=service.publisher(),
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["location"] == "ends_on"

    async def test_cancel_then_no_more_changes(self, service: Service) -> None:
        alert = await service.publish()
        cancel = await service.client.post(
            f"/api/v1/alerts/{alert['id']}/cancel", headers=service.publisher()
        )
        assert cancel.status_code == 200
        assert cancel.json()["status"] == "cancelled" and cancel.json()["revision"] == 2
        again = await service.client.post(
            f"/api/v1/alerts/{alert['id']}/cancel", headers=service.publisher()
        )
        assert again.status_code == 409
        patch = await service.client.patch(
            f"/api/v1/alerts/{alert['id']}",
            json={"stage": "follow_up"},
            headers=service.publisher(),
        )
        assert patch.status_code == 409
        listed = (await service.client.get("/api/v1/alerts")).json()
        assert listed["total"] == 0
