"""Settings of the web pages (env prefix ``GATEWAY_WEB_``), apart from the gateway's own."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_WEB_", extra="ignore")

    # The pages call this gateway's own public API. Unset: http://127.0.0.1:<the port this
    # process listens on>, so one process needs no configuration (loopback, no TLS hop).
    api_url: str | None = None
    api_timeout: float = Field(default=20.0, gt=0)
    # Secure cookies: None decides per request (https -> Secure); set true behind a TLS proxy.
    secure_cookies: bool | None = None
    default_language: str = "en"
    page_size: int = Field(default=20, ge=1, le=100)
    # Named on the privacy notice, accessibility statement and help pages.
    operator_name: str = "Localrights"
    contact_email: str = "contact@localrights.example"
