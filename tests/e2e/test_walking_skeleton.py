"""The chain every feature stands on, end to end through the gateway.

A consultation opened by one institution is written with its event through the
consultation service's outbox, published to Kafka, consumed (idempotently) by the
notifications service, and shows up in the inbox of an institution subscribed to
consultations in that country: four processes, two databases, one broker.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from launch import Stack

from .platform_client import Platform, eventually


def simple_consultation(jurisdiction: str) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "title": {"en": "Which public spaces need better access?"},
        "jurisdiction": jurisdiction,
        "opens_at": (now - timedelta(minutes=1)).isoformat(),
        "closes_at": (now + timedelta(days=14)).isoformat(),
        "questions": [
            {
                "id": "space",
                "type": "single_choice",
                "required": True,
                "title": {"en": "Which space first?"},
                "options": [
                    {"id": "park", "label": {"en": "The park"}},
                    {"id": "library", "label": {"en": "The library"}},
                ],
            }
        ],
    }


async def test_gateway_reports_every_service_healthy(stack: Stack, platform: Platform) -> None:
    health = await platform.anonymous().get("/healthz")
    assert health.status_code == 200
    checks = health.json()["checks"]
    for service in ("consultation", "notifications", "recommendations", "database", "broker"):
        assert checks[service] == "ok", checks


async def test_an_opened_consultation_reaches_a_subscribed_inbox(platform: Platform) -> None:
    commission = await platform.institution_with_officer(
        name="Commission des droits humains de Lyon",
        kind="local_hr_commission",
        country="FR",
        jurisdiction="FR-ARA",
    )
    await commission.call(
        "POST",
        "/api/v1/subscriptions",
        json={"channel": "inbox", "countries": ["FR"], "kinds": ["consultation_opened"]},
    )
    city = await platform.institution_with_officer(
        name="Ville de Villeurbanne", kind="municipality", country="FR", jurisdiction="FR-ARA"
    )

    consultation = await city.call(
        "POST", "/api/v1/consultations", json=simple_consultation("FR-ARA")
    )
    await city.call("POST", f"/api/v1/consultations/{consultation['id']}/open")

    async def in_inbox() -> dict[str, Any]:
        page = await commission.call("GET", "/api/v1/inbox")
        items = [
            i for i in page["items"] if i["facts"].get("consultation_id") == consultation["id"]
        ]
        assert len(items) == 1, page
        return items[0]

    item = await eventually(in_inbox)
    assert item["kind"] == "consultation_opened"
    assert item["title"]["en"] == "Which public spaces need better access?"
    # The city itself subscribed to nothing: its inbox stays empty.
    assert (await city.call("GET", "/api/v1/inbox"))["items"] == []
