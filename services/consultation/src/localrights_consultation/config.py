"""Settings of the consultation service (env prefix ``CONSULTATION_``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from localrights.settings import ServiceSettings, load_settings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CONSULTATION_", extra="ignore")

    service_name: str = "consultation"
    suppression_threshold: int = 5


def get_settings() -> Settings:
    return load_settings(Settings)
