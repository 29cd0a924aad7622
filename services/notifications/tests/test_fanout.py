"""Fan-out: which subscriptions an event reaches, once, and what lands in which inbox."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import func, select
from sqlmodel import col
from standardwebhooks import Webhook

from localrights.events import (
    ALERT_EVENTS,
    CONSULTATION_EVENTS,
    EXERCISE_EVENTS,
    INSTITUTION_EVENTS,
    new_event,
)
from localrights.events.catalog.consultation import ConsultationOpened
from localrights.events.catalog.exercises import ExerciseClosed, ExerciseOpened
from localrights.events.catalog.institutions import InstitutionRegistered, InstitutionUpdated
from localrights.testing.helpers import eventually, read_topic
from localrights_notifications.models import ClosedExercise, Delivery, Notification

from .conftest import Service, Sink


async def deliveries_of(service: Service, event_id: str) -> dict[UUID, int]:
    """Subscription id -> number of deliveries for one event."""
    async with service.sessions() as session:
        rows = await session.exec(
            select(Delivery.subscription_id, func.count())
            .where(col(Delivery.event_id) == event_id)
            .group_by(col(Delivery.subscription_id))
        )
        return {row[0]: int(row[1]) for row in rows.all()}


async def inbox_titles(service: Service, institution: UUID) -> list[dict[str, Any]]:
    response = await service.client.get("/api/v1/inbox", headers=service.officer(institution))
    assert response.status_code == 200, response.text
    return response.json()["items"]  # type: ignore[no-any-return]


async def register_institution(
    service: Service, institution: UUID, jurisdiction: str, changed_at: datetime
) -> None:
    """A Uruguayan municipality registered at the gateway, as its event reaches the service."""
    registered = InstitutionRegistered(
        institution_id=institution,
        name=f"Institution {institution}",
        kind="municipality",
        country="UY",
        jurisdiction=jurisdiction,
        changed_at=changed_at,
    )
    await service.send_event(new_event(registered, source="/gateway"), INSTITUTION_EVENTS)


async def published_event_id(service: Service, alert_id: str) -> str:
    events = await read_topic(
        service.settings.kafka_bootstrap_servers,
        service.settings.kafka_topic_prefix + ALERT_EVENTS,
        until=lambda evs: any(e.subject == alert_id for e in evs),
    )
    return next(e.id for e in events if e.subject == alert_id)


class TestMatching:
    async def test_filters_match_exactly_the_right_subscriptions(self, service: Service) -> None:
        institution = uuid4()
        subscribe = service.subscribe
        matching = {
            "everything": await subscribe(institution),
            "country": await subscribe(institution, countries=["UY", "AR"]),
            "mechanism": await subscribe(institution, mechanisms=["CERD"]),
            "kind": await subscribe(institution, kinds=["treaty_body_review"]),
            "theme": await subscribe(institution, themes=["racial-discrimination", "housing"]),
            "region": await subscribe(institution, jurisdictions=["UY-CA"]),
            "all filters": await subscribe(
                institution,
                countries=["UY"],
                mechanisms=["CERD", "CCPR"],
                kinds=["treaty_body_review", "country_visit"],
                themes=["racial-discrimination"],
                jurisdictions=["UY-CA"],
            ),
        }
        missing = {
            "other country": await subscribe(institution, countries=["AR"]),
            "other mechanism": await subscribe(institution, mechanisms=["CEDAW"]),
            "other kind": await subscribe(institution, kinds=["country_visit"]),
            "other theme": await subscribe(institution, themes=["housing"]),
            "other region": await subscribe(institution, jurisdictions=["UY-MO"]),
            "other country's region": await subscribe(institution, jurisdictions=["AR-B"]),
            "one filter off": await subscribe(
                institution, countries=["UY"], mechanisms=["CERD"], kinds=["upr_review"]
            ),
        }
        alert = await service.publish(jurisdictions=["UY-CA"])
        event_id = await published_event_id(service, alert["id"])

        async def fanned_out() -> None:
            assert await deliveries_of(service, event_id)

        await eventually(fanned_out)
        reached = await deliveries_of(service, event_id)
        assert set(reached) == {UUID(s["id"]) for s in matching.values()}, {
            name for name, s in missing.items() if UUID(s["id"]) in reached
        }
        assert set(reached.values()) == {1}

    async def test_a_country_wide_alert_reaches_a_regional_subscription(
        self, service: Service
    ) -> None:
        institution = uuid4()
        regional = await service.subscribe(institution, jurisdictions=["UY-CA"])
        alert = await service.publish()  # no jurisdictions: all of Uruguay
        event_id = await published_event_id(service, alert["id"])

        async def reached() -> None:
            assert set(await deliveries_of(service, event_id)) == {UUID(regional["id"])}

        await eventually(reached)


class TestIdempotence:
    async def test_a_redelivered_alert_published_event_creates_no_second_delivery(
        self, service: Service
    ) -> None:
        institution = uuid4()
        await service.subscribe(institution)
        await service.subscribe(institution, countries=["UY"])
        alert = await service.publish()
        events = await read_topic(
            service.settings.kafka_bootstrap_servers,
            service.settings.kafka_topic_prefix + ALERT_EVENTS,
            until=lambda evs: any(e.subject == alert["id"] for e in evs),
        )
        [published] = [e for e in events if e.subject == alert["id"]]

        async def two_deliveries() -> None:
            assert sum((await deliveries_of(service, published.id)).values()) == 2

        await eventually(two_deliveries)
        # The broker hands the same event over again (a relay retry, a rebalance...).
        await service.send_event(published, ALERT_EVENTS)
        await service.send_event(published, ALERT_EVENTS)
        marker = await service.publish(country="IT", stage="follow_up")
        marker_event = await published_event_id(service, marker["id"])

        async def marker_applied() -> None:
            async with service.sessions() as session:
                found = await session.exec(
                    select(Notification.id).where(col(Notification.event_id) == marker_event)
                )
                assert found.first() is not None

        await eventually(marker_applied)  # the consumer is past the duplicates
        assert sum((await deliveries_of(service, published.id)).values()) == 2
        assert len(await inbox_titles(service, institution)) == 2  # two alerts, once each


class TestOtherServicesEvents:
    async def test_consultation_opened_reaches_subscribers_of_its_place(
        self, service: Service
    ) -> None:
        here, elsewhere, other_kind = uuid4(), uuid4(), uuid4()
        await service.subscribe(here, jurisdictions=["ID-JT"], mechanisms=["CEDAW"])
        await service.subscribe(elsewhere, countries=["UY"])
        await service.subscribe(other_kind, countries=["ID"], kinds=["upr_review"])
        opened = new_event(
            ConsultationOpened(
                consultation_id=uuid4(),
                institution_id=uuid4(),
                country="ID",
                jurisdiction="ID-JT",
                title={"en": "Housing in Wonosobo"},
                participation_mode="open",
                opens_at=datetime.now(UTC),
                closes_at=datetime.now(UTC) + timedelta(days=30),
            ),
            source="/consultation",
        )
        await service.send_event(opened, CONSULTATION_EVENTS)

        async def landed() -> None:
            items = await inbox_titles(service, here)
            assert len(items) == 1
            item = items[0]
            assert item["kind"] == "consultation_opened"
            assert item["title"] == {"en": "Housing in Wonosobo"}

        await eventually(landed)
        assert await inbox_titles(service, elsewhere) == []
        assert await inbox_titles(service, other_kind) == []

    async def test_exercise_opened_lands_in_every_invited_inbox(self, service: Service) -> None:
        by_id, by_region, neighbour, retired = uuid4(), uuid4(), uuid4(), uuid4()
        changed = datetime.now(UTC)
        for institution, jurisdiction in (
            (by_region, "UY-CA"),
            (neighbour, "UY-MO"),
            (retired, "UY-CA"),
        ):
            await register_institution(service, institution, jurisdiction, changed)
        retired_event = InstitutionUpdated(
            institution_id=retired,
            name="Retired",
            kind="municipality",
            country="UY",
            jurisdiction="UY-CA",
            active=False,
            changed_at=changed + timedelta(seconds=1),
        )
        await service.send_event(new_event(retired_event, source="/gateway"), INSTITUTION_EVENTS)
        webhookless = await service.subscribe(by_region, kinds=["input_requested"])
        opened = new_event(
            ExerciseOpened(
                exercise_id=uuid4(),
                ministry_institution_id=uuid4(),
                title="CERD periodic report: local input",
                report_type="treaty_body_report",
                country="UY",
                mechanism="CERD",
                deadline=date(2030, 5, 31),
                invited_institution_ids=[by_id],
                invited_jurisdictions=["UY-CA"],
                recommendation_count=12,
                opened_at=datetime.now(UTC),
            ),
            source="/recommendations",
        )

        async def projection_ready() -> None:
            async with service.sessions() as session:
                from localrights_notifications.models import Institution

                rows = (await session.exec(select(Institution.id, Institution.active))).all()
                assert dict(rows) == {by_region: True, neighbour: True, retired: False}

        await eventually(projection_ready)
        await service.send_event(opened, EXERCISE_EVENTS)

        async def invited() -> None:
            for institution in (by_id, by_region):
                items = await inbox_titles(service, institution)
                assert len(items) == 1
                item = items[0]
                assert item["kind"] == "input_requested"
                assert item["facts"]["exercise_id"] == str(opened.data["exercise_id"])

        await eventually(invited)
        assert await inbox_titles(service, neighbour) == []
        assert await inbox_titles(service, retired) == []
        assert await deliveries_of(service, opened.id) == {UUID(webhookless["id"]): 1}

    async def test_a_closed_exercise_invites_no_institution_registered_after_it(
        self, service: Service
    ) -> None:
        def exercise(title: str) -> Any:
            return new_event(
                ExerciseOpened(
                    exercise_id=uuid4(),
                    ministry_institution_id=uuid4(),
                    title=title,
                    report_type="upr_midterm_report",
                    country="UY",
                    mechanism="UPR",
                    deadline=date(2030, 5, 31),
                    invited_institution_ids=[],
                    invited_jurisdictions=["UY-RO"],
                    recommendation_count=3,
                    opened_at=datetime.now(UTC),
                ),
                source="/recommendations",
            )

        still_open, closed = exercise("Still open"), exercise("Closed early")
        await service.send_event(still_open, EXERCISE_EVENTS)
        await service.send_event(closed, EXERCISE_EVENTS)
        closing = ExerciseClosed(
            exercise_id=closed.data["exercise_id"],
            closed_at=datetime.now(UTC),
            institutions_invited=0,
            institutions_answered=0,
        )
        await service.send_event(new_event(closing, source="/recommendations"), EXERCISE_EVENTS)

        async def both_recorded_and_one_closed() -> None:
            async with service.sessions() as session:
                opened = await session.exec(
                    select(func.count()).where(
                        col(Notification.event_id).in_([still_open.id, closed.id])
                    )
                )
                assert opened.scalar_one() == 2
                assert await session.get(ClosedExercise, closing.exercise_id) is not None

        await eventually(both_recorded_and_one_closed)
        latecomer = uuid4()
        await register_institution(service, latecomer, "UY-RO", datetime.now(UTC))

        async def invited_to_the_open_one() -> None:
            items = await inbox_titles(service, latecomer)
            assert [i["facts"]["title"] for i in items] == ["Still open"]

        await eventually(invited_to_the_open_one)


class TestInbox:
    async def test_an_institution_reads_only_its_own_inbox(self, service: Service) -> None:
        owner, other = uuid4(), uuid4()
        await service.subscribe(owner)
        await service.publish()

        async def arrived() -> None:
            assert len(await inbox_titles(service, owner)) == 1

        await eventually(arrived)
        [item] = await inbox_titles(service, owner)
        assert await inbox_titles(service, other) == []
        stolen = await service.client.post(
            f"/api/v1/inbox/{item['id']}/read", headers=service.officer(other)
        )
        assert stolen.status_code == 404
        read = await service.client.post(
            f"/api/v1/inbox/{item['id']}/read", headers=service.officer(owner)
        )
        assert read.status_code == 200 and read.json()["read_at"] is not None
        unread = await service.client.get(
            "/api/v1/inbox", params={"unread": "true"}, headers=service.officer(owner)
        )
        assert unread.json()["total"] == 0
        anonymous = await service.client.get("/api/v1/inbox")
        assert anonymous.status_code == 401


class TestChangesNotifyAgain:
    async def test_an_update_and_a_cancellation_reach_the_subscribers_again(
        self, service: Service, sink: Sink
    ) -> None:
        institution, uninterested = uuid4(), uuid4()
        hook = await service.subscribe(institution, channel="webhook", url=sink.url("/hook"))
        await service.subscribe(institution, countries=["UY"])
        await service.subscribe(uninterested, countries=["IT"])
        alert = await service.publish()
        path = f"/api/v1/alerts/{alert['id']}"
        updated = await service.client.patch(
            path, json={"stage": "concluding_observations"}, headers=service.publisher()
        )
        assert updated.status_code == 200, updated.text
        cancelled = await service.client.post(f"{path}/cancel", headers=service.publisher())
        assert cancelled.status_code == 200, cancelled.text

        async def three_times() -> None:
            assert len(sink.received["/hook"]) == 3
            assert len(await inbox_titles(service, institution)) == 3

        await eventually(three_times)
        signer = Webhook(hook["secret"])
        calls = [signer.verify(call.body, call.headers) for call in sink.received["/hook"]]
        by_type = {event["type"]: event["data"] for event in calls}
        assert set(by_type) == {"alert.published", "alert.updated", "alert.cancelled"}
        assert by_type["alert.updated"]["stage"] == "concluding_observations"
        assert by_type["alert.updated"]["revision"] == 2
        assert by_type["alert.cancelled"]["revision"] == 3
        inbox = await inbox_titles(service, institution)
        assert {item["event_type"] for item in inbox} == set(by_type)
        assert {item["alert_id"] for item in inbox} == {alert["id"]}
        assert await inbox_titles(service, uninterested) == []
