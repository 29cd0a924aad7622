"""Subscriptions: own institution only, secrets shown once, webhook targets checked."""

from __future__ import annotations

from uuid import uuid4

import pytest

from .conftest import Service, Sink


class TestCreateSubscription:
    async def test_a_webhook_subscription_shows_its_secret_once(
        self, service: Service, sink: Sink
    ) -> None:
        institution = uuid4()
        created = await service.subscribe(
            institution, channel="webhook", url=sink.url("/hook"), countries=["uy"], kinds=[]
        )
        assert created["secret"].startswith("whsec_")
        assert created["countries"] == ["UY"] and created["url"] == sink.url("/hook")
        fetched = await service.client.get(
            f"/api/v1/subscriptions/{created['id']}", headers=service.officer(institution)
        )
        assert fetched.status_code == 200
        assert "secret" not in fetched.json()

    @pytest.mark.parametrize(
        ("body", "location"),
        [
            ({"channel": "webhook"}, "url"),
            ({"channel": "email"}, "email"),
            ({"channel": "email", "email": "not-an-address"}, "email"),
            ({"channel": "inbox", "kinds": ["gossip"]}, "kinds"),
            ({"channel": "inbox", "mode": "hourly"}, "mode"),
            ({"channel": "inbox", "jurisdictions": ["UY-ZZ"]}, "jurisdictions"),
        ],
    )
    async def test_invalid_subscriptions_get_a_422(
        self, service: Service, body: dict[str, object], location: str
    ) -> None:
        response = await service.client.post(
            "/api/v1/subscriptions", json=body, headers=service.officer(uuid4())
        )
        assert response.status_code == 422, response.text
        assert any(e["location"] == location for e in response.json()["errors"])

    async def test_a_publisher_without_institution_cannot_subscribe(self, service: Service) -> None:
        response = await service.client.post(
            "/api/v1/subscriptions", json={"channel": "inbox"}, headers=service.publisher()
        )
        assert response.status_code == 403


class TestWebhookTargets:
    @pytest.mark.parametrize(
        "url",
        [
            "http://10.1.2.3/hook",
            "http://192.168.0.10/hook",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]:8080/hook",
            "http://localhost:9000/hook",
            "http://0.0.0.0/hook",
        ],
    )
    async def test_private_loopback_and_link_local_targets_are_refused(
        self, service: Service, url: str
    ) -> None:
        response = await service.client.post(
            "/api/v1/subscriptions",
            json={"channel": "webhook", "url": url},
            headers=service.officer(uuid4()),
        )
        assert response.status_code == 422, response.text
        assert "webhook url refused" in response.json()["detail"]

    async def test_a_patch_to_a_private_target_is_refused(
        self, service: Service, sink: Sink
    ) -> None:
        institution = uuid4()
        created = await service.subscribe(institution, channel="webhook", url=sink.url("/a"))
        response = await service.client.patch(
            f"/api/v1/subscriptions/{created['id']}",
            json={"url": "http://10.0.0.1/steal"},
            headers=service.officer(institution),
        )
        assert response.status_code == 422


class TestOwnInstitutionOnly:
    async def test_another_institution_sees_and_changes_nothing(
        self, service: Service, sink: Sink
    ) -> None:
        owner, other = uuid4(), uuid4()
        mine = await service.subscribe(owner, channel="webhook", url=sink.url("/mine"))
        theirs = await service.subscribe(other)
        path = f"/api/v1/subscriptions/{mine['id']}"
        intruder = service.officer(other)
        assert (await service.client.get(path, headers=intruder)).status_code == 404
        patch = await service.client.patch(path, json={"countries": ["IT"]}, headers=intruder)
        assert patch.status_code == 404
        assert (await service.client.delete(path, headers=intruder)).status_code == 404
        listed = await service.client.get("/api/v1/subscriptions", headers=intruder)
        assert [s["id"] for s in listed.json()["items"]] == [theirs["id"]]
        still = await service.client.get(path, headers=service.officer(owner))
        assert still.status_code == 200 and still.json()["countries"] == []

    async def test_the_owner_updates_and_deletes(self, service: Service) -> None:
        owner = uuid4()
        created = await service.subscribe(owner)
        path = f"/api/v1/subscriptions/{created['id']}"
        headers = service.officer(owner)
        patch = await service.client.patch(
            path, json={"countries": ["IT", "UY"], "mode": "daily_digest"}, headers=headers
        )
        assert patch.status_code == 200
        assert patch.json()["countries"] == ["IT", "UY"] and patch.json()["mode"] == "daily_digest"
        assert (await service.client.delete(path, headers=headers)).status_code == 204
        assert (await service.client.get(path, headers=headers)).status_code == 404
