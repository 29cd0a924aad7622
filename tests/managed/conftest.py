"""Tests of the platform against what managed Kafka and PostgreSQL present: TLS with a CA
of the test's own, SASL, secrets mounted as files.

The servers are the embedded ones (PostgreSQL 18, Tansu) made to speak TLS: PostgreSQL by
its own ``ssl = on``, the broker behind Debian's stunnel. Each module starts what it needs
once and its tests share it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from localrights.auth import Role
from localrights.events import get_event_type, new_event
from localrights.kafka import KafkaConnection, create_producer, ensure_topics
from localrights.testing.helpers import bearer, eventually, read_topic, running_app
from localrights.testing.plugin import MigratedDatabase
from localrights.testing.tls import Certificates, issue_certificates


@pytest.fixture(scope="package")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    """The CA the servers' certificates (for ``localhost``) and a client certificate come from."""
    return issue_certificates(tmp_path_factory.mktemp("certificates"))


@pytest.fixture(scope="package")
def other_certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    """Another CA: what a service configured with the wrong CA file trusts."""
    return issue_certificates(tmp_path_factory.mktemp("other-certificates"))


NOTIFICATIONS_MIGRATIONS = (
    Path(__file__).resolve().parents[2] / "services" / "notifications" / "migrations"
)

AlertRoundTrip = Callable[..., Awaitable[None]]
EventRoundTrip = Callable[[KafkaConnection, str], Awaitable[None]]


@pytest.fixture
def event_round_trip() -> EventRoundTrip:
    """``await event_round_trip(kafka, topic)``: one event sent and read back through ``kafka``."""

    async def round_trip(kafka: KafkaConnection, topic: str) -> None:
        await ensure_topics(kafka, [topic])
        envelope = new_event(get_event_type("alert.published").example, source="/managed-test")
        producer = create_producer(kafka, enable_idempotence=False, client_id="managed-test")
        await producer.start()
        try:
            await producer.send_and_wait(topic, envelope.to_json_bytes())
        finally:
            await producer.stop()
        [read] = await read_topic(kafka, topic, until=lambda events: len(events) == 1)
        assert read.id == envelope.id

    return round_trip


@pytest.fixture
async def alert_round_trip(
    migrated_database: MigratedDatabase, topic_prefix: str, internal_jwt_secret: str
) -> AlertRoundTrip:
    """``await alert_round_trip(kafka_bootstrap_servers=..., kafka_security_protocol=...)``:
    the notifications service, with those Kafka settings, publishes an alert and fans it out
    to a subscribed inbox. Its outbox relay produces the event to alert.events and its own
    consumer reads it back: one service producing and consuming through the broker.
    """
    from localrights_notifications.config import Settings
    from localrights_notifications.main import create_app

    database_url = await migrated_database(NOTIFICATIONS_MIGRATIONS)

    async def round_trip(**kafka: Any) -> None:
        settings = Settings(
            database_url=database_url,
            kafka_topic_prefix=topic_prefix,
            internal_jwt_secret=internal_jwt_secret,
            log_json=False,
            scheduler_interval=3600.0,
            **kafka,
        )
        institution = uuid4()
        officer = bearer(internal_jwt_secret, Role.INSTITUTION_OFFICER, institution_id=institution)
        async with running_app(create_app(settings)) as client:
            subscribed = await client.post(
                "/api/v1/subscriptions", json={"channel": "inbox"}, headers=officer
            )
            assert subscribed.status_code == 201, subscribed.text
            published = await client.post(
                "/api/v1/alerts",
                json=ALERT,
                headers=bearer(internal_jwt_secret, Role.ALERT_PUBLISHER),
            )
            assert published.status_code == 201, published.text

            async def in_the_inbox() -> None:
                inbox = await client.get("/api/v1/inbox", headers=officer)
                assert [item["alert_id"] for item in inbox.json()["items"]] == [
                    published.json()["id"]
                ]

            await eventually(in_the_inbox, timeout=60)

    return round_trip


ALERT = {
    "kind": "country_visit",
    "stage": "announced",
    "country": "UY",
    "mechanism": "Special Rapporteur on the right to adequate housing",
    "title": {"en": "The housing rapporteur visits Uruguay"},
    "body": {"en": "An official country visit."},
    "starts_on": "2030-08-10",
    "ends_on": "2030-08-20",
}
