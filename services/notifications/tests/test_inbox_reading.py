"""The inbox read as mail: filtered by kind and country, one item, read and unread again."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from localrights.testing.helpers import eventually

from .conftest import Service


async def inbox(service: Service, institution: object, **params: Any) -> dict[str, Any]:
    response = await service.client.get(
        "/api/v1/inbox",
        params=params,
        headers=service.officer(institution),  # type: ignore[arg-type]
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


class TestInboxAsMail:
    async def test_filters_by_kind_and_country_and_counts_the_unread(
        self, service: Service
    ) -> None:
        institution = uuid4()
        await service.subscribe(institution)
        review = await service.publish(country="UY")
        visit = await service.publish(
            kind="country_visit", stage="announced", country="PY", mechanism="SR on torture"
        )

        async def both_arrived() -> None:
            assert (await inbox(service, institution))["total"] == 2

        await eventually(both_arrived)
        visits = await inbox(service, institution, kind="country_visit")
        assert [i["alert_id"] for i in visits["items"]] == [visit["id"]]
        uruguay = await inbox(service, institution, country="uy")
        assert [i["alert_id"] for i in uruguay["items"]] == [review["id"]]
        assert uruguay["unread"] == 1 and (await inbox(service, institution))["unread"] == 2

    async def test_one_item_carries_the_alert_text_and_can_be_unread_again(
        self, service: Service
    ) -> None:
        institution = uuid4()
        await service.subscribe(institution)
        alert = await service.publish()

        async def arrived() -> None:
            assert (await inbox(service, institution))["total"] == 1

        await eventually(arrived)
        item_id = (await inbox(service, institution))["items"][0]["id"]
        headers = service.officer(institution)
        item = (await service.client.get(f"/api/v1/inbox/{item_id}", headers=headers)).json()
        assert item["alert_id"] == alert["id"]
        assert item["facts"]["how_to_take_part"] == {
            "en": "Send a written submission to the Committee."
        }
        assert item["facts"]["deadline"] == "2030-07-01"
        read = await service.client.post(f"/api/v1/inbox/{item_id}/read", headers=headers)
        assert read.json()["read_at"] is not None
        assert (await inbox(service, institution))["unread"] == 0
        unread = await service.client.post(f"/api/v1/inbox/{item_id}/unread", headers=headers)
        assert unread.status_code == 200 and unread.json()["read_at"] is None
        assert (await inbox(service, institution, unread="true"))["total"] == 1

    async def test_another_institution_cannot_read_the_item(self, service: Service) -> None:
        institution = uuid4()
        await service.subscribe(institution)
        await service.publish()

        async def arrived() -> None:
            assert (await inbox(service, institution))["total"] == 1

        await eventually(arrived)
        item_id = (await inbox(service, institution))["items"][0]["id"]
        stranger = service.officer(uuid4())
        assert (
            await service.client.get(f"/api/v1/inbox/{item_id}", headers=stranger)
        ).status_code == 404
        unread = await service.client.post(f"/api/v1/inbox/{item_id}/unread", headers=stranger)
        assert unread.status_code == 404

    async def test_an_unknown_kind_is_a_422(self, service: Service) -> None:
        response = await service.client.get(
            "/api/v1/inbox", params={"kind": "gossip"}, headers=service.officer(uuid4())
        )
        assert response.status_code == 422
