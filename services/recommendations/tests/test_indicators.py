"""Local indicators: defined with their baseline, target and breakdowns, observed over time,
corrected, linked to recommendations, announced, and reminded when a value falls due."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from localrights.events import INDICATOR_EVENTS
from localrights.testing.helpers import anonymous, read_topic
from localrights.uow import event_source
from localrights_recommendations.service.reminders import send_due_reminders

from .follow_up_kit import Italy, import_italy

WAITING = {
    "name": {
        "en": "Households waiting for social housing",
        "it": "Nuclei familiari in attesa di un alloggio popolare",
    },
    "unit": "households",
    "kind": "outcome",
    "sdg_target": "11.1",
    "sdg_indicator": "11.1.1",
    "breakdowns": ["sex"],
    "baseline_value": 4800,
    "baseline_year": 2023,
    "target_value": 3000,
    "target_year": 2030,
    "source": "Comune di Bologna, housing register",
    "update_every_months": 12,
}


def by_sex(women: float, men: float) -> list[dict[str, Any]]:
    return [
        {"dimension": "sex", "group": "women", "value": women},
        {"dimension": "sex", "group": "men", "value": men},
    ]


@pytest.fixture
async def italy(client: httpx.AsyncClient, internal_jwt_secret: str) -> Italy:
    return await import_italy(client, internal_jwt_secret)


async def define(client: httpx.AsyncClient, italy: Italy, **changes: Any) -> dict[str, Any]:
    body = {**WAITING, "recommendation_ids": [italy.rec("housing_20")], **changes}
    response = await client.post("/api/v1/indicators", json=body, headers=italy.bologna)
    assert response.status_code == 201, response.text
    found: dict[str, Any] = response.json()
    return found


async def observe(
    client: httpx.AsyncClient, headers: dict[str, str], indicator: dict[str, Any], **body: Any
) -> httpx.Response:
    return await client.post(
        f"/api/v1/indicators/{indicator['id']}/observations", json=body, headers=headers
    )


class TestDefineAndObserve:
    async def test_three_values_by_sex_make_a_series_against_baseline_and_target(
        self,
        client: httpx.AsyncClient,
        italy: Italy,
        kafka_bootstrap_servers: str,
        topic_prefix: str,
    ) -> None:
        indicator = await define(client, italy)
        assert indicator["recommendation_ids"] == [italy.rec("housing_20")]
        assert (indicator["jurisdiction"], indicator["country"]) == ("IT-BO", "IT")
        for day, total, women, men in (
            ("2024-12-31", 4800, 2900, 1900),
            ("2025-12-31", 4410, 2640, 1770),
            ("2026-06-30", 4120, 2470, 1650),
        ):
            response = await observe(
                client, italy.bologna, indicator, observed_on=day, period=day[:4],
                value=total, breakdown=by_sex(women, men),
            )  # fmt: skip
            assert response.status_code == 201, response.text
        [series] = (
            await client.get(
                f"/api/v1/indicators/{indicator['id']}/observations", headers=italy.bologna
            )
        ).json()
        assert series["jurisdiction"] == "IT-BO"
        assert [o["value"] for o in series["observations"]] == [4800, 4410, 4120]
        assert series["observations"][-1]["breakdown"][0] == {
            "dimension": "sex",
            "group": "women",
            "value": 2470,
        }
        assert series["progress"] == pytest.approx((4120 - 4800) / (3000 - 4800), abs=1e-4)

        events = await read_topic(
            kafka_bootstrap_servers,
            topic_prefix + INDICATOR_EVENTS,
            until=lambda seen: len(seen) >= 3,
        )
        assert events[-1].type == "indicator.observed"
        last = events[-1].data
        assert (last["value"], last["baseline"], last["target"]) == (4120, 4800, 3000)
        assert last["breakdown"][1] == {"dimension": "sex", "group": "men", "value": 1650}
        assert last["recommendation_ids"] == [italy.rec("housing_20")]
        assert last["title"]["it"].startswith("Nuclei familiari")

    async def test_the_same_day_again_is_a_correction(
        self, client: httpx.AsyncClient, italy: Italy
    ) -> None:
        indicator = await define(client, italy)
        first = await observe(client, italy.bologna, indicator, observed_on="2025-12-31", value=10)
        again = await observe(client, italy.bologna, indicator, observed_on="2025-12-31", value=12)
        assert (first.status_code, again.status_code) == (201, 200)
        assert (again.json()["revision"], again.json()["value"]) == (2, 12)

    async def test_refusals_say_which_field_and_why(
        self, client: httpx.AsyncClient, italy: Italy
    ) -> None:
        indicator = await define(client, italy)
        undeclared = await observe(
            client, italy.bologna, indicator, observed_on="2025-12-31", value=1,
            breakdown=[{"dimension": "age", "group": "65+", "value": 1}],
        )  # fmt: skip
        assert undeclared.status_code == 422 and "'age' is not declared" in undeclared.text
        foreign = await observe(
            client, italy.foreign_officer(), indicator, observed_on="2025-12-31", value=1
        )
        assert foreign.status_code in (403, 404)
        wrong_target = await client.post(
            "/api/v1/indicators",
            json={**WAITING, "sdg_target": "11.1", "sdg_indicator": "16.1.1"},
            headers=italy.bologna,
        )
        assert wrong_target.status_code == 422 and "does not belong to target" in wrong_target.text
        unknown_kind = await client.post(
            "/api/v1/indicators", json={**WAITING, "kind": "impact"}, headers=italy.bologna
        )
        assert unknown_kind.status_code == 422 and "kind" in unknown_kind.text
        not_a_number = await observe(
            client, italy.bologna, indicator, observed_on="2025-12-31", value="many"
        )
        assert not_a_number.status_code == 422
        # What the schema says is what is taken: no true for a number, "2030" for a year,
        # a number for a day, nor a name in no language.
        for wrong in ({"target_value": True}, {"target_year": "2030"}, {"name": {}}):
            refused = await client.post(
                "/api/v1/indicators", json={**WAITING, **wrong}, headers=italy.bologna
            )
            assert refused.status_code == 422, (wrong, refused.text)
        a_number_for_a_day = await observe(client, italy.bologna, indicator, observed_on=0, value=1)
        assert a_number_for_a_day.status_code == 422
        whole = await client.post(
            "/api/v1/indicators", json={**WAITING, "target_year": 2030.0}, headers=italy.bologna
        )
        assert whole.status_code == 201 and whole.json()["target_year"] == 2030

    async def test_a_place_sees_its_own_unpublished_indicator_and_residents_do_not(
        self, client: httpx.AsyncClient, italy: Italy, internal_jwt_secret: str
    ) -> None:
        indicator = await define(client, italy)
        url = f"/api/v1/indicators/{indicator['id']}"
        assert (await client.get(url, headers=italy.bologna)).status_code == 200
        assert (await client.get(url, headers=italy.ministry)).status_code == 200
        assert (await client.get(url, headers=anonymous(internal_jwt_secret))).status_code == 404
        await client.put(
            "/api/v1/follow-up/publication", json={"published": True}, headers=italy.bologna
        )
        assert (await client.get(url, headers=anonymous(internal_jwt_secret))).status_code == 200
        listed = await client.get(
            "/api/v1/indicators", params={"recommendation_id": italy.rec("housing_20")}
        )
        assert [i["id"] for i in listed.json()] == [indicator["id"]]
        changed = await client.patch(
            url, json={"target_value": 2500, "recommendation_ids": []}, headers=italy.bologna
        )
        assert changed.json()["target_value"] == 2500 and changed.json()["recommendation_ids"] == []
        not_theirs = await client.patch(url, json={"target_value": 1}, headers=italy.torino)
        assert not_theirs.status_code == 403


class TestReminders:
    async def test_a_value_falling_due_is_reminded_once(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        italy: Italy,
        kafka_bootstrap_servers: str,
        topic_prefix: str,
    ) -> None:
        indicator = await define(client, italy)
        await observe(client, italy.bologna, indicator, observed_on="2025-12-31", value=4410)
        sessions = app.state.runtime.sessions
        source = event_source("recommendations")

        async def remind(on: str) -> int:
            now = datetime.fromisoformat(f"{on}T08:00:00+00:00").astimezone(UTC)
            return await send_due_reminders(sessions=sessions, source=source, now=now, lead_days=30)

        assert await remind("2026-11-15") == 0  # due 2026-12-31: not yet within 30 days
        assert await remind("2026-12-02") == 1
        assert await remind("2026-12-20") == 0  # sent already
        events = await read_topic(
            kafka_bootstrap_servers,
            topic_prefix + INDICATOR_EVENTS,
            until=lambda seen: any(e.type == "indicator.update_due" for e in seen),
        )
        [due] = [e.data for e in events if e.type == "indicator.update_due"]
        assert (due["due_on"], due["last_observed_on"], due["every_months"]) == (
            "2026-12-31",
            "2025-12-31",
            12,
        )
        assert due["institution_id"] == str(italy.bologna_id)
