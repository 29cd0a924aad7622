"""Request and response models of follow-up: statuses, recurrence, indicators, dashboards."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Annotated, Literal
from uuid import UUID

from pydantic import (
    AnyHttpUrl,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StrictBool,
    StringConstraints,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic.config import JsonDict

from localrights_recommendations.domain import sdg
from localrights_recommendations.domain.indicators import BREAKDOWN_NAME, SDG_INDICATOR

FollowUpStatusValue = Literal[
    "not_started", "in_progress", "partially_implemented", "implemented", "not_local_competence"
]
Origin = Literal["exercise_input", "institution_update", "ministry_validation"]
Review = Literal["pending", "validated", "returned"]
IndicatorKind = Literal["structural", "process", "outcome"]
LinkStatus = Literal["suggested", "confirmed", "rejected"]
StatusCounts = dict[str, int]

_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


def _written_day(value: object) -> object:
    """A day comes as the text 2026-12-31, never as a number (which lax mode would read)."""
    if not isinstance(value, str | dt.date):
        raise ValueError("write the day as year-month-day, for example 2026-12-31")
    return value


def _not_text_nor_truth(value: object) -> object:
    """A whole number comes as a number (2030 or 2030.0), never as "2030" nor true."""
    if isinstance(value, bool | str):
        raise ValueError("must be a whole number")
    return value


# What the JSON schema says is what is accepted: no true for 1, no "3" for 3, no 0 for a day.
Number = Annotated[float, Strict()]
# (Constraints before the validator: after it, the JSON schema would carry them untranslated.)
Year = Annotated[int, Field(ge=1950, le=2100), BeforeValidator(_not_text_nor_truth)]
Months = Annotated[int, Field(ge=1, le=60), BeforeValidator(_not_text_nor_truth)]
SdgTargetCode = Annotated[str, WithJsonSchema({"type": "string", "enum": list(sdg.targets())})]
Day = Annotated[dt.date, BeforeValidator(_written_day)]
LanguageCode = Annotated[str, StringConstraints(pattern=_LANGUAGE.pattern)]
NameText = Annotated[str, StringConstraints(min_length=1, max_length=300, pattern=r"\S")]
Names = dict[LanguageCode, NameText]
BreakdownName = Annotated[str, StringConstraints(pattern=BREAKDOWN_NAME.pattern)]
SdgIndicatorCode = Annotated[str, StringConstraints(pattern=SDG_INDICATOR.pattern)]
_ONLY_LANGUAGE_CODES: JsonDict = {"additionalProperties": False}


class StatusUpdate(BaseModel):
    """An institution's own update of where a recommendation stands in its place."""

    model_config = ConfigDict(extra="forbid")

    recommendation_id: UUID
    status: FollowUpStatusValue
    as_of: Day | None = Field(default=None, description="The day it describes; today if none")
    measures: str | None = Field(default=None, max_length=20_000)
    evidence_links: list[AnyHttpUrl] = Field(default_factory=list, max_length=50)
    responsible_body: str | None = Field(
        default=None, max_length=300, examples=["Housing department, Comune di Bologna"]
    )

    @field_validator("as_of")
    @classmethod
    def _not_in_the_future(cls, value: dt.date | None) -> dt.date | None:
        if value is not None and value > dt.date.today() + dt.timedelta(days=1):
            raise ValueError("a status describes a day that has come (as_of is in the future)")
        return value


class StatusReturn(BaseModel):
    """Why a ministry sends a reported status back."""

    model_config = ConfigDict(extra="forbid")

    comment: str = Field(min_length=3, max_length=5_000)


class StatusValidation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    comment: str | None = Field(default=None, max_length=5_000)


class StatusEntryRead(BaseModel):
    id: UUID
    recommendation_id: UUID
    institution_id: UUID
    institution_name: str | None = None
    recommendation_text: str | None = Field(
        default=None, description="Given where entries of many recommendations are listed"
    )
    jurisdiction: str
    status: FollowUpStatusValue
    as_of: dt.date
    measures: str | None
    evidence_links: list[str]
    responsible_body: str | None
    origin: Origin
    exercise_id: UUID | None
    validates_entry_id: UUID | None
    review: Review | None
    review_comment: str | None
    reviewed_at: dt.datetime | None
    recorded_at: dt.datetime


class StatusEntryPage(BaseModel):
    items: list[StatusEntryRead]
    total: int


class CurrentStatusRead(BaseModel):
    recommendation_id: UUID
    institution_id: UUID
    institution_name: str | None = None
    jurisdiction: str
    reported_status: FollowUpStatusValue | None
    reported_as_of: dt.date | None
    review: Review | None
    validated_status: FollowUpStatusValue | None
    validated_as_of: dt.date | None
    carried_from: UUID | None = Field(
        description="The earlier recommendation whose status this is, when it has none of its own"
    )


class PublicationUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    published: StrictBool


class PublicationRead(BaseModel):
    institution_id: UUID
    published: bool
    changed_at: dt.datetime | None


class RecommendationBrief(BaseModel):
    id: UUID
    country: str
    mechanism: str
    cycle: int | None
    session: str | None
    document_symbol: str | None
    paragraph: str | None
    text: str
    recommending_states: list[str]
    response: str | None
    themes: list[str]


class RecurrenceLinkRead(BaseModel):
    id: UUID
    earlier: RecommendationBrief
    later: RecommendationBrief
    score: float
    similarity: float
    reasons: list[str]
    status: LinkStatus
    decided_at: dt.datetime | None


class RecurrencePage(BaseModel):
    items: list[RecurrenceLinkRead]
    total: int


def _names(value: dict[str, str]) -> dict[str, str]:
    if not value:
        raise ValueError("give the indicator's name in at least one language")
    for language, text in value.items():
        if not _LANGUAGE.match(language):
            raise ValueError(f"{language!r} is not a language code such as en, fr, it")
        if not 1 <= len(text.strip()) <= 300:
            raise ValueError(f"the {language} name must have 1 to 300 characters")
    return {language: text.strip() for language, text in value.items()}


class IndicatorFields(BaseModel):
    """What may change in an indicator after it is defined."""

    model_config = ConfigDict(extra="forbid")

    name: Names | None = Field(
        default=None, min_length=1, max_length=10, json_schema_extra=_ONLY_LANGUAGE_CODES
    )
    baseline_value: Number | None = None
    baseline_year: Year | None = None
    target_value: Number | None = None
    target_year: Year | None = None
    source: str | None = Field(default=None, max_length=500)
    update_every_months: Months | None = None
    recommendation_ids: list[UUID] | None = Field(default=None, max_length=200)

    @field_validator("name")
    @classmethod
    def _valid_names(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        return None if value is None else _names(value)

    @field_validator("baseline_value", "target_value")
    @classmethod
    def _finite(cls, value: float | None) -> float | None:
        if value is not None and not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value


class IndicatorCreate(IndicatorFields):
    """A local indicator: what is measured, how, against which baseline and target."""

    name: Names = Field(
        min_length=1,
        max_length=10,
        examples=[{"en": "Households waiting for social housing"}],
        json_schema_extra=_ONLY_LANGUAGE_CODES,
    )
    unit: str = Field(min_length=1, max_length=60, examples=["households", "%"])
    kind: IndicatorKind
    sdg_target: SdgTargetCode | None = Field(default=None, examples=["11.1"])
    sdg_indicator: SdgIndicatorCode | None = Field(default=None, examples=["11.1.1"])
    breakdowns: list[BreakdownName] = Field(default_factory=list, max_length=10, examples=[["sex"]])
    recommendation_ids: list[UUID] = Field(default_factory=list, max_length=200)

    @field_validator("sdg_target")
    @classmethod
    def _target(cls, value: str | None) -> str | None:
        if value is None:
            return None
        code = sdg.target_code(value)
        if code is None or not sdg.is_target(code):
            raise ValueError(f"{value!r} is not one of the 169 SDG targets (e.g. 11.1, 16.b)")
        return code

    @field_validator("sdg_indicator")
    @classmethod
    def _indicator(cls, value: str | None) -> str | None:
        if value is not None and not SDG_INDICATOR.match(value):
            raise ValueError(f"{value!r} is not a global SDG indicator code (e.g. 11.1.1)")
        return value

    @field_validator("breakdowns")
    @classmethod
    def _breakdowns(cls, value: list[str]) -> list[str]:
        for name in value:
            if not BREAKDOWN_NAME.match(name):
                raise ValueError(f"{name!r} is not a breakdown name such as sex, age, disability")
        return list(dict.fromkeys(value))

    @model_validator(mode="after")
    def _target_serves_indicator(self) -> IndicatorCreate:
        if self.sdg_indicator and self.sdg_target:
            if not self.sdg_indicator.startswith(f"{self.sdg_target}."):
                raise ValueError(
                    f"SDG indicator {self.sdg_indicator} does not belong to target "
                    f"{self.sdg_target}"
                )
        return self


class IndicatorRead(BaseModel):
    id: UUID
    institution_id: UUID
    country: str
    jurisdiction: str
    name: dict[str, str]
    unit: str
    kind: IndicatorKind
    sdg_target: str | None
    sdg_indicator: str | None
    breakdowns: list[str]
    baseline_value: float | None
    baseline_year: int | None
    target_value: float | None
    target_year: int | None
    source: str | None
    update_every_months: int | None
    recommendation_ids: list[UUID]
    created_at: dt.datetime


class BreakdownValue(BaseModel):
    dimension: str = Field(min_length=1, max_length=40, examples=["sex"])
    group: str = Field(min_length=1, max_length=100, examples=["women"])
    value: Number

    @field_validator("value")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value


class ObservationCreate(BaseModel):
    """A value of the indicator in the caller's place for a period (sent again: corrected)."""

    model_config = ConfigDict(extra="forbid")

    observed_on: Day = Field(description="The day the value describes (a period's end)")
    period: str | None = Field(default=None, max_length=40, examples=["2026", "2026-H1"])
    value: Number
    breakdown: list[BreakdownValue] = Field(default_factory=list, max_length=200)
    note: str | None = Field(default=None, max_length=2_000)

    @field_validator("value")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value


class ObservationRead(BaseModel):
    id: UUID
    indicator_id: UUID
    institution_id: UUID
    jurisdiction: str
    observed_on: dt.date
    period: str | None
    value: float
    breakdown: list[BreakdownValue]
    note: str | None
    revision: int
    recorded_at: dt.datetime


class IndicatorSeries(BaseModel):
    """An indicator with its values in one place, oldest first, and how far they have come."""

    indicator: IndicatorRead
    jurisdiction: str
    observations: list[ObservationRead]
    progress: float | None = Field(description="Latest value's way from baseline (0) to target (1)")
