"""Request and response models of the consultation API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from localrights.schemas import Page
from localrights_consultation.domain.questions import Question


class ConsultationCreate(BaseModel):
    """A new consultation; it starts as a draft of the caller's institution."""

    model_config = ConfigDict(extra="forbid")

    title: dict[str, str] = Field(min_length=1, description='By language: {"en": ..., "fr": ...}')
    description: dict[str, str] = Field(default_factory=dict)
    jurisdiction: str = Field(
        pattern=r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$",
        description="ISO 3166-1 alpha-2 country or ISO 3166-2 subdivision code",
    )
    country: str | None = Field(
        default=None, pattern=r"^[A-Z]{2}$", description="Taken from the jurisdiction if left out"
    )
    municipality: str | None = Field(default=None, max_length=200)
    opens_at: datetime
    closes_at: datetime
    participation_mode: Literal["open", "code"] = "open"
    recommendation_ids: list[UUID] = Field(default_factory=list, max_length=500)
    sdg_targets: list[str] = Field(default_factory=list, max_length=50)
    topics: list[str] = Field(
        default_factory=list,
        max_length=10,
        description="What it is about, for residents' search: housing, health, education, "
        "water_sanitation, safety, environment, transport, work, equality, disability, "
        "children_youth, older_persons, migration, culture, participation, public_budget",
    )
    exercise_id: UUID | None = None
    questions: list[Question] = Field(min_length=1, max_length=200)


class ConsultationUpdate(BaseModel):
    """A draft's fields to change; the draft is checked again as a whole."""

    model_config = ConfigDict(extra="forbid")

    title: dict[str, str] | None = Field(default=None, min_length=1)
    description: dict[str, str] | None = None
    jurisdiction: str | None = Field(default=None, pattern=r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")
    municipality: str | None = Field(default=None, max_length=200)
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    participation_mode: Literal["open", "code"] | None = None
    recommendation_ids: list[UUID] | None = Field(default=None, max_length=500)
    sdg_targets: list[str] | None = Field(default=None, max_length=50)
    topics: list[str] | None = Field(default=None, max_length=10)
    exercise_id: UUID | None = None
    questions: list[Question] | None = Field(default=None, min_length=1, max_length=200)


class ConsultationRead(BaseModel):
    id: UUID
    institution_id: UUID
    country: str
    jurisdiction: str
    municipality: str | None
    title: dict[str, str]
    description: dict[str, str]
    languages: list[str]
    status: str
    accepting_responses: bool = Field(description="Open and between opens_at and closes_at")
    participation_mode: str
    opens_at: datetime
    closes_at: datetime
    opened_at: datetime | None
    closed_at: datetime | None
    published_at: datetime | None
    recommendation_ids: list[UUID]
    sdg_targets: list[str]
    topics: list[str]
    what_happens_next: dict[str, str] = Field(
        description="By language: what the institution will do with the results (on publishing)"
    )
    exercise_id: UUID | None
    questions: list[Question]


class ConsultationPage(Page[ConsultationRead]):
    pass  # its own name in the OpenAPI document


class ConsultationPublish(BaseModel):
    """What the institution tells residents when it publishes the results (all optional)."""

    model_config = ConfigDict(extra="forbid")

    what_happens_next: dict[str, str] = Field(
        default_factory=dict,
        description='By language, among the consultation\'s: {"en": "The council votes on '
        'the plan in March ..."}',
    )


class CodesCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    count: int = Field(ge=1, le=100_000)


class CodesRead(BaseModel):
    """Codes as made: shown this once, never again (only their hashes are kept)."""

    consultation_id: UUID
    count: int
    codes: list[str]


class ResponseCreate(BaseModel):
    """A resident's answers, keyed by question id; leave a question out to skip it."""

    model_config = ConfigDict(extra="forbid")

    answers: dict[str, Any] = Field(
        description="single_choice: option id; multiple_choice/ranking: list of option ids; "
        "rating: integer; free_text: string; budget: {project id: amount}"
    )
    language: str | None = Field(default=None, max_length=20)
    code: str | None = Field(default=None, max_length=40, description="Code-mode consultations")


class ResponseRead(BaseModel):
    id: UUID
    consultation_id: UUID
    submitted_at: datetime


class ResultsRead(BaseModel):
    consultation_id: UUID
    status: str
    suppression_threshold: int
    response_count: int
    by: str | None
    overall: dict[str, Any]
    groups: list[dict[str, Any]]
