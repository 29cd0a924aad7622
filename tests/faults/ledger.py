"""The zero-loss, zero-double-effect check every fault test ends with.

What the load was told (2xx) is compared with what each service's own database holds, and
what the webhook sink received with the deliveries the notifications service recorded:

- every acknowledged response is stored, once (its Idempotency-Key replays, never doubles);
- every acknowledged alert is stored; at most the attempts that may have reached the service
  without an answer add more (an alert has no idempotency key);
- every matching subscription has one delivery per alert, all delivered: the sink saw
  exactly that set of webhook-id values, and no alert under two webhook-ids; every
  subscribed inbox holds each alert once;
- every acknowledged local input is stored once per (institution, recommendation), with no
  more versions than attempts that may have reached the service;
- every service's outbox is empty in the end: the relays published the whole backlog.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import asyncpg
from e2e.platform_client import eventually
from e2e.webhook_sink import WebhookSink
from launch import Stack

from .load import Tally
from .world import World


async def fetch(stack: Stack, service: str, query: str, *args: Any) -> list[asyncpg.Record]:
    """Rows straight from one service's own database."""
    conn = await asyncpg.connect(stack.database_url(service))
    try:
        return list(await conn.fetch(query, *args))
    finally:
        await conn.close()


async def stored_alert_ids(stack: Stack, world: World) -> set[str]:
    rows = await fetch(
        stack, "notifications", "SELECT id FROM alerts WHERE mechanism = $1", world.mandate
    )
    return {str(r["id"]) for r in rows}


async def assert_load_completed(tally: Tally) -> None:
    """Every operation ended acknowledged: none refused, none given up at its deadline."""
    assert tally.rejected == [], tally.rejected[:5]
    assert tally.abandoned == [], tally.abandoned[:5]
    assert sum(tally.acknowledged.values()) == sum(tally.started.values()), tally.summary()


async def assert_nothing_lost(
    stack: Stack, world: World, tally: Tally, sink: WebhookSink, *, timeout: float = 90
) -> None:
    """The whole ledger: stored once, delivered once, nothing acknowledged missing."""
    await assert_load_completed(tally)

    responses = await fetch(
        stack,
        "consultation",
        "SELECT id FROM responses WHERE consultation_id = $1",
        world.consultation_id,
    )
    stored_responses = Counter(str(r["id"]) for r in responses)
    assert set(stored_responses) == set(tally.responses.values()), (
        f"{len(stored_responses)} stored, {len(tally.responses)} acknowledged"
    )
    assert len(tally.responses) == tally.started["response"]

    alerts = await stored_alert_ids(stack, world)
    assert tally.alerts <= alerts, f"acknowledged alerts lost: {tally.alerts - alerts}"
    assert len(alerts) <= len(tally.alerts) + tally.alert_maybe_applied, (
        f"{len(alerts)} alerts stored for {len(tally.alerts)} acknowledged and "
        f"{tally.alert_maybe_applied} unanswered attempts"
    )

    inputs = await fetch(
        stack,
        "recommendations",
        "SELECT i.institution_id, i.recommendation_id, i.version, "
        "(SELECT count(*) FROM local_input_versions v WHERE v.input_id = i.id) AS versions "
        "FROM local_inputs i WHERE i.exercise_id = $1",
        world.exercise_id,
    )
    pairs = Counter((str(r["institution_id"]), str(r["recommendation_id"])) for r in inputs)
    assert set(pairs) == tally.inputs, "stored inputs differ from the acknowledged ones"
    assert max(pairs.values(), default=1) == 1, "one institution has two inputs on one item"
    for row in inputs:
        pair = (str(row["institution_id"]), str(row["recommendation_id"]))
        assert row["versions"] == row["version"], row
        # A version beyond the first needs an earlier attempt that got no answer.
        assert row["version"] <= tally.input_attempts[pair], (pair, row["version"])

    async def delivered() -> None:
        for hook in world.webhooks:
            rows = await fetch(
                stack,
                "notifications",
                "SELECT d.id, d.status, n.alert_id FROM deliveries d "
                "JOIN notifications n ON n.event_id = d.event_id "
                "WHERE d.subscription_id = $1",
                hook.id,
            )
            assert {str(r["alert_id"]) for r in rows} == alerts, (
                f"{hook.path}: deliveries for {len(rows)} of {len(alerts)} alerts"
            )
            assert len(rows) == len(alerts), f"{hook.path}: an alert delivered twice"
            pending = [r["status"] for r in rows if r["status"] != "delivered"]
            assert pending == [], f"{hook.path}: {Counter(pending)}"
            received = sink.deliveries(hook.path)
            assert {d.webhook_id for d in received} == {str(r["id"]) for r in rows}, hook.path
            per_alert = Counter(d.data.get("alert_id") for d in received)
            assert set(per_alert) == alerts and max(per_alert.values(), default=1) == 1, hook.path
        for institution in world.inbox_institutions:
            items = await fetch(
                stack,
                "notifications",
                "SELECT i.alert_id FROM inbox_items i JOIN alerts a ON a.id = i.alert_id "
                "WHERE i.institution_id = $1 AND a.mechanism = $2",
                institution,
                world.mandate,
            )
            inbox = Counter(str(r["alert_id"]) for r in items)
            assert set(inbox) == alerts and max(inbox.values(), default=1) == 1, institution

    async def outboxes_drained() -> None:
        for service in ("consultation", "notifications", "recommendations", "gateway"):
            left = await fetch(stack, service, "SELECT count(*) AS n FROM outbox")
            assert left[0]["n"] == 0, f"{service}: {left[0]['n']} events not yet published"

    await eventually(delivered, timeout=timeout, interval=0.5)
    await eventually(outboxes_drained, timeout=timeout, interval=0.5)
    assert sink.rejected == [], sink.rejected[:3]
