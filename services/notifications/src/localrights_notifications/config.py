"""Settings of the notifications service (env prefix ``NOTIFICATIONS_``)."""

from __future__ import annotations

from datetime import time
from typing import Annotated, Self

from pydantic import Field, field_validator, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from localrights.secret_files import secret_field
from localrights.settings import ServiceSettings, load_settings


def _csv(value: object) -> object:
    """Accept ``"a,b"`` from the environment as well as a list."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFICATIONS_", extra="ignore")

    service_name: str = "notifications"

    # Webhook targets on private, loopback or link-local addresses are refused unless their
    # host is listed here (the local launcher and the tests list 127.0.0.1).
    webhook_allowed_hosts: Annotated[list[str], NoDecode] = []

    # Dispatch: workers per channel. A webhook call that takes twice a typical call,
    # but at least ``slow_call_floor`` and at most ``slow_call_after`` seconds, leaves the
    # pool for a second, larger lane, so slow endpoints never hold the healthy traffic's
    # places.
    webhook_concurrency: int = 100
    webhook_slow_lane: int = 1000
    email_concurrency: int = 10
    slow_call_floor: float = 0.025
    slow_call_after: float = 1.0
    webhook_timeout: float = 10.0
    smtp_timeout: float = 15.0
    max_attempts: int = 8
    backoff_base: float = 5.0
    backoff_max: float = 3600.0
    retry_after_max: float = 3600.0
    breaker_threshold: int = 5
    breaker_cooldown: float = 60.0
    # A webhook subscription whose every call failed for this long (seconds; 5 days, as
    # Standard Webhooks senders do) is disabled, as is one whose endpoint answers 410 Gone.
    webhook_disable_after: float = Field(default=5 * 86400.0, gt=0)
    dispatch_batch: int = 500
    dispatch_poll_interval: float = 1.0
    # How long a claimed delivery stays with the replica that claimed it; a replica that dies
    # leaves its claims to the others after this. It must outlast a call, and the wait in
    # the claiming replica's queue (normally well under a second).
    dispatch_lease: float = 60.0

    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_from: str = "Localrights alerts <alerts@localrights.invalid>"
    smtp_username: str | None = None
    smtp_password: str | None = secret_field(None)
    smtp_starttls: bool = False

    # Scheduler: deadline reminders (days ahead) and the daily digest's send time (UTC).
    reminder_days: Annotated[list[int], NoDecode] = [30, 7]
    digest_time: time = time(7, 0)
    scheduler_interval: float = 60.0

    public_url: str = "http://localhost:8000"

    @field_validator("webhook_allowed_hosts", "reminder_days", mode="before")
    @classmethod
    def _split_csv(cls, value: object) -> object:
        return _csv(value)

    @model_validator(mode="after")
    def _lease_outlasts_a_call(self) -> Self:
        longest = max(self.webhook_timeout, self.smtp_timeout)
        if self.dispatch_lease <= longest:
            raise ValueError(
                f"dispatch_lease ({self.dispatch_lease:g} s) must be longer than the longest "
                f"call it covers ({longest:g} s): another replica would send the delivery again"
            )
        return self

    @field_validator("reminder_days")
    @classmethod
    def _positive_days(cls, value: list[int]) -> list[int]:
        if any(day <= 0 for day in value):
            raise ValueError("reminder days must be positive")
        return sorted(set(value), reverse=True)


def get_settings() -> Settings:
    return load_settings(Settings)
