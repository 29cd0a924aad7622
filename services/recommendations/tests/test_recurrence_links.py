"""Recurring recommendations: suggested on import, confirmed or rejected by the ministry, and
the timeline continuing across a confirmed link."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from localrights.testing.helpers import anonymous

from .follow_up_kit import Italy, import_italy, report, suggestions


@pytest.fixture
async def italy(client: httpx.AsyncClient, internal_jwt_secret: str) -> Italy:
    return await import_italy(client, internal_jwt_secret)


def pairs(items: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(i["earlier"]["id"], i["later"]["id"]) for i in items}


class TestSuggestedOnImport:
    async def test_the_likely_repeats_of_the_earlier_cycle_are_suggested(
        self, client: httpx.AsyncClient, italy: Italy
    ) -> None:
        found = await suggestions(client)
        # Two repeats, and a pair on the same subject asking for another step (a national
        # plan): the matcher puts it to the ministry, which rejects it below.
        assert pairs(found) == {
            (italy.rec("nhri_7"), italy.rec("nhri_20")),
            (italy.rec("ced_7"), italy.rec("ced_20")),
            (italy.rec("housing_7"), italy.rec("housing_20")),
        }
        ced = next(i for i in found if i["later"]["id"] == italy.rec("ced_20"))
        assert ced["reasons"] == ["both ask to ratify ced"]
        assert (ced["earlier"]["cycle"], ced["later"]["cycle"]) == (1, 2)
        assert all(i["status"] == "suggested" for i in found)

    async def test_importing_again_keeps_the_suggestions_and_the_decisions(
        self, client: httpx.AsyncClient, italy: Italy
    ) -> None:
        found = await suggestions(client)
        [link] = [i["id"] for i in found if i["later"]["id"] == italy.rec("housing_20")]
        rejected = await client.post(f"/api/v1/recurrences/{link}/reject", headers=italy.ministry)
        assert rejected.status_code == 200
        again = await client.post(
            "/api/v1/recurrences/suggest", params={"country": "IT"}, headers=italy.ministry
        )
        assert again.json() == {"suggested": 0}
        after = (await client.get("/api/v1/recurrences", params={"country": "IT"})).json()
        assert {i["id"]: i["status"] for i in after["items"]}[link] == "rejected"


class TestTheMinistryDecides:
    async def test_a_confirmed_link_carries_each_place_status_and_continues_the_timeline(
        self, client: httpx.AsyncClient, italy: Italy, internal_jwt_secret: str
    ) -> None:
        nhri_7, nhri_20 = italy.rec("nhri_7"), italy.rec("nhri_20")
        earlier = await report(client, italy.bologna, nhri_7, status="in_progress",
                               as_of="2024-05-01", measures="A local ombudsperson")  # fmt: skip
        assert earlier.status_code == 201
        [link] = [i for i in await suggestions(client) if i["later"]["id"] == nhri_20]
        confirmed = await client.post(
            f"/api/v1/recurrences/{link['id']}/confirm", headers=italy.ministry
        )
        assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"

        seen = (
            await client.get(f"/api/v1/follow-up/recommendations/{nhri_20}", headers=italy.ministry)
        ).json()
        assert [r["id"] for r in seen["earlier"]] == [nhri_7]
        [place] = seen["places"]
        assert place["current"]["carried_from"] == nhri_7
        assert place["current"]["reported_status"] == "in_progress"
        assert [(e["recommendation_id"], e["status"]) for e in place["entries"]] == [
            (nhri_7, "in_progress")
        ]
        # A status of its own replaces the carried one; the earlier entries stay in view.
        await report(client, italy.bologna, nhri_20, status="partially_implemented")
        [place] = (
            await client.get(f"/api/v1/follow-up/recommendations/{nhri_20}", headers=italy.ministry)
        ).json()["places"]
        assert place["current"]["carried_from"] is None
        assert [e["status"] for e in place["entries"]] == ["in_progress", "partially_implemented"]
        # A status given to the earlier recommendation later reaches a later one with none.
        await report(client, italy.torino, nhri_7, status="implemented")
        torino = [
            p
            for p in (
                await client.get(
                    f"/api/v1/follow-up/recommendations/{nhri_20}", headers=italy.ministry
                )
            ).json()["places"]
            if p["jurisdiction"] == "IT-TO"
        ]
        assert torino[0]["current"]["reported_status"] == "implemented"
        assert torino[0]["current"]["carried_from"] == nhri_7
        earlier_view = (
            await client.get(f"/api/v1/follow-up/recommendations/{nhri_7}", headers=anonymous(
                internal_jwt_secret))
        ).json()  # fmt: skip
        assert [r["id"] for r in earlier_view["later"]] == [nhri_20]

    async def test_only_the_country_ministry_decides_and_only_once(
        self, client: httpx.AsyncClient, italy: Italy
    ) -> None:
        link = (await suggestions(client))[0]["id"]
        url = f"/api/v1/recurrences/{link}/confirm"
        assert (await client.post(url, headers=italy.bologna)).status_code == 403
        assert (await client.post(url, headers=italy.other_ministry())).status_code == 403
        assert (await client.post(url, headers=italy.ministry)).status_code == 200
        twice = await client.post(f"/api/v1/recurrences/{link}/reject", headers=italy.ministry)
        assert twice.status_code == 409 and "confirmed already" in twice.text
        unknown = await client.post(
            "/api/v1/recurrences/00000000-0000-4000-8000-000000000000/confirm",
            headers=italy.ministry,
        )
        assert unknown.status_code == 404
