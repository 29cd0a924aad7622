"""Events of the consultation service (topic ``consultation.events``, keyed by consultation)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from pydantic import Field

from localrights.events.registry import CONSULTATION_EVENTS, EventPayload, EventType, register

_CONSULTATION = UUID("5b7f2c1e-8a43-4f0e-9d7a-1c2b3d4e5f60")
_INSTITUTION = UUID("0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9")


class ConsultationOpened(EventPayload):
    """A consultation started taking responses."""

    consultation_id: UUID
    institution_id: UUID
    country: str = Field(description="ISO 3166-1 alpha-2")
    jurisdiction: str = Field(description="ISO 3166-1 alpha-2 or ISO 3166-2 code")
    municipality: str | None = None
    title: dict[str, str] = Field(description="Title by language code")
    participation_mode: str = Field(description="open | code")
    opens_at: datetime
    closes_at: datetime
    languages: list[str] = Field(default_factory=list)
    sdg_targets: list[str] = Field(default_factory=list)
    recommendation_ids: list[UUID] = Field(default_factory=list)
    exercise_id: UUID | None = None


class ConsultationClosed(EventPayload):
    """A consultation stopped taking responses (by its owner or at its closing time)."""

    consultation_id: UUID
    institution_id: UUID
    closed_at: datetime
    response_count: int
    closed_by_schedule: bool = Field(
        default=False, description="True when it closed by itself at its closing time"
    )


class ConsultationResultsPublished(EventPayload):
    """A consultation's results became public; the summary holds aggregates only."""

    consultation_id: UUID
    institution_id: UUID
    country: str
    jurisdiction: str
    title: dict[str, str]
    published_at: datetime
    response_count: int
    suppression_threshold: int
    recommendation_ids: list[UUID] = Field(default_factory=list)
    sdg_targets: list[str] = Field(default_factory=list)
    exercise_id: UUID | None = None
    summary: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Per question: id, type, title and aggregates with small groups suppressed",
    )
    breakdowns: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Per demographic question: the same aggregates per group; groups under "
        "the suppression threshold are merged into one 'suppressed' group",
    )
    what_happens_next: dict[str, str] = Field(
        default_factory=dict,
        description="By language: what the institution says it will do with the results",
    )


_T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
_T1 = datetime(2026, 3, 31, 22, 0, tzinfo=UTC)

CONSULTATION_OPENED = register(
    EventType(
        type="consultation.opened",
        topic=CONSULTATION_EVENTS,
        key="consultation_id",
        version=1,
        model=ConsultationOpened,
        producer="consultation",
        description="A consultation started taking responses from residents.",
        example=ConsultationOpened(
            consultation_id=_CONSULTATION,
            institution_id=_INSTITUTION,
            country="ID",
            jurisdiction="ID-JT",
            municipality="Wonosobo",
            title={
                "en": "Housing and participation in Wonosobo",
                "id": "Perumahan dan partisipasi",
            },
            participation_mode="open",
            opens_at=_T0,
            closes_at=_T1,
            languages=["en", "id"],
            sdg_targets=["11.1", "16.7"],
        ),
    )
)

CONSULTATION_CLOSED = register(
    EventType(
        type="consultation.closed",
        topic=CONSULTATION_EVENTS,
        key="consultation_id",
        version=1,
        model=ConsultationClosed,
        producer="consultation",
        description="A consultation stopped taking responses.",
        example=ConsultationClosed(
            consultation_id=_CONSULTATION,
            institution_id=_INSTITUTION,
            closed_at=_T1,
            response_count=200,
        ),
    )
)

CONSULTATION_RESULTS_PUBLISHED = register(
    EventType(
        type="consultation.results_published",
        topic=CONSULTATION_EVENTS,
        key="consultation_id",
        version=1,
        model=ConsultationResultsPublished,
        producer="consultation",
        description="A consultation's results were published, with an aggregate summary.",
        example=ConsultationResultsPublished(
            consultation_id=_CONSULTATION,
            institution_id=_INSTITUTION,
            country="ID",
            jurisdiction="ID-JT",
            title={"en": "Housing and participation in Wonosobo"},
            published_at=datetime(2026, 4, 5, 9, 0, tzinfo=UTC),
            response_count=200,
            suppression_threshold=5,
            sdg_targets=["11.1", "16.7"],
            recommendation_ids=[UUID("9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d")],
            what_happens_next={
                "en": "The regency council discusses the results at its May session."
            },
            summary=[
                {
                    "question_id": "q1",
                    "type": "single_choice",
                    "title": {"en": "Is housing affordable where you live?"},
                    "responses": 200,
                    "options": [
                        {"id": "yes", "count": 46, "share": 0.23},
                        {"id": "no", "count": 154, "share": 0.77},
                    ],
                }
            ],
        ),
    )
)
