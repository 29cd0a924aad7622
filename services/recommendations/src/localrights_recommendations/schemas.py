"""Request and response models of the recommendations API."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal
from uuid import UUID

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, field_validator, model_validator

from localrights_recommendations.domain import sdg
from localrights_recommendations.domain.countries import is_country_code

OwnerLevel = Literal["national", "regional", "local", "shared"]
MechanismType = Literal["upr", "treaty_body", "special_procedure"]
Response = Literal["supported", "supported_in_part", "noted"]
ReportType = Literal[
    "upr_national_report", "upr_midterm_report", "treaty_body_report", "vnr", "vlr", "other"
]
InputStatus = Literal[
    "not_started", "in_progress", "partially_implemented", "implemented", "not_applicable"
]
SourceFormat = Literal["auto", "uhri_csv", "uhri_json", "upr_info_csv"]

COUNTRY = r"^[A-Z]{2}$"
JURISDICTION = r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$"


def _sdg_target(value: str) -> str:
    code = sdg.target_code(value)
    if code is None or not sdg.is_target(code):
        raise ValueError(f"{value!r} is not one of the 169 SDG targets (e.g. 11.1, 16.b)")
    return code


def _jurisdiction_codes(values: list[str]) -> list[str]:
    for code in values:
        if not re.match(JURISDICTION, code):
            raise ValueError(f"{code!r} is not an ISO 3166 country or subdivision code")
    return list(dict.fromkeys(values))


def _country(value: str) -> str:
    if not is_country_code(value):
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code")
    return value


class RecommendationRead(BaseModel):
    id: UUID
    source: str
    mechanism_type: MechanismType
    mechanism: str
    country: str
    cycle: int | None
    session: str | None
    recommending_states: list[str]
    response: Response | None
    action_category: int | None = Field(description="UPR Info action category 1-5")
    document_symbol: str | None
    paragraph: str | None
    text: str
    date: dt.date | None
    themes: list[str]
    affected_groups: list[str]
    sdg_targets: list[str]
    owner_level: OwnerLevel
    jurisdictions: list[str]
    created_at: dt.datetime
    updated_at: dt.datetime


class RecommendationUpdate(BaseModel):
    """Which level of government owns a recommendation and, below national, where."""

    model_config = ConfigDict(extra="forbid")

    owner_level: OwnerLevel | None = None
    jurisdictions: list[str] | None = Field(default=None, max_length=200)

    @field_validator("jurisdictions")
    @classmethod
    def _codes(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _jurisdiction_codes(value)


class RecommendationFilter(BaseModel):
    """What to search for; every field narrows the result (AND)."""

    model_config = ConfigDict(extra="forbid")

    q: str | None = Field(default=None, max_length=500, description="Full-text query")
    country: str | None = Field(default=None, pattern=COUNTRY)
    mechanism: str | None = Field(default=None, max_length=200, examples=["UPR", "CEDAW"])
    mechanism_type: MechanismType | None = None
    theme: str | None = Field(default=None, max_length=300)
    sdg_target: str | None = None
    affected_group: str | None = Field(default=None, max_length=300)
    owner_level: OwnerLevel | None = None
    jurisdiction: str | None = Field(default=None, pattern=JURISDICTION)
    response: Response | None = None
    session: str | None = Field(default=None, max_length=10)
    cycle: int | None = Field(default=None, ge=1, le=99, description="UPR cycle")
    sdg_goal: int | None = Field(default=None, ge=1, le=17, description="Any target of this SDG")
    recommending_state: str | None = Field(default=None, pattern=COUNTRY)

    @field_validator("sdg_target")
    @classmethod
    def _target(cls, value: str | None) -> str | None:
        return None if value is None else _sdg_target(value)


class RecommendationQuery(RecommendationFilter):
    """The filter as query parameters (beside page and page_size)."""

    model_config = ConfigDict(extra="ignore")


class RecommendationPage(BaseModel):
    items: list[RecommendationRead]
    total: int
    page: int
    page_size: int


class RowProblem(BaseModel):
    line: int = Field(description="Line of the upload where the row starts (header is line 1)")
    reason: str


class RowWarning(BaseModel):
    line: int
    message: str


class ImportReport(BaseModel):
    """What an import did with every row of the upload."""

    import_id: UUID
    source_format: str
    rows: int = Field(description="Data rows read (header excluded)")
    created: int
    updated: int
    unchanged: int
    rejected: int
    rejected_rows: list[RowProblem]
    rejected_rows_truncated: bool = False
    warnings: list[RowWarning]
    warnings_count: int
    unknown_countries: dict[str, int]
    decoded_lines: dict[str, int] = Field(description="Lines decoded per character encoding")
    encoding: str = Field(
        description="The character encoding read: utf-8, utf-16-le, utf-16-be, utf-32-le, "
        "utf-32-be or the one named; line by line (encoding=auto), the one most lines were in"
    )
    byte_order_mark: bool = Field(description="Whether the upload began with a byte order mark")
    separator: Literal["comma", "tab", "semicolon"] | None = Field(
        description="The CSV field separator, found in the header row (none for JSON)"
    )
    countries: list[str]
    mechanisms: list[str]


class SdgTargetRead(BaseModel):
    code: str
    goal: int
    title: str


class SdgGoalRead(BaseModel):
    number: int
    short: str
    title: str


class ExerciseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    report_type: ReportType
    country: str = Field(pattern=COUNTRY)
    mechanism: str | None = Field(default=None, max_length=200)
    title: str = Field(min_length=3, max_length=300)
    description: str | None = Field(default=None, max_length=10_000)
    deadline: dt.date
    recommendation_ids: list[UUID] = Field(default_factory=list, max_length=5000)
    filter: RecommendationFilter | None = Field(
        default=None, description="Select every recommendation that matches (within the country)"
    )
    invited_institution_ids: list[UUID] = Field(default_factory=list, max_length=5000)
    invited_jurisdictions: list[str] = Field(default_factory=list, max_length=500)

    @field_validator("country")
    @classmethod
    def _known_country(cls, value: str) -> str:
        return _country(value)

    @field_validator("invited_jurisdictions")
    @classmethod
    def _jurisdictions(cls, value: list[str]) -> list[str]:
        return _jurisdiction_codes(value)

    @model_validator(mode="after")
    def _selection_and_invitees(self) -> ExerciseCreate:
        if not self.recommendation_ids and self.filter is None:
            raise ValueError("select recommendations by recommendation_ids or by a filter")
        if not self.invited_institution_ids and not self.invited_jurisdictions:
            raise ValueError("invite institutions by id or by jurisdiction")
        return self


class ExerciseRead(BaseModel):
    id: UUID
    ministry_institution_id: UUID | None
    report_type: ReportType
    country: str
    mechanism: str | None
    title: str
    description: str | None
    deadline: dt.date
    status: Literal["draft", "open", "closed"]
    invited_institution_ids: list[UUID]
    invited_jurisdictions: list[str]
    recommendation_ids: list[UUID]
    recommendation_count: int
    opened_at: dt.datetime | None
    closed_at: dt.datetime | None
    created_at: dt.datetime


class DisaggregatedValue(BaseModel):
    group: str = Field(min_length=1, max_length=200, examples=["women", "15-24", "Roma"])
    dimension: str | None = Field(default=None, max_length=100, examples=["sex", "age"])
    value: float | str


class Indicator(BaseModel):
    name: str = Field(min_length=1, max_length=500)
    value: float | str | None = None
    unit: str | None = Field(default=None, max_length=100)
    period: str | None = Field(default=None, max_length=100, examples=["2025", "2024-Q3"])
    disaggregation: list[DisaggregatedValue] = Field(default_factory=list, max_length=100)


class LocalInputCreate(BaseModel):
    """An institution's input on one recommendation (a new version if it already answered)."""

    model_config = ConfigDict(extra="forbid")

    recommendation_id: UUID
    status: InputStatus
    measures_taken: str | None = Field(default=None, max_length=20_000)
    indicators: list[Indicator] = Field(default_factory=list, max_length=100)
    good_practice: str | None = Field(default=None, max_length=20_000)
    challenges: str | None = Field(default=None, max_length=20_000)
    evidence_links: list[AnyHttpUrl] = Field(default_factory=list, max_length=50)
    consultation_id: UUID | None = None
    as_of: dt.date | None = Field(
        default=None,
        description="The day the status describes (a report's reference date); "
        "the day of submission if none",
    )

    @field_validator("as_of")
    @classmethod
    def _as_of_has_come(cls, value: dt.date | None) -> dt.date | None:
        if value is not None and value > dt.date.today() + dt.timedelta(days=1):
            raise ValueError("a status describes a day that has come (as_of is in the future)")
        return value


class ConsultationResultsRead(BaseModel):
    consultation_id: UUID
    institution_id: UUID
    jurisdiction: str
    title: dict[str, str]
    published_at: dt.datetime
    response_count: int
    suppression_threshold: int
    summary: list[dict[str, Any]]


class LocalInputRead(BaseModel):
    id: UUID
    exercise_id: UUID
    recommendation_id: UUID
    institution_id: UUID
    jurisdiction: str | None
    status: InputStatus
    measures_taken: str | None
    indicators: list[Indicator]
    good_practice: str | None
    challenges: str | None
    evidence_links: list[str]
    consultation_id: UUID | None
    consultation_results: ConsultationResultsRead | None = Field(
        default=None, description="Attached when the consultation's results are published"
    )
    version: int
    submitted_at: dt.datetime


class LocalInputVersionRead(BaseModel):
    version: int
    content: dict[str, Any]
    submitted_by: str
    submitted_at: dt.datetime
