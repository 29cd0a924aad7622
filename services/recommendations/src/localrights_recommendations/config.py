"""Settings of the recommendations service (env prefix ``RECOMMENDATIONS_``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from localrights.settings import ServiceSettings, load_settings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="RECOMMENDATIONS_", extra="ignore")

    service_name: str = "recommendations"
    # Upper bound of one import body; a 50,000-row UHRI export is about 40 MB.
    import_max_bytes: int = 512 * 1024 * 1024
    # Rows per INSERT ... ON CONFLICT statement while streaming an import.
    import_batch_size: int = 1000
    # Rejected rows listed in the import report (all are counted).
    import_report_limit: int = 10_000
    # The gateway's address: links in the follow-up feed go to its pages.
    public_url: str = "http://localhost:8000"
    # An indicator's reminder goes out this many days before a place's next value is due,
    # checked every ``indicator_reminder_interval`` seconds.
    indicator_reminder_days: int = 30
    indicator_reminder_interval: float = 3600.0


def get_settings() -> Settings:
    return load_settings(Settings)
