"""Settings of the gateway (env prefix ``GATEWAY_``)."""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache
from typing import Annotated, Any, Self

from pydantic import Field, IPvAnyNetwork, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from localrights.secret_files import secret_field
from localrights.settings import PLACEHOLDER_VALUES, ServiceSettings, load_settings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")

    service_name: str = "gateway"
    public_url: str = "http://127.0.0.1:8000"

    # -- people's tokens (OAuth2 password flow) ----------------------------------------
    jwt_secret: SecretStr = Field(
        description="HMAC key of the tokens the gateway gives people; never the internal one"
    )
    jwt_ttl_seconds: int = Field(default=900, ge=30, le=86_400)
    # A token may be renewed (POST /auth/refresh, the pages' sliding session) until this
    # long after its holder signed in with a password; then they sign in again.
    session_max_seconds: int = Field(default=43_200, ge=60, le=30 * 86_400)
    jwt_issuer: str = "localrights"
    jwt_audience: str = "localrights-api"
    # Keyed hash of API keys. Unset: derived from jwt_secret (so rotating that secret
    # also invalidates every API key; set this to rotate them independently).
    api_key_secret: SecretStr | None = None
    internal_token_ttl_seconds: int = Field(default=60, ge=5, le=3600)
    # The longest a revoked access goes on working on a replica that did not make the change
    # (a user disabled, a role removed...): see revocation.py. 0 reads the database per call.
    access_cache_seconds: float = Field(default=5.0, ge=0, le=60)

    # -- who the client is -------------------------------------------------------------------
    # Proxies (IP addresses or CIDR networks, comma-separated) whose X-Forwarded-For names
    # the client; none by default, so the TCP peer is the client. See forwarding.py.
    trusted_proxies: Annotated[list[IPvAnyNetwork], NoDecode] = Field(default_factory=list)

    # -- first administrator -------------------------------------------------------------
    bootstrap_admin_email: str | None = None
    bootstrap_admin_password: SecretStr | None = None

    # -- the services behind the gateway ---------------------------------------------------
    consultation_url: str = "http://127.0.0.1:8001"
    notifications_url: str = "http://127.0.0.1:8002"
    recommendations_url: str = "http://127.0.0.1:8003"
    upstream_connect_timeout: float = Field(default=2.0, gt=0)
    # Longest wait for a service's response headers, and between two body reads.
    upstream_timeout: float = Field(default=30.0, gt=0)
    upstream_pool_size: int = Field(default=200, ge=1)
    # Below uvicorn's default keep-alive (5 s) so we never reuse a socket it is closing.
    upstream_keepalive_seconds: float = 4.0
    openapi_cache_seconds: float = 30.0

    # -- limits ----------------------------------------------------------------------------
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    max_import_body_bytes: int = Field(default=26_214_400, ge=1024)
    rate_limit_enabled: bool = True
    # A Redis URL may hold a password: secret, so also readable from a *_FILE.
    rate_limit_storage_uri: str = secret_field("memory://")
    # `limits` notation: "600/minute", "10/second;1000/hour" ...
    rate_limit_default: str = "600/minute"
    rate_limit_responses: str = "30/minute"
    rate_limit_login: str = "10/minute"

    # -- browsers --------------------------------------------------------------------------
    cors_origins: list[str] = Field(default_factory=list)

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part for part in value.replace(",", " ").split() if part]
        return value

    @field_validator("jwt_secret")
    @classmethod
    def _refuse_placeholder(cls, value: SecretStr) -> SecretStr:
        raw = value.get_secret_value()
        if raw.lower() in PLACEHOLDER_VALUES or len(raw) < 32:
            raise ValueError("must be a real secret of at least 32 characters, not a placeholder")
        return value

    @model_validator(mode="after")
    def _secrets_are_distinct(self) -> Self:
        # A leaked user token must never be replayable as an internal one, and vice versa.
        if self.jwt_secret.get_secret_value() == self.internal_jwt_secret.get_secret_value():
            raise ValueError("GATEWAY_JWT_SECRET must differ from INTERNAL_JWT_SECRET")
        return self

    def derived_key(self, purpose: str) -> bytes:
        """A key for one purpose (API key hashing, client keys) derived from the JWT secret."""
        if purpose == "api-key" and self.api_key_secret is not None:
            return self.api_key_secret.get_secret_value().encode()
        return _derive(self.jwt_secret.get_secret_value(), purpose)


@lru_cache(maxsize=32)
def _derive(secret: str, purpose: str) -> bytes:
    # Cached: the client key's is asked for on every anonymous call.
    return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).digest()


def get_settings() -> Settings:
    return load_settings(Settings)
