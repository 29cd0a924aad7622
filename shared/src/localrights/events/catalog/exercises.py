"""Events of reporting exercises (topic ``exercise.events``, keyed by exercise)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

from pydantic import Field

from localrights.events.registry import EXERCISE_EVENTS, EventPayload, EventType, register

_EXERCISE = UUID("7e6d5c4b-3a29-4817-9605-f4e3d2c1b0a9")
_MINISTRY = UUID("1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d")
_CANELONES = UUID("2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e")


class ExerciseOpened(EventPayload):
    """A reporting exercise opened and asks the invited institutions for local input."""

    exercise_id: UUID
    ministry_institution_id: UUID
    title: str
    report_type: str = Field(
        description="upr_national_report | upr_midterm_report | "
        "treaty_body_report | vnr | vlr | other"
    )
    country: str
    mechanism: str | None = None
    deadline: date
    invited_institution_ids: list[UUID] = Field(default_factory=list)
    invited_jurisdictions: list[str] = Field(default_factory=list)
    recommendation_count: int
    opened_at: datetime


class ExerciseInputSubmitted(EventPayload):
    """An invited institution submitted (or revised) its input on one recommendation."""

    exercise_id: UUID
    input_id: UUID
    recommendation_id: UUID
    institution_id: UUID
    status: str = Field(description="not_started | in_progress | implemented | not_applicable")
    version: int
    submitted_at: datetime
    jurisdiction: str | None = Field(
        default=None, description="Jurisdiction of the institution when it submitted"
    )


class ExerciseClosed(EventPayload):
    """A reporting exercise stopped taking input."""

    exercise_id: UUID
    closed_at: datetime
    institutions_invited: int
    institutions_answered: int


class ExerciseReminderSent(EventPayload):
    """The ministry reminded the invited institutions that have not given input yet."""

    exercise_id: UUID
    ministry_institution_id: UUID
    title: str
    report_type: str = Field(
        description="upr_national_report | upr_midterm_report | "
        "treaty_body_report | vnr | vlr | other"
    )
    country: str
    mechanism: str | None = None
    deadline: date
    institution_ids: list[UUID] = Field(description="The institutions reminded")
    sent_at: datetime


EXERCISE_OPENED = register(
    EventType(
        type="exercise.opened",
        topic=EXERCISE_EVENTS,
        key="exercise_id",
        version=1,
        model=ExerciseOpened,
        producer="recommendations",
        description="A reporting exercise opened; invited institutions are asked for local input.",
        example=ExerciseOpened(
            exercise_id=_EXERCISE,
            ministry_institution_id=_MINISTRY,
            title="CERD periodic report: local input",
            report_type="treaty_body_report",
            country="UY",
            mechanism="CERD",
            deadline=date(2026, 5, 31),
            invited_institution_ids=[_CANELONES],
            invited_jurisdictions=["UY-CA"],
            recommendation_count=12,
            opened_at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        ),
    )
)

EXERCISE_INPUT_SUBMITTED = register(
    EventType(
        type="exercise.input_submitted",
        topic=EXERCISE_EVENTS,
        key="exercise_id",
        version=1,
        model=ExerciseInputSubmitted,
        producer="recommendations",
        description="An invited institution submitted or revised input on a recommendation.",
        example=ExerciseInputSubmitted(
            exercise_id=_EXERCISE,
            input_id=UUID("4d5e6f7a-8b9c-4d0e-8f1a-2b3c4d5e6f7a"),
            recommendation_id=UUID("9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"),
            institution_id=_CANELONES,
            status="in_progress",
            version=1,
            submitted_at=datetime(2026, 4, 10, 15, 30, tzinfo=UTC),
            jurisdiction="UY-CA",
        ),
    )
)

EXERCISE_CLOSED = register(
    EventType(
        type="exercise.closed",
        topic=EXERCISE_EVENTS,
        key="exercise_id",
        version=1,
        model=ExerciseClosed,
        producer="recommendations",
        description="A reporting exercise stopped taking input.",
        example=ExerciseClosed(
            exercise_id=_EXERCISE,
            closed_at=datetime(2026, 6, 1, 0, 0, tzinfo=UTC),
            institutions_invited=3,
            institutions_answered=2,
        ),
    )
)

EXERCISE_REMINDER_SENT = register(
    EventType(
        type="exercise.reminder_sent",
        topic=EXERCISE_EVENTS,
        key="exercise_id",
        version=1,
        model=ExerciseReminderSent,
        producer="recommendations",
        description="The ministry reminded invited institutions that have not answered yet.",
        example=ExerciseReminderSent(
            exercise_id=_EXERCISE,
            ministry_institution_id=_MINISTRY,
            title="CERD periodic report: local input",
            report_type="treaty_body_report",
            country="UY",
            mechanism="CERD",
            deadline=date(2026, 5, 31),
            institution_ids=[_CANELONES],
            sent_at=datetime(2026, 5, 20, 9, 0, tzinfo=UTC),
        ),
    )
)
