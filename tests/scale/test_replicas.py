"""Two replicas each of notifications and consultation, one database each, one broker.

Both replicas of a service take HTTP writes, both run an outbox relay on the same outbox,
and both notifications replicas are members of the ``notifications`` consumer group. The
work is shared (each notifications replica applies some of the alerts, by partition) and
nothing is done twice: each event is on its topic once, each alert is applied once in the
group, each delivery is sent once (one attempt, one webhook-id per subscription and alert).
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from uuid import UUID

import httpx
import pytest
from e2e.platform_client import Platform, eventually
from e2e.webhook_sink import WebhookSink
from faults.ledger import assert_nothing_lost, fetch
from faults.load import Tally
from faults.topics import read_to_end
from faults.world import COUNTRY, World, build_world, consultation_body, register_cast
from launch import Stack
from prometheus_client.parser import text_string_to_metric_families

from localrights.auth import Role
from localrights.testing.helpers import bearer

pytestmark = pytest.mark.stack

WAVE = 6  # alerts per wave; waves go on until both replicas have applied some
MAX_WAVES = 8
CONSULTATIONS = 8


async def consumed(url: str, outcome: str, event_type: str) -> float:
    """One replica's count of events its ``notifications`` consumer handled so."""
    async with httpx.AsyncClient() as client:
        text = (await client.get(f"{url}/metrics")).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        if family.name == "localrights_events_consumed"
        for sample in family.samples
        if sample.name.endswith("_total")
        and sample.labels == {"consumer": "notifications", "type": event_type, "outcome": outcome}
    )


def alert_body(world: World, n: int) -> dict[str, object]:
    return {
        "kind": "country_visit",
        "stage": "announced",
        "country": COUNTRY,
        "mechanism": world.mandate,
        "title": {"en": f"Country visit {n} of the {world.mandate}"},
        "starts_on": "2026-09-01",
        "ends_on": "2026-09-12",
    }


async def test_two_replicas_share_the_work_and_do_nothing_twice(
    scaled_stack: Stack, scale_platform: Platform, scale_sink: WebhookSink
) -> None:
    cast = await register_cast(scale_platform, officers=1)
    world = await build_world(cast, scale_sink, recommendations=2)
    notifications = [scaled_stack.service_url("notifications", r) for r in (0, 1)]
    consultations = [scaled_stack.service_url("consultation", r) for r in (0, 1)]
    publisher = bearer(
        scaled_stack.internal_secret,
        Role.ALERT_PUBLISHER,
        institution_id=UUID(str(cast.publisher.institution_id)),
        country=COUNTRY,
    )
    officer = bearer(
        scaled_stack.internal_secret,
        Role.INSTITUTION_OFFICER,
        institution_id=UUID(str(cast.city.institution_id)),
        country=COUNTRY,
        jurisdiction="UY-MO",
    )
    alert_ids: list[str] = []
    consultation_ids: list[str] = []

    async with httpx.AsyncClient(timeout=30) as http:

        async def publish(n: int) -> None:
            # Half the writes to each replica, as a load balancer would spread them.
            url = f"{notifications[n % 2]}/api/v1/alerts"
            response = await http.post(url, json=alert_body(world, n), headers=publisher)
            assert response.status_code == 201, response.text
            alert_ids.append(response.json()["id"])

        async def open_consultation(n: int) -> None:
            base = consultations[n % 2]
            body = consultation_body(f"{world.tag}-{n}")
            created = await http.post(f"{base}/api/v1/consultations", json=body, headers=officer)
            assert created.status_code == 201, created.text
            cid = created.json()["id"]
            opened = await http.post(f"{base}/api/v1/consultations/{cid}/open", headers=officer)
            assert opened.status_code == 200, opened.text
            consultation_ids.append(cid)

        await asyncio.gather(*(open_consultation(n) for n in range(CONSULTATIONS)))
        # A replica joins the group a moment after it is healthy: publish in waves until
        # both have applied alerts (the partitions are shared out by then).
        for wave in range(MAX_WAVES):
            await asyncio.gather(*(publish(wave * WAVE + n) for n in range(WAVE)))

            async def all_applied() -> list[float]:
                applied = [await consumed(u, "applied", "alert.published") for u in notifications]
                assert sum(applied) >= len(alert_ids), applied
                return applied

            applied = await eventually(all_applied, timeout=60)
            if all(applied):
                break
    assert all(applied), f"one replica applied every alert: {applied}"
    # Each alert applied once in the whole group: no replica applied one the other had.
    assert sum(applied) == len(alert_ids)
    assert [await consumed(u, "duplicate", "alert.published") for u in notifications] == [0, 0]

    # Every subscriber got each alert once (the fault tests' ledger, with no faults).
    tally = Tally(alerts=set(alert_ids))
    await assert_nothing_lost(scaled_stack, world, tally, scale_sink)
    attempts = await fetch(
        scaled_stack,
        "notifications",
        "SELECT d.attempts, count(*) FROM deliveries d JOIN alerts a ON a.id = "
        "(SELECT alert_id FROM notifications n WHERE n.event_id = d.event_id) "
        "WHERE a.mechanism = $1 GROUP BY d.attempts",
        world.mandate,
    )
    expected = len(alert_ids) * (len(world.webhooks) + len(world.inbox_institutions))
    assert {r["attempts"]: r["count"] for r in attempts} == {1: expected}

    # The two relays shared one outbox: each event is on its topic exactly once.
    records = await read_to_end(
        scaled_stack.kafka.bootstrap_servers, ["alert.events", "consultation.events"]
    )
    envelopes = [json.loads(r.value or b"{}") for r in records]
    ours = set(alert_ids) | set(consultation_ids)
    mine = [e for e in envelopes if e.get("subject") in ours]
    per_event = Counter(e["id"] for e in mine)
    assert max(per_event.values()) == 1, [i for i, n in per_event.items() if n > 1]
    published = Counter(e["subject"] for e in mine if e["type"] == "alert.published")
    assert published == dict.fromkeys(alert_ids, 1)
    opened = Counter(e["subject"] for e in mine if e["type"] == "consultation.opened")
    assert opened == dict.fromkeys(consultation_ids, 1)
    for service in ("notifications", "consultation"):
        assert await fetch(scaled_stack, service, "SELECT id FROM outbox") == [], service
