"""Settings of the consultation service (env prefix ``CONSULTATION_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from localrights.settings import ServiceSettings, load_settings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CONSULTATION_", extra="ignore")

    service_name: str = "consultation"
    suppression_threshold: int = Field(
        default=5, ge=2, description="Groups with fewer respondents are never shown"
    )
    # Open mode: at most this many responses per client key (the gateway's pseudonymous
    # hash of address and user agent) per consultation in each fixed window (windows start
    # at multiples of the window length since the epoch: on the hour by default). A shared
    # library computer can thus serve several residents an hour, while a script replaying
    # submissions cannot stuff the results. 0 turns the cap off. Code mode needs no cap:
    # each code answers once. The counts are kept apart from responses, deleted at close.
    responses_per_client: int = Field(default=10, ge=0)
    responses_per_client_window_seconds: int = Field(default=3600, ge=1)
    close_interval_seconds: float = Field(
        default=5.0, gt=0, description="How often due consultations are closed"
    )
    max_codes_per_request: int = Field(default=10_000, ge=1)
    max_response_bytes: int = Field(default=64 * 1024, ge=1024)
    ingest_pool_size: int = Field(
        default=10, ge=1, description="Connections of the submission path's own asyncpg pool"
    )
    # Where residents reach the platform (the gateway): the Atom feeds link to its pages.
    public_url: str = "http://localhost:8000"


def get_settings() -> Settings:
    return load_settings(Settings)
