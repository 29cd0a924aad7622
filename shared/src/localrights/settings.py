"""Settings base shared by every service.

Each service composes its own ``Settings`` from ``ServiceSettings`` with an ``env_prefix``
(``CONSULTATION_``, ``NOTIFICATIONS_`` ...). Platform-wide values (the broker, the internal
token secret) are read without prefix so one environment serves all four processes.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_VALUES = frozenset({"changethis", "changeme", "secret", ""})


class SettingsError(RuntimeError):
    """A required setting is missing or still holds a placeholder."""


class ServiceSettings(BaseSettings):
    """Values every service needs; subclasses set ``env_prefix`` and add their own."""

    model_config = SettingsConfigDict(extra="ignore", env_file=None)

    service_name: str = "localrights"
    database_url: str = Field(description="PostgreSQL URL of this service's own database")
    kafka_bootstrap_servers: str = Field(
        validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS", "kafka_bootstrap_servers"),
        description="Comma-separated host:port list of the Kafka-protocol broker",
    )
    # Tansu (the embedded broker) does not implement the idempotent producer; Kafka does.
    kafka_enable_idempotence: bool = Field(
        default=False,
        validation_alias=AliasChoices("KAFKA_ENABLE_IDEMPOTENCE", "kafka_enable_idempotence"),
    )
    # Prepended to every topic name: lets several deployments (or tests) share one broker.
    kafka_topic_prefix: str = Field(
        default="", validation_alias=AliasChoices("KAFKA_TOPIC_PREFIX", "kafka_topic_prefix")
    )
    internal_jwt_secret: SecretStr = Field(
        validation_alias=AliasChoices("INTERNAL_JWT_SECRET", "internal_jwt_secret"),
        description="HMAC key the gateway signs internal tokens with (32+ bytes)",
    )
    log_level: str = Field(default="INFO", validation_alias=AliasChoices("LOG_LEVEL", "log_level"))
    log_json: bool = Field(default=True, validation_alias=AliasChoices("LOG_JSON", "log_json"))
    # See localrights.gc_tuning. Test processes, which start hundreds of apps, turn it off.
    gc_tuning: bool = Field(default=True, validation_alias=AliasChoices("GC_TUNING", "gc_tuning"))

    @field_validator("internal_jwt_secret")
    @classmethod
    def _refuse_placeholder_secret(cls, value: SecretStr) -> SecretStr:
        raw = value.get_secret_value()
        if raw.lower() in PLACEHOLDER_VALUES or len(raw) < 32:
            raise ValueError("must be a real secret of at least 32 characters, not a placeholder")
        return value


SettingsT = TypeVar("SettingsT", bound=BaseSettings)


def _env_name(model: type[BaseSettings], loc: str) -> str:
    """The environment variable a validation error location stands for."""
    for name, field in model.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices) and (loc == name or loc in alias.choices):
            first = alias.choices[0]
            return first if isinstance(first, str) else name.upper()
    prefix = str(model.model_config.get("env_prefix", ""))
    return f"{prefix}{loc}".upper()


def load_settings(model: type[SettingsT], **overrides: Any) -> SettingsT:
    """Build settings from the environment or fail with the names of the variables at fault."""
    try:
        return model(**overrides)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field_name = str(error["loc"][0]) if error["loc"] else "?"
            env = _env_name(model, field_name)
            if error["type"] == "missing":
                problems.append(f"missing required setting {env}")
            else:
                problems.append(f"invalid setting {env}: {error['msg']}")
        raise SettingsError("; ".join(problems)) from None
