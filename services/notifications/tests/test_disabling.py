"""Dead endpoints are disabled, their owner is told, and nothing they missed is lost.

Standard Webhooks receivers expect it: an endpoint that answers 410 Gone is disabled at
once; one whose every call failed for ``webhook_disable_after`` (days by default, a second
here) is disabled then. Everything a disabled subscription does not get is kept and
delivered once its owner enables it again, or an administrator replays its dead letters.
"""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID, uuid4

import asyncpg

from localrights.db import asyncpg_dsn
from localrights.testing.helpers import eventually
from localrights_notifications.delivery.health import EndpointHealth
from localrights_notifications.domain import Outcome

from .conftest import Mailbox, Service, Sink
from .test_dispatch import delivery_report, until_counts


async def subscription(service: Service, owner: UUID, id: str) -> dict[str, Any]:
    response = await service.client.get(
        f"/api/v1/subscriptions/{id}", headers=service.officer(owner)
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def patch(service: Service, owner: UUID, id: str, **body: Any) -> dict[str, Any]:
    response = await service.client.patch(
        f"/api/v1/subscriptions/{id}", json=body, headers=service.officer(owner)
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def inbox(service: Service, owner: UUID) -> list[dict[str, Any]]:
    response = await service.client.get("/api/v1/inbox", headers=service.officer(owner))
    assert response.status_code == 200, response.text
    return response.json()["items"]  # type: ignore[no-any-return]


class TestGone:
    async def test_a_410_disables_the_endpoint_tells_its_owner_and_loses_nothing(
        self, start_service: Any, sink: Sink, smtp: tuple[Mailbox, int]
    ) -> None:
        mailbox, port = smtp
        owner = uuid4()
        async with start_service(smtp_host="127.0.0.1", smtp_port=port) as service:
            hook = await service.subscribe(
                owner, channel="webhook", url=sink.url("/gone"), name="City hall intranet"
            )
            await service.subscribe(owner, channel="email", email="rights@city.example")
            sink.script["/gone"] = [(410, {})]
            first = await service.publish()

            async def disabled() -> None:
                seen = await subscription(service, owner, hook["id"])
                assert (seen["status"], seen["disabled_reason"]) == ("disabled", "endpoint_gone")
                assert seen["disabled_at"] is not None

            await eventually(disabled)

            # Told in its inbox and by e-mail, in plain words, with the way back.
            async def told() -> None:
                items = await inbox(service, owner)
                assert len(items) == 1, items
                notice = items[0]
                assert notice["event_type"] == "subscription.disabled"
                assert notice["title"]["en"] == "Webhook subscription disabled: City hall intranet"
                assert notice["facts"]["reason"] == "endpoint_gone"
                notices = [m for m in mailbox.messages if "disabled" in m["Subject"]]
                assert len(notices) == 1
                parts = {part.get_content_type(): part for part in notices[0].walk()}
                text = parts["text/plain"].get_payload(decode=True).decode()
                assert "410 Gone" in text and '{"status": "active"}' in text

            await eventually(told)

            # The answered delivery is a dead letter; the next alert is kept for it, not sent.
            [gone] = (await delivery_report(service, first["id"], status="dead"))["items"]
            assert gone["last_status_code"] == 410
            second = await service.publish(title={"en": "CERD follow-up"})

            async def kept() -> None:
                report = await delivery_report(service, second["id"])
                webhook = [d for d in report["items"] if d["channel"] == "webhook"]
                assert [d["status"] for d in webhook] == ["suspended"]

            await eventually(kept)
            assert len(sink.received["/gone"]) == 1

            # Repaired and enabled again: both messages arrive, once each.
            enabled = await patch(service, owner, hook["id"], status="active")
            assert (enabled["status"], enabled["disabled_reason"]) == ("active", None)

            async def delivered() -> None:
                for alert in (first, second):
                    report = await delivery_report(service, alert["id"])
                    webhook = [d for d in report["items"] if d["channel"] == "webhook"]
                    assert [d["status"] for d in webhook] == ["delivered"]

            await eventually(delivered)
        ids = [call.headers["webhook-id"] for call in sink.received["/gone"]]
        assert len(ids) == 3 and len(set(ids[1:])) == 2 and ids[0] in ids[1:]


class TestFailingForDays:
    async def test_an_endpoint_failing_longer_than_the_limit_is_disabled(
        self, start_service: Any, sink: Sink
    ) -> None:
        sink.always["/down"] = (503, {})
        owner = uuid4()
        async with start_service(webhook_disable_after=1.0, max_attempts=100) as service:
            hook = await service.subscribe(owner, channel="webhook", url=sink.url("/down"))
            alert = await service.publish()

            async def disabled() -> None:
                seen = await subscription(service, owner, hook["id"])
                assert (seen["status"], seen["disabled_reason"]) == (
                    "disabled",
                    "failing_too_long",
                )

            await eventually(disabled, timeout=30)
            seen = await subscription(service, owner, hook["id"])
            assert seen["failing_since"] < seen["disabled_at"]

            async def told() -> None:
                kinds = [i["kind"] for i in await inbox(service, owner)]
                assert "subscription_disabled" in kinds

            await eventually(told)
            calls = len(sink.received["/down"])
            await asyncio.sleep(0.5)
            assert len(sink.received["/down"]) == calls  # no more calls once disabled

            sink.always["/down"] = (200, {})
            await patch(service, owner, hook["id"], status="active")
            await until_counts(service, alert["id"], {"delivered": 1})
            seen = await subscription(service, owner, hook["id"])
            assert (seen["status"], seen["failing_since"]) == ("active", None)

    async def test_many_failed_attempts_within_the_limit_disable_nothing(
        self, service: Service, sink: Sink
    ) -> None:
        """Days, not attempts: dead letters alone leave the subscription active."""
        sink.always["/flaky"] = (500, {})
        owner = uuid4()
        hook = await service.subscribe(owner, channel="webhook", url=sink.url("/flaky"))
        alerts = [await service.publish() for _ in range(3)]
        for alert in alerts:
            await until_counts(service, alert["id"], {"dead": 1}, timeout=30)
        seen = await subscription(service, owner, hook["id"])
        assert seen["status"] == "active" and seen["failing_since"] is not None

        # One delivered call ends the run of failures.
        sink.always["/flaky"] = (200, {})
        await service.publish()

        async def recovered() -> None:
            assert (await subscription(service, owner, hook["id"]))["failing_since"] is None

        await eventually(recovered)

    async def test_what_died_while_failing_is_sent_again_on_enabling(
        self, service: Service, sink: Sink
    ) -> None:
        sink.always["/broken"] = (500, {})
        owner = uuid4()
        hook = await service.subscribe(owner, channel="webhook", url=sink.url("/broken"))
        alert = await service.publish()
        await until_counts(service, alert["id"], {"dead": 1}, timeout=30)
        # Its owner stops it by hand, repairs the endpoint, then enables it again.
        stopped = await patch(service, owner, hook["id"], status="disabled")
        assert (stopped["status"], stopped["disabled_reason"]) == ("disabled", "by_institution")
        sink.always["/broken"] = (200, {})
        await patch(service, owner, hook["id"], status="active")
        await until_counts(service, alert["id"], {"delivered": 1})
        # The owner's own doing is not announced to the owner.
        assert [
            i for i in await inbox(service, owner) if i["kind"] == "subscription_disabled"
        ] == []


class TestSubscriptionsApi:
    async def test_the_state_shows_and_a_null_status_is_refused(
        self, service: Service, sink: Sink
    ) -> None:
        owner = uuid4()
        hook = await service.subscribe(owner, channel="webhook", url=sink.url("/x"))
        assert (hook["status"], hook["disabled_reason"], hook["disabled_at"]) == (
            "active",
            None,
            None,
        )
        refused = await service.client.patch(
            f"/api/v1/subscriptions/{hook['id']}",
            json={"status": None},
            headers=service.officer(owner),
        )
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["location"] == "status"
        listed = await service.client.get("/api/v1/subscriptions", headers=service.officer(owner))
        assert [s["status"] for s in listed.json()["items"]] == ["active"]


class TestReplay:
    async def test_an_administrators_replay_enables_a_disabled_endpoint_again(
        self, service: Service, sink: Sink
    ) -> None:
        owner = uuid4()
        sink.script["/moved"] = [(410, {})]
        hook = await service.subscribe(owner, channel="webhook", url=sink.url("/moved"))
        first = await service.publish()

        async def disabled() -> None:
            assert (await subscription(service, owner, hook["id"]))["status"] == "disabled"

        await eventually(disabled)
        second = await service.publish(title={"en": "CERD follow-up"})
        await until_counts(service, second["id"], {"suspended": 1})
        [dead] = (await delivery_report(service, first["id"], status="dead"))["items"]
        replayed = await service.client.post(
            f"/api/v1/deliveries/{dead['id']}/replay", headers=service.admin()
        )
        assert replayed.status_code == 200, replayed.text

        for alert in (first, second):
            await until_counts(service, alert["id"], {"delivered": 1})
        assert (await subscription(service, owner, hook["id"]))["status"] == "active"

    async def test_a_replay_between_a_410_and_its_disabling_is_not_undone(
        self, start_service: Any, sink: Sink
    ) -> None:
        """The dispatcher records a call's result, then disables the endpoint it found gone,
        in two steps; an administrator who replays in between has the last word."""
        owner = uuid4()
        sink.always["/moved"] = (500, {})
        async with start_service(max_attempts=1) as service:
            hook = await service.subscribe(owner, channel="webhook", url=sink.url("/moved"))
            alert = await service.publish()
            await until_counts(service, alert["id"], {"dead": 1})
            [dead] = (await delivery_report(service, alert["id"], status="dead"))["items"]
            sink.always["/moved"] = (204, {})
            replayed = await service.client.post(
                f"/api/v1/deliveries/{dead['id']}/replay", headers=service.admin()
            )
            assert replayed.status_code == 200, replayed.text

            # The step the dispatcher would take next, had that call answered 410 Gone.
            health = EndpointHealth(service.settings.webhook_disable_after, service.sessions)
            gone = Outcome(delivered=False, retryable=False, status_code=410)
            health.note(UUID(hook["id"]), UUID(dead["id"]), gone, failing=False)
            connection = await asyncpg.connect(asyncpg_dsn(service.settings.database_url))
            try:
                await health.write(connection)
            finally:
                await connection.close()

            assert (await subscription(service, owner, hook["id"]))["status"] == "active"
            await until_counts(service, alert["id"], {"delivered": 1})
