"""Request and response models of what a publisher checks before anything goes out
(an alert's reach, a calendar's alerts) and of an institution's test delivery."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import BaseModel, Field


class ReachRead(BaseModel):
    """Who an alert reaches: live subscriptions that match it and the institutions behind them."""

    subscriptions: int
    institutions: int
    by_channel: dict[str, int] = Field(description="Subscriptions per channel: inbox, email...")


class AlertPreviewRead(BaseModel):
    reach: ReachRead
    reminders: list[date] = Field(
        description="Days on which subscribers will be reminded of the deadline"
    )


class CalendarAlert(BaseModel):
    """One alert of an imported calendar: what it says, who it reaches, when it reminds."""

    line: int = Field(description="Line (CSV, header is line 1) or event number (iCalendar)")
    alert: dict[str, object] = Field(description="The alert's fields, as POST /alerts takes them")
    alert_id: UUID | None = Field(default=None, description="Set once published")
    reach: ReachRead
    reminders: list[date]


class CalendarProblem(BaseModel):
    line: int
    reason: str


class CalendarImportRead(BaseModel):
    published: bool = Field(description="False for a dry run: nothing was published")
    alerts: list[CalendarAlert]
    rejected: list[CalendarProblem]


class MandateRead(BaseModel):
    code: str = Field(description="What alerts and subscriptions carry as the mechanism")
    name: dict[str, str] = Field(description="The mandate's title in en, fr and es")


class WebhookCheckRead(BaseModel):
    delivered: bool
    status_code: int | None
    error: str | None
    duration_ms: int
