"""Events of local human-rights indicators (topic ``indicator.events``, keyed by indicator).

An indicator (OHCHR's structural / process / outcome kinds, with its SDG target and global
indicator where it serves one) is observed in a place over time, with breakdowns by sex,
age, disability, urban or rural area and the like. Each observation is an
``indicator.observed``; when a place's next observation falls due the recommendations
service emits ``indicator.update_due`` once, which notifications turns into a reminder.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

from pydantic import Field

from localrights.events.registry import INDICATOR_EVENTS, EventPayload, EventType, register

_INDICATOR = UUID("3d4e5f6a-7b8c-4d9e-8f0a-1b2c3d4e5f6a")
_BOLOGNA = UUID("5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b")
_TITLE = {
    "en": "Households waiting for social housing",
    "it": "Nuclei familiari in attesa di un alloggio popolare",
}


class BreakdownValue(EventPayload):
    """The value of one group of one breakdown: sex "women", age "65+", area "rural"."""

    dimension: str = Field(description="sex | age | disability | urban_rural | migration | ...")
    group: str
    value: float


class IndicatorObserved(EventPayload):
    """A value of an indicator in a place, for a period (a correction raises the revision)."""

    indicator_id: UUID
    observation_id: UUID
    institution_id: UUID = Field(description="The institution that recorded the value")
    jurisdiction: str = Field(description="ISO 3166 code of the place observed")
    country: str
    title: dict[str, str] = Field(description="The indicator's name by language")
    unit: str
    kind: str = Field(description="structural | process | outcome (OHCHR framework)")
    sdg_target: str | None = None
    sdg_indicator: str | None = Field(default=None, description="Global SDG indicator code")
    observed_on: date = Field(description="The day the value describes (a period's end)")
    period: str | None = Field(default=None, description="The period as written: 2025, 2025-H1")
    value: float
    breakdown: list[BreakdownValue] = Field(default_factory=list)
    baseline: float | None = None
    target: float | None = None
    recommendation_ids: list[UUID] = Field(
        default_factory=list, description="The recommendations the indicator measures"
    )
    revision: int = Field(description="1 for a new value, +1 for each correction of it")
    published: bool = Field(description="Whether the institution publishes its follow-up")
    recorded_at: datetime


class IndicatorUpdateDue(EventPayload):
    """A place's next value of an indicator falls due (emitted once per place and due day)."""

    indicator_id: UUID
    institution_id: UUID = Field(description="The institution expected to record the value")
    jurisdiction: str
    country: str
    title: dict[str, str]
    due_on: date
    last_observed_on: date | None = None
    every_months: int = Field(description="How often the indicator is updated")


INDICATOR_OBSERVED = register(
    EventType(
        type="indicator.observed",
        topic=INDICATOR_EVENTS,
        key="indicator_id",
        version=1,
        model=IndicatorObserved,
        producer="recommendations",
        description="A local human-rights indicator was observed (or corrected) in a place.",
        example=IndicatorObserved(
            indicator_id=_INDICATOR,
            observation_id=UUID("6a7b8c9d-0e1f-4a2b-9c3d-4e5f6a7b8c9d"),
            institution_id=_BOLOGNA,
            jurisdiction="IT-BO",
            country="IT",
            title=_TITLE,
            unit="households",
            kind="outcome",
            sdg_target="11.1",
            sdg_indicator="11.1.1",
            observed_on=date(2026, 12, 31),
            period="2026",
            value=4120,
            breakdown=[
                BreakdownValue(dimension="sex", group="women", value=2470),
                BreakdownValue(dimension="sex", group="men", value=1650),
            ],
            baseline=4800,
            target=3000,
            recommendation_ids=[UUID("9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d")],
            revision=1,
            published=True,
            recorded_at=datetime(2027, 2, 1, 11, 0, tzinfo=UTC),
        ),
    )
)

INDICATOR_UPDATE_DUE = register(
    EventType(
        type="indicator.update_due",
        topic=INDICATOR_EVENTS,
        key="indicator_id",
        version=1,
        model=IndicatorUpdateDue,
        producer="recommendations",
        description="A place's next value of a local indicator falls due.",
        example=IndicatorUpdateDue(
            indicator_id=_INDICATOR,
            institution_id=_BOLOGNA,
            jurisdiction="IT-BO",
            country="IT",
            title=_TITLE,
            due_on=date(2027, 12, 31),
            last_observed_on=date(2026, 12, 31),
            every_months=12,
        ),
    )
)
