"""Events of follow-up between reviews (topic ``follow_up.events``, keyed by recommendation).

The implementation status of a recommendation in a place is a timeline of entries: reported
by the place's institution (directly, or through its input to a reporting exercise) and
validated or returned by the country's ministry. Every new entry is a
``follow_up.status_changed``; a ministry sending a reported status back is a
``follow_up.status_returned``. Keyed by recommendation, so the entries of one
recommendation, in every place, stay in order.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

from pydantic import Field

from localrights.events.registry import FOLLOW_UP_EVENTS, EventPayload, EventType, register

STATUSES = "not_started | in_progress | partially_implemented | implemented | not_local_competence"
ORIGINS = "exercise_input | institution_update | ministry_validation"

_RECOMMENDATION = UUID("9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d")
_BOLOGNA = UUID("5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b")


class FollowUpStatusChanged(EventPayload):
    """A new entry in a recommendation's implementation timeline in one place."""

    entry_id: UUID
    recommendation_id: UUID
    institution_id: UUID = Field(description="The institution whose timeline this is")
    jurisdiction: str = Field(description="ISO 3166 code of the institution's place")
    country: str = Field(description="ISO 3166-1 alpha-2 of the recommendation's State")
    mechanism: str = Field(description="UPR, a treaty body code, or a special-procedure mandate")
    cycle: int | None = Field(default=None, description="UPR cycle, or the periodic report")
    themes: list[str] = Field(default_factory=list)
    status: str = Field(description=STATUSES)
    previous_status: str | None = Field(
        default=None, description="The status of the entry before this one of the same kind"
    )
    origin: str = Field(
        description=f"{ORIGINS}: reported (the first two) or validated by the ministry"
    )
    as_of: date = Field(description="The day the status describes")
    exercise_id: UUID | None = Field(
        default=None, description="The reporting exercise the input was given in"
    )
    validates_entry_id: UUID | None = Field(
        default=None, description="For a ministry validation: the reported entry it validates"
    )
    published: bool = Field(description="Whether the institution publishes its follow-up")
    recorded_at: datetime


class FollowUpStatusReturned(EventPayload):
    """A ministry sent a reported status back to its institution, saying why."""

    entry_id: UUID
    recommendation_id: UUID
    institution_id: UUID
    jurisdiction: str
    country: str
    mechanism: str
    status: str = Field(description=f"The status that was returned: {STATUSES}")
    comment: str = Field(description="The ministry's reason, for the institution to act on")
    published: bool
    returned_at: datetime


FOLLOW_UP_STATUS_CHANGED = register(
    EventType(
        type="follow_up.status_changed",
        topic=FOLLOW_UP_EVENTS,
        key="recommendation_id",
        version=1,
        model=FollowUpStatusChanged,
        producer="recommendations",
        description="A recommendation's implementation status in a place: a new entry, "
        "reported by the institution or validated by the ministry.",
        example=FollowUpStatusChanged(
            entry_id=UUID("0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"),
            recommendation_id=_RECOMMENDATION,
            institution_id=_BOLOGNA,
            jurisdiction="IT-BO",
            country="IT",
            mechanism="UPR",
            cycle=2,
            themes=["Right to housing"],
            status="partially_implemented",
            previous_status="in_progress",
            origin="exercise_input",
            as_of=date(2027, 3, 15),
            exercise_id=UUID("7e6d5c4b-3a29-4817-9605-f4e3d2c1b0a9"),
            published=True,
            recorded_at=datetime(2027, 3, 15, 10, 30, tzinfo=UTC),
        ),
    )
)

FOLLOW_UP_STATUS_RETURNED = register(
    EventType(
        type="follow_up.status_returned",
        topic=FOLLOW_UP_EVENTS,
        key="recommendation_id",
        version=1,
        model=FollowUpStatusReturned,
        producer="recommendations",
        description="A ministry returned a reported implementation status, with its reason.",
        example=FollowUpStatusReturned(
            entry_id=UUID("0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"),
            recommendation_id=_RECOMMENDATION,
            institution_id=_BOLOGNA,
            jurisdiction="IT-BO",
            country="IT",
            mechanism="UPR",
            status="implemented",
            comment="Only one district has the service so far: report it as partially "
            "implemented, with the districts' figures.",
            published=True,
            returned_at=datetime(2027, 4, 2, 9, 0, tzinfo=UTC),
        ),
    )
)
