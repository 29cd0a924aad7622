"""Settings base shared by every service.

Each service composes its own ``Settings`` from ``ServiceSettings`` with an ``env_prefix``
(``CONSULTATION_``, ``NOTIFICATIONS_`` ...). Platform-wide values (the broker, the internal
token secret) are read without prefix so one environment serves all four processes. Every
secret setting may also come from a file named by ``<NAME>_FILE`` (``secret_files``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, Self, TypeVar, get_args
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from localrights.kafka_settings import KafkaSettings
from localrights.secret_files import (
    FILE_SUFFIX,
    PlatformSettings,
    SettingsError,
    env_names,
    is_secret,
    secret_field,
)

__all__ = [
    "PLACEHOLDER_VALUES",
    "DatabaseSettings",
    "KafkaSettings",
    "ServiceSettings",
    "SettingsError",
    "database_settings",
    "load_settings",
]

PLACEHOLDER_VALUES = frozenset({"changethis", "changeme", "secret", ""})

SslMode = Literal["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]
# libpq's names, which asyncpg reads from the URL for every connection it opens.
_TLS_PARAMETERS = ("sslmode", "sslrootcert", "sslcert", "sslkey")


class DatabaseSettings(PlatformSettings):
    """A service's own PostgreSQL database, and how its connections are secured.

    The TLS settings end up in ``database_url`` as libpq's query parameters (``sslmode``,
    ``sslrootcert``, ``sslcert``, ``sslkey``), where a provider's URL may already carry
    them: every connection, the ORM's and the direct asyncpg ones alike, is opened by
    asyncpg from that URL (``localrights.db.asyncpg_dsn``).
    """

    database_url: str = secret_field(description="PostgreSQL URL of this service's database")
    # `verify-full` checks the server's certificate against the CA and its name against the
    # URL's host; `require` only encrypts. Unset: asyncpg's default (`prefer`).
    database_sslmode: SslMode | None = None
    database_sslrootcert: Path | None = Field(
        default=None, description="CA certificate(s) that signed the server's certificate"
    )
    database_sslcert: Path | None = Field(default=None, description="Client certificate")
    database_sslkey: Path | None = Field(default=None, description="Client certificate's key")

    @model_validator(mode="after")
    def _tls_parameters_in_the_url(self) -> Self:
        name = self._database_variable
        url = urlsplit(self.database_url)
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        for key in _TLS_PARAMETERS:
            value = getattr(self, f"database_{key}")
            if value is None:
                continue
            if key in query and query[key] != str(value):
                raise ValueError(
                    f"{name(key)}={value}, but {name('url')} says {key}={query[key]}: keep one"
                )
            query[key] = str(value)
        problems = self._database_tls_problems(query)
        if problems:
            raise ValueError("; ".join(problems))
        self.database_url = urlunsplit(url._replace(query=urlencode(query)))
        return self

    def _database_tls_problems(self, query: dict[str, str]) -> list[str]:
        name = self._database_variable
        mode = query.get("sslmode")
        if mode is not None and mode not in get_args(SslMode):
            return [f"{name('sslmode')}={mode} is not one of {', '.join(get_args(SslMode))}"]
        problems = []
        if mode in ("verify-ca", "verify-full") and "sslrootcert" not in query:
            problems.append(
                f"{name('sslmode')}={mode} needs {name('sslrootcert')}, "
                "the CA certificate that signed the server's"
            )
        if ("sslcert" in query) != ("sslkey" in query):
            problems.append(
                f"{name('sslcert')} and {name('sslkey')} go together "
                "(the client certificate and its key)"
            )
        for key in ("sslrootcert", "sslcert", "sslkey"):
            if key in query and not Path(query[key]).is_file():
                problems.append(f"{name(key)}={query[key]}: no such file")
        return problems

    def _database_variable(self, key: str) -> str:
        return env_names(type(self), f"database_{key}")[0]


class ServiceSettings(DatabaseSettings, KafkaSettings):
    """Values every service needs; subclasses set ``env_prefix`` and add their own."""

    model_config = SettingsConfigDict(extra="ignore", env_file=None)

    service_name: str = "localrights"
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
        if loc == name or (isinstance(alias, AliasChoices) and loc in alias.choices):
            variable = env_names(model, name)[0]
            return f"{variable} (or {variable}{FILE_SUFFIX})" if is_secret(field) else variable
    prefix = str(model.model_config.get("env_prefix", ""))
    return f"{prefix}{loc}".upper()


def load_settings(model: type[SettingsT], **overrides: Any) -> SettingsT:
    """Build settings from the environment or fail with the names of the variables at fault."""
    try:
        return model(**overrides)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            message = error["msg"].removeprefix("Value error, ")
            if not error["loc"]:  # a rule across settings: the message names them
                problems.append(f"invalid settings: {message}")
                continue
            env = _env_name(model, str(error["loc"][0]))
            if error["type"] == "missing":
                problems.append(f"missing required setting {env}")
            else:
                problems.append(f"invalid setting {env}: {message}")
        raise SettingsError("; ".join(problems)) from None


def database_settings(service: str) -> DatabaseSettings:
    """The database settings of ``service`` (``<SERVICE>_DATABASE_URL`` ...) alone.

    For what runs before a service does, such as its migrations, and needs nothing else.
    """
    model = type(
        f"{service.title()}DatabaseSettings",
        (DatabaseSettings,),
        {"model_config": SettingsConfigDict(env_prefix=f"{service.upper()}_", extra="ignore")},
    )
    return load_settings(model)
