"""Request and response models of the notifications API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import (
    MISSING,
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from localrights.schemas import Page
from localrights_notifications import domain

AlertKind = Literal[
    "upr_review", "treaty_body_review", "country_visit", "call_for_input", "deadline"
]
Channel = Literal["webhook", "email", "inbox"]
Mode = Literal["immediate", "daily_digest"]
SubscriptionStatus = Literal["active", "disabled"]
# Shape only: the SMTP server is the judge of an address.
EMAIL_PATTERN = r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$"


class _AlertFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("country", check_fields=False)
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        return None if value is None else domain.check_country(value)

    @field_validator("mechanism", check_fields=False)
    @classmethod
    def _mechanism(cls, value: str | None) -> str | None:
        return None if value is None else domain.check_mechanism(value)

    @field_validator("title", check_fields=False)
    @classmethod
    def _title(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        return None if value is None else domain.check_texts(value, required=True)

    @field_validator("body", "how_to_take_part", check_fields=False)
    @classmethod
    def _texts(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        return None if value is None else domain.check_texts(value, required=False)

    @field_validator("themes", check_fields=False)
    @classmethod
    def _themes(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else sorted({domain.check_theme(t) for t in value})

    @field_validator("jurisdictions", check_fields=False)
    @classmethod
    def _jurisdictions(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else sorted({domain.check_jurisdiction(j) for j in value})


class AlertCreate(_AlertFields):
    kind: AlertKind
    country: str = Field(description="ISO 3166-1 alpha-2", examples=["UY"])
    mechanism: str = Field(
        description="UPR, a treaty-body code or a special-procedure mandate name",
        examples=["CERD", "SR on adequate housing"],
    )
    stage: str | None = Field(
        default=None,
        validate_default=True,
        description="treaty_body_review: list_of_issues | dialogue | concluding_observations | "
        "follow_up; country_visit: announced | ongoing | end_of_visit | report",
    )
    title: dict[str, str] = Field(description="Title by language code", examples=[{"en": "..."}])
    body: dict[str, str] = Field(default_factory=dict)
    how_to_take_part: dict[str, str] = Field(default_factory=dict)
    starts_on: date | None = None
    ends_on: date | None = None
    deadline: date | None = Field(default=None, validate_default=True)
    themes: list[str] = Field(default_factory=list, max_length=50)
    jurisdictions: list[str] = Field(default_factory=list, max_length=200)
    source_url: AnyHttpUrl | None = None

    @field_validator("stage")
    @classmethod
    def _stage(cls, value: str | None, info: ValidationInfo) -> str | None:
        kind = info.data.get("kind")
        if kind is not None:
            domain.check_kind_and_stage(kind, value)
        return value

    @field_validator("ends_on")
    @classmethod
    def _ends_after_start(cls, value: date | None, info: ValidationInfo) -> date | None:
        starts_on = info.data.get("starts_on")
        if value is not None and starts_on is None:
            raise ValueError("ends_on needs starts_on")
        if value is not None and starts_on is not None and value < starts_on:
            raise ValueError(f"ends_on ({value}) is before starts_on ({starts_on})")
        return value

    @field_validator("deadline")
    @classmethod
    def _deadline_for_kind(cls, value: date | None, info: ValidationInfo) -> date | None:
        if value is None and info.data.get("kind") in ("deadline", "call_for_input"):
            raise ValueError(f"a {info.data['kind']} alert needs a deadline")
        return value

    @field_validator("jurisdictions")
    @classmethod
    def _jurisdictions_in_country(cls, value: list[str], info: ValidationInfo) -> list[str]:
        country = info.data.get("country")
        value = sorted({domain.check_jurisdiction(j) for j in value})
        outside = [j for j in value if country and j.split("-")[0] != country]
        if outside:
            raise ValueError(f"{', '.join(outside)} not in {country}")
        return value


class AlertUpdate(_AlertFields):
    """Fields to change; the result is validated as a whole (stage for kind, dates)."""

    kind: AlertKind | None = None
    country: str | None = None
    mechanism: str | None = None
    stage: str | None = None
    title: dict[str, str] | None = None
    body: dict[str, str] | None = None
    how_to_take_part: dict[str, str] | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    deadline: date | None = None
    themes: list[str] | None = None
    jurisdictions: list[str] | None = None
    source_url: AnyHttpUrl | None = None


class AlertRead(BaseModel):
    id: UUID
    kind: str
    stage: str | None
    status: str
    revision: int
    country: str
    mechanism: str
    title: dict[str, str]
    body: dict[str, str]
    how_to_take_part: dict[str, str]
    starts_on: date | None
    ends_on: date | None
    deadline: date | None
    themes: list[str]
    jurisdictions: list[str]
    source_url: str | None
    published_at: datetime
    updated_at: datetime


class _SubscriptionFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("countries", check_fields=False)
    @classmethod
    def _countries(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else sorted({domain.check_country(c) for c in value})

    @field_validator("mechanisms", check_fields=False)
    @classmethod
    def _mechanisms(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else sorted({domain.check_mechanism(m) for m in value})

    @field_validator("kinds", check_fields=False)
    @classmethod
    def _kinds(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        unknown = sorted(set(value) - set(domain.NOTIFICATION_KINDS))
        if unknown:
            raise ValueError(
                f"unknown kinds {', '.join(unknown)}; use {', '.join(domain.NOTIFICATION_KINDS)}"
            )
        return sorted(set(value))

    @field_validator("themes", check_fields=False)
    @classmethod
    def _themes(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else sorted({domain.check_theme(t) for t in value})

    @field_validator("jurisdictions", check_fields=False)
    @classmethod
    def _jurisdictions(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else sorted({domain.check_jurisdiction(j) for j in value})


class SubscriptionCreate(_SubscriptionFilters):
    """Filters (an empty list matches anything) and one channel."""

    name: str | None = Field(default=None, max_length=200)
    countries: list[str] = Field(default_factory=list, max_length=250)
    mechanisms: list[str] = Field(default_factory=list, max_length=100)
    kinds: list[str] = Field(default_factory=list)
    themes: list[str] = Field(default_factory=list, max_length=100)
    jurisdictions: list[str] = Field(default_factory=list, max_length=500)
    channel: Channel
    url: AnyHttpUrl | None = Field(
        default=None, validate_default=True, description="Webhook endpoint (channel webhook)"
    )
    email: str | None = Field(
        default=None,
        validate_default=True,
        description="Address (channel email)",
        pattern=EMAIL_PATTERN,
        max_length=254,
    )
    mode: Mode = "immediate"

    @field_validator("url")
    @classmethod
    def _url_for_webhook(cls, value: AnyHttpUrl | None, info: ValidationInfo) -> Any:
        if info.data.get("channel") == "webhook" and value is None:
            raise ValueError("a webhook subscription needs a url")
        if info.data.get("channel") != "webhook" and value is not None:
            raise ValueError("only a webhook subscription takes a url")
        return value

    @field_validator("email")
    @classmethod
    def _email_for_email(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("channel") == "email" and value is None:
            raise ValueError("an email subscription needs an email address")
        if info.data.get("channel") != "email" and value is not None:
            raise ValueError("only an email subscription takes an email address")
        return value


class SubscriptionUpdate(_SubscriptionFilters):
    name: str | None = Field(default=None, max_length=200)
    countries: list[str] | None = None
    mechanisms: list[str] | None = None
    kinds: list[str] | None = None
    themes: list[str] | None = None
    jurisdictions: list[str] | None = None
    url: AnyHttpUrl | None = None
    email: str | None = Field(default=None, pattern=EMAIL_PATTERN, max_length=254)
    mode: Mode | None = None
    # Left out, the state stays as it is; never null (the OpenAPI document offers no null).
    status: SubscriptionStatus | MISSING = Field(
        default=MISSING,
        description="active: enable a disabled subscription again; every message it did not "
        "get while disabled is then delivered. disabled: stop it, keeping what it misses",
    )


class SubscriptionRead(BaseModel):
    id: UUID
    institution_id: UUID
    name: str | None
    countries: list[str]
    mechanisms: list[str]
    kinds: list[str]
    themes: list[str]
    jurisdictions: list[str]
    channel: str
    url: str | None
    email: str | None
    mode: str
    status: Literal["active", "disabled"] = Field(
        description="disabled: nothing is sent; what it misses is kept until it is active again"
    )
    disabled_reason: Literal["endpoint_gone", "failing_too_long", "by_institution"] | None = Field(
        description="endpoint_gone: the endpoint answered 410 Gone; failing_too_long: every call "
        "failed for longer than the limit (5 days by default); by_institution: its owner's doing"
    )
    disabled_at: datetime | None
    failing_since: datetime | None = Field(
        description="When the current run of failed calls began; none while calls succeed"
    )
    created_at: datetime
    updated_at: datetime


class SubscriptionCreated(SubscriptionRead):
    secret: str | None = Field(
        default=None,
        description="Webhook signing secret (Standard Webhooks, whsec_...): shown only once",
    )


class DeliveryRead(BaseModel):
    id: UUID
    subscription_id: UUID
    institution_id: UUID
    event_id: str
    event_type: str | None
    channel: str
    status: str
    attempts: int
    last_error: str | None
    last_status_code: int | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime | None = None
    updated_at: datetime | None = Field(default=None, description="Last change (last attempt)")


class DeliveryReport(Page[DeliveryRead]):
    counts: dict[str, int]


class ReplayResult(BaseModel):
    replayed: int


class InboxItemRead(BaseModel):
    id: UUID
    event_id: str
    event_type: str
    kind: str
    alert_id: UUID | None
    title: dict[str, str]
    facts: dict[str, Any]
    created_at: datetime
    read_at: datetime | None


class InboxPage(Page[InboxItemRead]):
    unread: int = Field(description="Unread items among those the filters match")
