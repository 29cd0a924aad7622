"""Response models of the follow-up dashboards: a place, a country, a recommendation."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from pydantic import BaseModel, Field

from localrights_recommendations.follow_up_schemas import (
    CurrentStatusRead,
    IndicatorSeries,
    LinkStatus,
    RecommendationBrief,
    StatusCounts,
    StatusEntryRead,
)


class ReviewFigures(BaseModel):
    statuses: int = Field(description="(recommendation, institution) pairs with a status")
    validated: int
    pending: int
    returned: int
    carried_over: int = Field(description="Statuses shown from a confirmed earlier cycle")


class Breakdown(BaseModel):
    key: str = Field(description="A theme, an SDG goal number or a mechanism")
    counts: StatusCounts


class TimePoint(BaseModel):
    as_of: dt.date
    counts: StatusCounts


class InstitutionBrief(BaseModel):
    id: UUID
    name: str | None
    jurisdiction: str | None
    published: bool


class PlaceDashboard(BaseModel):
    place: str
    country: str
    public_only: bool = Field(description="Only what institutions publish is counted")
    institutions: list[InstitutionBrief]
    counts: StatusCounts
    figures: ReviewFigures
    by_theme: list[Breakdown]
    by_sdg_goal: list[Breakdown]
    by_mechanism: list[Breakdown]
    over_time: list[TimePoint]
    indicators: list[IndicatorSeries]


class PlaceRow(BaseModel):
    jurisdiction: str
    institutions: int
    recommendations: int = Field(description="Recommendations with a status here")
    coverage: float = Field(description="Their share of the recommendations in scope")
    counts: StatusCounts
    figures: ReviewFigures


class CountryDashboard(BaseModel):
    country: str
    cycle: int | None
    public_only: bool
    recommendations: int = Field(description="Recommendations in scope (of the cycle, if any)")
    recommendations_with_status: int
    coverage: float
    counts: StatusCounts
    figures: ReviewFigures
    places: list[PlaceRow]
    recurring: dict[LinkStatus, int]


class PlaceTimeline(BaseModel):
    jurisdiction: str
    institution_id: UUID
    institution_name: str | None
    current: CurrentStatusRead | None
    entries: list[StatusEntryRead] = Field(description="Oldest first, earlier cycles included")


class RecommendationTimeline(BaseModel):
    recommendation: RecommendationBrief
    public_only: bool
    earlier: list[RecommendationBrief] = Field(
        description="Earlier recommendations it repeats (confirmed), whose timeline continues here"
    )
    later: list[RecommendationBrief] = Field(description="Later ones confirmed to repeat it")
    places: list[PlaceTimeline]
    indicators: list[IndicatorSeries]
