"""Follow-up events reach subscribers: what an institution publishes goes to those who follow
its place; what it does not, only to it and its country's ministries; returns and reminders
land in the institution's inbox."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

from localrights.events import FOLLOW_UP_EVENTS, INDICATOR_EVENTS, INSTITUTION_EVENTS, new_event
from localrights.events.catalog.follow_up import (
    FOLLOW_UP_STATUS_CHANGED,
    FollowUpStatusChanged,
    FollowUpStatusReturned,
)
from localrights.events.catalog.indicators import IndicatorUpdateDue
from localrights.events.catalog.institutions import InstitutionRegistered
from localrights.testing.helpers import eventually

from .conftest import Service
from .test_fanout import inbox_titles


def status_changed(institution: UUID, *, published: bool, **changes: Any) -> Any:
    example = FOLLOW_UP_STATUS_CHANGED.example
    assert isinstance(example, FollowUpStatusChanged)
    facts = example.model_copy(
        update={
            "entry_id": uuid4(),
            "institution_id": institution,
            "published": published,
            **changes,
        }
    )
    return new_event(facts, source="/recommendations")


async def register_ministry(service: Service, ministry: UUID) -> None:
    registered = InstitutionRegistered(
        institution_id=ministry,
        name="Comitato interministeriale per i diritti umani",
        kind="ministry",
        country="IT",
        jurisdiction="IT",
        changed_at=datetime.now(UTC),
    )
    await service.send_event(new_event(registered, source="/gateway"), INSTITUTION_EVENTS)


class TestStatusChanges:
    async def test_a_published_status_reaches_those_following_the_place(
        self, service: Service
    ) -> None:
        bologna, commission, elsewhere = uuid4(), uuid4(), uuid4()
        await service.subscribe(commission, jurisdictions=["IT-BO"], kinds=["status_changed"])
        await service.subscribe(elsewhere, jurisdictions=["IT-TO"])
        await service.send_event(status_changed(bologna, published=True), FOLLOW_UP_EVENTS)

        async def arrived() -> None:
            items = await inbox_titles(service, commission)
            assert len(items) == 1, items
            item = items[0]
            assert item["kind"] == "status_changed"
            # The place by its name in each language, never its ISO code.
            assert item["title"]["en"] == "UN recommendation in Bologna: partially implemented"
            assert item["title"]["fr"].endswith("partiellement mis en œuvre")
            assert item["facts"]["status"] == "partially_implemented"

        await eventually(arrived)
        assert await inbox_titles(service, elsewhere) == []

    async def test_an_unpublished_status_reaches_only_its_institution_and_the_ministries(
        self, service: Service
    ) -> None:
        bologna, ministry, commission = uuid4(), uuid4(), uuid4()
        await register_ministry(service, ministry)
        for institution in (bologna, ministry, commission):
            await service.subscribe(institution, countries=["IT"])

        async def projection_ready() -> None:
            async with service.sessions() as session:
                from localrights_notifications.models import Institution

                assert await session.get(Institution, ministry) is not None

        await eventually(projection_ready)
        await service.send_event(status_changed(bologna, published=False), FOLLOW_UP_EVENTS)

        async def arrived() -> None:
            for institution in (bologna, ministry):
                assert [i["kind"] for i in await inbox_titles(service, institution)] == [
                    "status_changed"
                ]

        await eventually(arrived)
        assert await inbox_titles(service, commission) == []

    async def test_a_returned_status_lands_in_its_institution_inbox(self, service: Service) -> None:
        torino = uuid4()
        returned = FollowUpStatusReturned(
            entry_id=uuid4(),
            recommendation_id=uuid4(),
            institution_id=torino,
            jurisdiction="IT-TO",
            country="IT",
            mechanism="UPR",
            status="implemented",
            comment="Only one district has it",
            published=False,
            returned_at=datetime.now(UTC),
        )
        await service.send_event(new_event(returned, source="/recommendations"), FOLLOW_UP_EVENTS)

        async def arrived() -> None:
            items = await inbox_titles(service, torino)
            assert len(items) == 1, items
            item = items[0]
            assert item["kind"] == "status_returned"
            assert item["facts"]["comment"] == "Only one district has it"

        await eventually(arrived)


class TestIndicatorReminders:
    async def test_a_value_falling_due_is_a_reminder_for_the_institution_alone(
        self, service: Service
    ) -> None:
        bologna, neighbour = uuid4(), uuid4()
        await service.subscribe(neighbour, countries=["IT"], kinds=["reminder"])
        due = IndicatorUpdateDue(
            indicator_id=uuid4(),
            institution_id=bologna,
            jurisdiction="IT-BO",
            country="IT",
            title={"en": "Households waiting for social housing"},
            due_on=date(2026, 12, 31),
            last_observed_on=date(2025, 12, 31),
            every_months=12,
        )
        await service.send_event(new_event(due, source="/recommendations"), INDICATOR_EVENTS)

        async def reminded() -> None:
            items = await inbox_titles(service, bologna)
            assert len(items) == 1, items
            item = items[0]
            assert (item["kind"], item["title"]) == (
                "reminder",
                {"en": "Households waiting for social housing"},
            )
            assert item["facts"]["due_on"] == "2026-12-31"

        await eventually(reminded)
        assert await inbox_titles(service, neighbour) == []
