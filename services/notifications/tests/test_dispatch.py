"""Dispatch: signed webhooks, retries, Retry-After, dead letters and replay, e-mail."""

from __future__ import annotations

import json
from typing import Any
from uuid import uuid4

from standardwebhooks import Webhook

from localrights.testing.helpers import eventually

from .conftest import Mailbox, Service, Sink


async def delivery_report(service: Service, alert_id: str, **params: Any) -> dict[str, Any]:
    response = await service.client.get(
        f"/api/v1/alerts/{alert_id}/deliveries",
        params={"limit": 1000, **params},
        headers=service.publisher(),
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def until_counts(
    service: Service, alert_id: str, counts: dict[str, int], *, timeout: float = 20.0
) -> None:
    """Wait until the deliveries about an alert stand at ``counts`` by status."""

    async def settled() -> None:
        assert (await delivery_report(service, alert_id))["counts"] == counts

    await eventually(settled, timeout=timeout)


class TestSignedWebhooks:
    async def test_the_receiver_verifies_the_signature_and_reads_the_cloudevent(
        self, service: Service, sink: Sink
    ) -> None:
        subscription = await service.subscribe(uuid4(), channel="webhook", url=sink.url("/hook"))
        alert = await service.publish()

        async def delivered() -> None:
            report = await delivery_report(service, alert["id"])
            assert report["counts"] == {"delivered": 1}

        await eventually(delivered)
        [call] = sink.received["/hook"]
        event = Webhook(subscription["secret"]).verify(call.body, call.headers)
        assert event["type"] == "alert.published" and event["specversion"] == "1.0"
        assert event["subject"] == alert["id"] and event["data"]["stage"] == "dialogue"
        assert call.headers["webhook-signature"].startswith("v1,")
        report = await delivery_report(service, alert["id"])
        [delivery] = report["items"]
        assert call.headers["webhook-id"] == delivery["id"]
        assert delivery["status"] == "delivered" and delivery["attempts"] == 1

    async def test_a_forged_body_does_not_verify(self, service: Service, sink: Sink) -> None:
        subscription = await service.subscribe(uuid4(), channel="webhook", url=sink.url("/x"))
        await service.publish()

        async def received() -> None:
            assert sink.received["/x"]

        await eventually(received)
        call = sink.received["/x"][0]
        forged = call.body.replace(b"dialogue", b"follow_up")
        try:
            Webhook(subscription["secret"]).verify(forged, call.headers)
        except Exception as exc:
            assert "signature" in str(exc).lower()
        else:
            raise AssertionError("a changed body verified")


class TestRetries:
    async def test_retry_on_500_then_success_with_a_stable_webhook_id(
        self, service: Service, sink: Sink
    ) -> None:
        sink.script["/flaky"] = [(500, {}), (503, {})]
        await service.subscribe(uuid4(), channel="webhook", url=sink.url("/flaky"))
        alert = await service.publish()

        async def delivered() -> None:
            report = await delivery_report(service, alert["id"])
            assert report["counts"] == {"delivered": 1}

        await eventually(delivered)
        [delivery] = (await delivery_report(service, alert["id"]))["items"]
        assert delivery["attempts"] == 3 and delivery["last_error"] == "HTTP 503"
        calls = sink.received["/flaky"]
        assert len(calls) == 3
        assert {c.headers["webhook-id"] for c in calls} == {delivery["id"]}

    async def test_retry_after_is_respected(self, service: Service, sink: Sink) -> None:
        sink.script["/busy"] = [(429, {"Retry-After": "2"})]
        await service.subscribe(uuid4(), channel="webhook", url=sink.url("/busy"))
        await service.publish()

        async def second_try() -> None:
            assert len(sink.received["/busy"]) == 2

        await eventually(second_try)
        first, second = sink.received["/busy"]
        # Backoff alone would have retried after about 0.05 s.
        assert second.at - first.at >= 2.0


class TestDeadLetters:
    async def test_a_dead_endpoint_is_dead_lettered_while_100_healthy_ones_receive(
        self, service: Service, sink: Sink
    ) -> None:
        sink.always["/dead"] = (500, {})
        for i in range(100):
            await service.subscribe(uuid4(), channel="webhook", url=sink.url(f"/ok/{i}"))
        dead = await service.subscribe(uuid4(), channel="webhook", url=sink.url("/dead"))
        alert = await service.publish()

        async def settled() -> None:
            counts = (await delivery_report(service, alert["id"]))["counts"]
            assert counts == {"delivered": 100, "dead": 1}

        await eventually(settled, timeout=60)
        assert all(len(sink.received[f"/ok/{i}"]) == 1 for i in range(100))
        [dead_delivery] = (await delivery_report(service, alert["id"], status="dead"))["items"]
        assert dead_delivery["subscription_id"] == dead["id"]
        assert dead_delivery["attempts"] == 3 and dead_delivery["last_error"] == "HTTP 500"
        assert len(sink.received["/dead"]) == 3

        # The endpoint is repaired; an admin replays the dead letter (alert
        # publishers may too; an institution's officer may not).
        sink.always["/dead"] = (200, {})
        replay = f"/api/v1/deliveries/{dead_delivery['id']}/replay"
        forbidden = await service.client.post(replay, headers=service.officer(uuid4()))
        assert forbidden.status_code == 403
        replayed = await service.client.post(replay, headers=service.admin())
        assert replayed.status_code == 200 and replayed.json()["status"] == "pending"

        async def recovered() -> None:
            counts = (await delivery_report(service, alert["id"]))["counts"]
            assert counts == {"delivered": 101}

        await eventually(recovered)
        again = await service.client.post(replay, headers=service.admin())
        assert again.status_code == 409

    async def test_replay_every_dead_delivery_of_an_alert(
        self, service: Service, sink: Sink
    ) -> None:
        sink.always["/gone"] = (410, {})  # final at once: no retries
        for _ in range(3):
            await service.subscribe(uuid4(), channel="webhook", url=sink.url("/gone"))
        alert = await service.publish()

        async def dead() -> None:
            counts = (await delivery_report(service, alert["id"]))["counts"]
            assert counts == {"dead": 3}

        await eventually(dead)
        assert len(sink.received["/gone"]) == 3
        sink.always["/gone"] = (204, {})
        response = await service.client.post(
            f"/api/v1/alerts/{alert['id']}/deliveries/replay", headers=service.admin()
        )
        assert response.json() == {"replayed": 3}

        async def delivered() -> None:
            counts = (await delivery_report(service, alert["id"]))["counts"]
            assert counts == {"delivered": 3}

        await eventually(delivered)


class TestCircuitBreaker:
    async def test_a_failing_endpoint_stops_being_called_while_others_are(
        self, start_service: Any, sink: Sink
    ) -> None:
        sink.always["/broken"] = (500, {})
        async with start_service(
            breaker_threshold=2, breaker_cooldown=600.0, max_attempts=5
        ) as service:
            broken = await service.subscribe(uuid4(), channel="webhook", url=sink.url("/broken"))
            healthy = await service.subscribe(uuid4(), channel="webhook", url=sink.url("/fine"))
            first = await service.publish()

            async def opened() -> None:
                report = await delivery_report(service, first["id"])
                assert report["counts"] == {"delivered": 1, "pending": 1}
                [item] = [d for d in report["items"] if d["status"] == "pending"]
                assert item["subscription_id"] == broken["id"]
                assert item["attempts"] == 2 and item["last_error"] == "circuit open"

            await eventually(opened)
            second = await service.publish(stage="concluding_observations")

            async def refused_at_once() -> None:
                report = await delivery_report(service, second["id"])
                by_subscription = {d["subscription_id"]: d for d in report["items"]}
                assert len(by_subscription) == 2
                assert by_subscription[healthy["id"]]["status"] == "delivered"
                refused = by_subscription[broken["id"]]
                assert refused["status"] == "pending" and refused["last_error"] == "circuit open"
                assert refused["attempts"] == 0  # waiting for the breaker costs no attempt

            await eventually(refused_at_once)
            # Two calls opened the circuit; the endpoint heard nothing after that, while the
            # healthy endpoint got both alerts.
            assert len(sink.received["/broken"]) == 2
            assert len(sink.received["/fine"]) == 2


class TestNoStateBetweenDeliveries:
    async def test_a_cookie_one_endpoint_sets_is_not_sent_to_another_subscription(
        self, start_service: Any, sink: Sink
    ) -> None:
        # By host name, not address: aiohttp's default cookie jar keeps cookies of names only.
        port = sink.base_url.rsplit(":", 1)[1]
        first_url, second_url = (f"http://localhost:{port}/{path}" for path in ("first", "second"))
        sink.always["/first"] = (200, {"Set-Cookie": "tenant=first; Path=/"})
        async with start_service(webhook_allowed_hosts=["localhost"]) as service:
            await service.subscribe(uuid4(), channel="webhook", url=first_url)
            first = await service.publish()

            async def delivered(alert: dict[str, Any], count: int) -> None:
                report = await delivery_report(service, alert["id"])
                assert report["counts"] == {"delivered": count}

            await eventually(lambda: delivered(first, 1))
            await service.subscribe(uuid4(), channel="webhook", url=second_url)
            second = await service.publish(stage="concluding_observations")
            await eventually(lambda: delivered(second, 2))
        calls = [*sink.received["/first"], *sink.received["/second"]]
        assert len(calls) == 3
        assert not [call for call in calls if "Cookie" in call.headers]


class TestSsrfAtDispatch:
    async def test_targets_no_longer_allowed_are_not_called(
        self, start_service: Any, sink: Sink
    ) -> None:
        port = sink.base_url.rsplit(":", 1)[1]
        by_name = f"http://localhost:{port}/by-name"
        async with start_service(webhook_allowed_hosts=["127.0.0.1", "localhost"]) as service:
            await service.subscribe(uuid4(), channel="webhook", url=sink.url("/literal"))
            await service.subscribe(uuid4(), channel="webhook", url=by_name)
        # The operator narrows the allow-list: stored subscriptions are checked again at
        # every call, for an IP literal and for a name resolving to loopback alike.
        async with start_service(webhook_allowed_hosts=[]) as service:
            alert = await service.publish()

            async def dead() -> None:
                report = await delivery_report(service, alert["id"])
                assert report["counts"] == {"dead": 2}

            await eventually(dead)
            items = (await delivery_report(service, alert["id"]))["items"]
        # Refused before any connection, and final: retrying cannot make the target allowed.
        assert sorted((d["attempts"], d["last_error"]) for d in items) == [
            (1, "forbidden address"),
            (1, "forbidden address: localhost resolves only to forbidden addresses"),
        ]
        assert sink.received == {}


class TestSlowEndpoints:
    async def test_a_hanging_endpoint_does_not_hold_up_the_others(
        self, start_service: Any, sink: Sink
    ) -> None:
        sink.always["/hang"] = "hang"
        async with start_service(
            webhook_concurrency=2, slow_call_after=0.1, webhook_timeout=30.0
        ) as service:
            hanging = [
                await service.subscribe(uuid4(), channel="webhook", url=sink.url(f"/hang{i}"))
                for i in range(4)
            ]
            for i in range(4):
                sink.always[f"/hang{i}"] = "hang"
            for i in range(30):
                await service.subscribe(uuid4(), channel="webhook", url=sink.url(f"/fine/{i}"))
            alert = await service.publish()

            async def healthy_done() -> None:
                counts = (await delivery_report(service, alert["id"]))["counts"]
                assert counts.get("delivered") == 30

            await eventually(healthy_done)
            # With 2 slots and 4 endpoints hanging for 30 s, the healthy 30 only got through
            # because the hanging calls moved out of the channel's lane.
            report = await delivery_report(service, alert["id"], status="sending")
            assert {d["subscription_id"] for d in report["items"]} == {h["id"] for h in hanging}

    async def test_hanging_calls_leave_the_pool_after_a_few_typical_calls_not_the_cap(
        self, start_service: Any, sink: Sink
    ) -> None:
        # The cap (30 s) and the timeout (40 s) are far beyond the test's patience: the
        # healthy deliveries get through only because a call is judged slow against the
        # typical call, which this sink answers in milliseconds.
        async with start_service(
            webhook_concurrency=2, slow_call_after=30.0, webhook_timeout=40.0
        ) as service:
            for i in range(6):
                sink.always[f"/stuck{i}"] = "hang"
                await service.subscribe(uuid4(), channel="webhook", url=sink.url(f"/stuck{i}"))
            for i in range(30):
                await service.subscribe(uuid4(), channel="webhook", url=sink.url(f"/ok/{i}"))
            alert = await service.publish()

            async def healthy_done() -> None:
                counts = (await delivery_report(service, alert["id"]))["counts"]
                assert counts == {"delivered": 30, "sending": 6}

            await eventually(healthy_done, timeout=10.0)

    async def test_receivers_that_all_answer_slowly_are_learnt_not_all_judged_slow(
        self, start_service: Any, sink: Sink
    ) -> None:
        # Every receiver takes 80 ms, far above the floor the threshold starts at. The first
        # waves of calls are judged slow against the floor; once they end, the threshold is
        # twice their median and the rest keep their place in the pool, so no more calls run
        # at once than the pool has places. Learning only from calls that kept their place,
        # the dispatcher moved nearly all of them while deliveries waited.
        before = _slow_lane_calls("judged_slow")
        async with start_service(webhook_concurrency=5, slow_call_after=1.0) as service:
            for i in range(100):
                sink.always[f"/steady/{i}"] = 0.08
                await service.subscribe(uuid4(), channel="webhook", url=sink.url(f"/steady/{i}"))
            alert = await service.publish()

            async def delivered() -> None:
                counts = (await delivery_report(service, alert["id"]))["counts"]
                assert counts == {"delivered": 100}

            await eventually(delivered, timeout=30.0)
        assert _slow_lane_calls("judged_slow") - before < 40

    async def test_an_endpoint_known_to_be_slow_is_called_from_the_slow_lane_until_fast(
        self, start_service: Any, sink: Sink
    ) -> None:
        before = _slow_lane_calls("known_slow")
        sink.script["/sluggish"] = ["hang", "hang"]  # then 200 at once
        async with start_service(slow_call_after=0.2, webhook_timeout=0.5) as service:
            await service.subscribe(uuid4(), channel="webhook", url=sink.url("/sluggish"))
            await service.subscribe(uuid4(), channel="webhook", url=sink.url("/brisk"))
            first = await service.publish()

            async def delivered(alert_id: str) -> None:
                assert (await delivery_report(service, alert_id))["counts"] == {"delivered": 2}

            await eventually(lambda: delivered(first["id"]))
            # The first call timed out in the pool; both retries started in the slow lane,
            # the second answered at once and the endpoint was forgotten.
            assert _slow_lane_calls("known_slow") - before == 2
            second = await service.publish()
            await eventually(lambda: delivered(second["id"]))
            assert _slow_lane_calls("known_slow") - before == 2
        assert len(sink.received["/sluggish"]) == 4 and len(sink.received["/brisk"]) == 2

    async def test_a_delivery_the_breaker_refuses_leaves_the_endpoint_known_slow(
        self, start_service: Any, sink: Sink
    ) -> None:
        before = _slow_lane_calls("known_slow")
        sink.script["/sluggish"] = ["hang"]  # then 200 at once
        async with start_service(
            slow_call_after=0.2, webhook_timeout=0.5, breaker_threshold=1, breaker_cooldown=1.0
        ) as service:
            await service.subscribe(uuid4(), channel="webhook", url=sink.url("/sluggish"))
            alert = await service.publish()

            async def delivered() -> None:
                assert (await delivery_report(service, alert["id"]))["counts"] == {"delivered": 1}

            await eventually(delivered)
        # The timeout opened the breaker and made the endpoint known slow. The retry went to
        # the slow lane and was refused by the breaker without a call; the trial call after
        # the cool-down went to the slow lane too, the endpoint still known slow.
        assert _slow_lane_calls("known_slow") - before == 2
        assert len(sink.received["/sluggish"]) == 2

    async def test_stopping_hands_calls_under_way_back_without_spending_an_attempt(
        self, start_service: Any, sink: Sink
    ) -> None:
        sink.always["/stuck"] = "hang"
        async with start_service(webhook_timeout=40.0) as service:
            await service.subscribe(uuid4(), channel="webhook", url=sink.url("/stuck"))
            alert = await service.publish()

            async def called() -> None:
                assert sink.received.get("/stuck")

            await eventually(called)
        # Stopped mid-call: the next replica may send it at once, as a first attempt.
        async with start_service(webhook_timeout=40.0, dispatch_poll_interval=3600.0) as service:
            [delivery] = (await delivery_report(service, alert["id"]))["items"]
        assert delivery["status"] in ("pending", "sending")
        assert delivery["attempts"] == 0 and delivery["last_error"] == "interrupted by shutdown"


class TestEmail:
    async def test_an_email_subscriber_gets_plain_text_and_html(
        self, start_service: Any, smtp: tuple[Mailbox, int]
    ) -> None:
        mailbox, port = smtp
        async with start_service(smtp_host="127.0.0.1", smtp_port=port) as service:
            await service.subscribe(uuid4(), channel="email", email="hr@canelones.example.org")
            alert = await service.publish(title={"en": "CERD reviews Uruguay <soon>"})

            async def delivered() -> None:
                report = await delivery_report(service, alert["id"])
                assert report["counts"] == {"delivered": 1}

            await eventually(delivered)
        [message] = mailbox.messages
        assert message["To"] == "hr@canelones.example.org"
        assert "CERD reviews Uruguay <soon>" in message["Subject"]
        parts = {part.get_content_type(): part for part in message.walk()}
        text = parts["text/plain"].get_payload(decode=True).decode()
        html = parts["text/html"].get_payload(decode=True).decode()
        assert "How to take part: Send a written submission" in text
        assert "CERD reviews Uruguay &lt;soon&gt;" in html and "<soon>" not in html

    async def test_an_unreachable_smtp_server_means_retries_then_dead(
        self, start_service: Any
    ) -> None:
        from localrights.embedded import free_port

        async with start_service(smtp_host="127.0.0.1", smtp_port=free_port()) as service:
            await service.subscribe(uuid4(), channel="email", email="hr@example.org")
            alert = await service.publish()

            async def dead() -> None:
                report = await delivery_report(service, alert["id"])
                assert report["counts"] == {"dead": 1}

            await eventually(dead)
            [delivery] = (await delivery_report(service, alert["id"]))["items"]
            assert delivery["attempts"] == 3 and "Connect" in delivery["last_error"]


def test_json_of_a_webhook_body_is_the_envelope() -> None:
    """The digest body wraps envelopes without re-encoding their fields."""
    from localrights_notifications.messages import digest_body

    envelope = json.dumps({"id": "e1", "type": "alert.published", "data": {"a": 1}})
    body = json.loads(digest_body(day="2030-01-01", subscription_id="s", envelopes=[envelope]))
    assert body["events"] == [json.loads(envelope)] and body["day"] == "2030-01-01"


def test_a_lease_shorter_than_a_call_is_refused_at_start_up() -> None:
    import pytest
    from pydantic import ValidationError

    from localrights_notifications.config import Settings

    required = {
        "database_url": "postgresql://localhost/notifications",
        "kafka_bootstrap_servers": "localhost:9092",
        "internal_jwt_secret": "x" * 32,
    }
    with pytest.raises(ValidationError, match="must be longer than the longest call"):
        Settings(dispatch_lease=10.0, webhook_timeout=10.0, **required)
    assert Settings(**required).dispatch_lease == 60.0


def test_the_open_file_limit_is_raised_to_what_the_lanes_need() -> None:
    import resource

    from localrights_notifications.delivery.dispatcher import allow_open_files

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))
    try:
        needed = 1_310 if hard == resource.RLIM_INFINITY else min(1_310, hard)
        assert allow_open_files(1_310) == needed
        assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] == needed
        # Never lowered: a limit above what is needed stays.
        assert allow_open_files(100) == needed
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def _slow_lane_calls(why: str) -> float:
    from prometheus_client import REGISTRY

    name = "localrights_notification_slow_lane_calls_total"
    return REGISTRY.get_sample_value(name, {"why": why}) or 0.0
