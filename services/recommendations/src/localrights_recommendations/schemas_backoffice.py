"""Request and response models for working through many recommendations at once: bulk
ownership, the values the filters offer, reminders, and imports followed as jobs."""

from __future__ import annotations

import datetime as dt
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from localrights_recommendations.schemas import ImportReport, RecommendationUpdate


class RecommendationBulkUpdate(RecommendationUpdate):
    """The same owner level and jurisdictions for many recommendations (all or none)."""

    model_config = ConfigDict(extra="forbid")

    ids: list[UUID] = Field(min_length=1, max_length=1000)


class BulkUpdateRead(BaseModel):
    updated: int


class FacetValue(BaseModel):
    value: str
    count: int


class RecommendationFacets(BaseModel):
    """The values present among the recommendations (of a country), with how many carry each."""

    total: int
    mechanisms: list[FacetValue]
    cycles: list[FacetValue]
    sessions: list[FacetValue]
    themes: list[FacetValue]
    sdg_targets: list[FacetValue]
    responses: list[FacetValue]
    owner_levels: list[FacetValue]


class ReminderCreate(BaseModel):
    """Whom to remind; by default every invited institution that has not answered everything."""

    model_config = ConfigDict(extra="forbid")

    institution_ids: list[UUID] | None = Field(default=None, max_length=5000)


class ReminderRead(BaseModel):
    reminded: list[UUID]
    sent_at: dt.datetime | None = Field(description="None when nobody was left to remind")


class ImportJobRead(BaseModel):
    """An import running in the background: rows read so far, then its report."""

    id: UUID
    status: Literal["running", "done", "failed"]
    source_format: str
    rows_read: int = Field(description="Data rows read so far")
    bytes_total: int
    started_at: dt.datetime
    updated_at: dt.datetime
    finished_at: dt.datetime | None
    report: ImportReport | None = Field(default=None, description="Once done")
    error: str | None = Field(default=None, description="Why it failed")
