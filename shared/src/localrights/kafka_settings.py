"""How a process reaches Kafka: addresses, TLS, SASL, and the topics it expects.

One environment serves every process (no service prefix): ``KAFKA_BOOTSTRAP_SERVERS``,
``KAFKA_SECURITY_PROTOCOL`` and so on. An incomplete combination (a mechanism without its
credentials, a client certificate without its key, a CA file with a protocol that does not
use TLS) is refused at start with the variables to fix; a value that would be silently
ignored is refused too, since it says the operator meant something else.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import AliasChoices, Field, SecretStr, model_validator

from localrights.secret_files import PlatformSettings

SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"]
PASSWORD_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")


def _kafka(variable: str, default: Any = ..., **kwargs: Any) -> Any:
    """A field read from an unprefixed ``KAFKA_*`` variable, the same in every service."""
    return Field(default, validation_alias=AliasChoices(variable, variable.lower()), **kwargs)


class KafkaSettings(PlatformSettings):
    """The broker connection and topic layout every process shares."""

    kafka_bootstrap_servers: str = _kafka(
        "KAFKA_BOOTSTRAP_SERVERS", description="Comma-separated host:port list of the brokers"
    )
    # Tansu (the embedded broker) does not implement the idempotent producer; Kafka does.
    kafka_enable_idempotence: bool = _kafka("KAFKA_ENABLE_IDEMPOTENCE", False)
    # Prepended to every topic name: lets several deployments (or tests) share one broker.
    kafka_topic_prefix: str = _kafka("KAFKA_TOPIC_PREFIX", "")
    # How long a consumer may be silent before its group gives its partitions to another
    # (Kafka's session.timeout.ms; heartbeats go at a third of it). The broker answers a
    # group's first join after about half of it, so every consumer start waits that long.
    kafka_session_timeout_ms: int = _kafka(
        "KAFKA_SESSION_TIMEOUT_MS",
        10_000,
        ge=1_000,
        le=300_000,
        description="Consumer group session timeout in milliseconds (Kafka's session.timeout.ms)",
    )

    # -- topics: what `python -m localrights.topics ensure` makes, and services when allowed
    kafka_auto_create_topics: bool = _kafka(
        "KAFKA_AUTO_CREATE_TOPICS",
        True,
        description="Services create missing topics at start; off where an operator makes them",
    )
    kafka_topic_partitions: int = _kafka("KAFKA_TOPIC_PARTITIONS", 3, ge=1)
    kafka_topic_replication_factor: int = _kafka("KAFKA_TOPIC_REPLICATION_FACTOR", 1, ge=1)
    kafka_topic_min_insync_replicas: int | None = _kafka(
        "KAFKA_TOPIC_MIN_INSYNC_REPLICAS", None, ge=1
    )

    # -- security ----------------------------------------------------------------------------
    kafka_security_protocol: SecurityProtocol = _kafka("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT")
    # No CA file: the system's trust store (a broker with a publicly trusted certificate).
    kafka_ssl_cafile: Path | None = _kafka("KAFKA_SSL_CAFILE", None)
    kafka_ssl_certfile: Path | None = _kafka("KAFKA_SSL_CERTFILE", None)
    kafka_ssl_keyfile: Path | None = _kafka("KAFKA_SSL_KEYFILE", None)
    kafka_ssl_key_password: SecretStr | None = _kafka("KAFKA_SSL_KEY_PASSWORD", None)
    kafka_ssl_check_hostname: bool = _kafka("KAFKA_SSL_CHECK_HOSTNAME", True)
    kafka_sasl_mechanism: SaslMechanism | None = _kafka("KAFKA_SASL_MECHANISM", None)
    kafka_sasl_username: str | None = _kafka("KAFKA_SASL_USERNAME", None)
    kafka_sasl_password: SecretStr | None = _kafka("KAFKA_SASL_PASSWORD", None)
    # OAUTHBEARER: the token is read again at each authentication, so a file the platform
    # rotates (a Kubernetes projected token) or a command that fetches a fresh one both work.
    kafka_sasl_oauth_token_file: Path | None = _kafka("KAFKA_SASL_OAUTH_TOKEN_FILE", None)
    kafka_sasl_oauth_token_command: str | None = _kafka("KAFKA_SASL_OAUTH_TOKEN_COMMAND", None)

    @property
    def kafka_uses_tls(self) -> bool:
        return self.kafka_security_protocol in ("SSL", "SASL_SSL")

    @property
    def kafka_uses_sasl(self) -> bool:
        return self.kafka_security_protocol.startswith("SASL_")

    @model_validator(mode="after")
    def _kafka_security_is_complete(self) -> Self:
        problems = self._kafka_tls_problems() + self._kafka_sasl_problems()
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _kafka_tls_problems(self) -> list[str]:
        protocol = f"KAFKA_SECURITY_PROTOCOL={self.kafka_security_protocol}"
        given = _named(
            KAFKA_SSL_CAFILE=self.kafka_ssl_cafile,
            KAFKA_SSL_CERTFILE=self.kafka_ssl_certfile,
            KAFKA_SSL_KEYFILE=self.kafka_ssl_keyfile,
            KAFKA_SSL_KEY_PASSWORD=self.kafka_ssl_key_password,
            KAFKA_SSL_CHECK_HOSTNAME=None if self.kafka_ssl_check_hostname else False,
        )
        if not self.kafka_uses_tls:
            if given:
                return [f"{', '.join(given)} set, but {protocol} has no TLS: use SSL or SASL_SSL"]
            return []
        problems = []
        if (self.kafka_ssl_certfile is None) != (self.kafka_ssl_keyfile is None):
            problems.append(
                "KAFKA_SSL_CERTFILE and KAFKA_SSL_KEYFILE go together "
                "(the client certificate and its key, for mutual TLS)"
            )
        if self.kafka_ssl_key_password is not None and self.kafka_ssl_keyfile is None:
            problems.append("KAFKA_SSL_KEY_PASSWORD is set without KAFKA_SSL_KEYFILE")
        problems += _unreadable(
            KAFKA_SSL_CAFILE=self.kafka_ssl_cafile,
            KAFKA_SSL_CERTFILE=self.kafka_ssl_certfile,
            KAFKA_SSL_KEYFILE=self.kafka_ssl_keyfile,
        )
        return problems

    def _kafka_sasl_problems(self) -> list[str]:
        protocol = f"KAFKA_SECURITY_PROTOCOL={self.kafka_security_protocol}"
        mechanism = self.kafka_sasl_mechanism
        passwords = _named(
            KAFKA_SASL_USERNAME=self.kafka_sasl_username,
            KAFKA_SASL_PASSWORD=self.kafka_sasl_password,
        )
        tokens = _named(
            KAFKA_SASL_OAUTH_TOKEN_FILE=self.kafka_sasl_oauth_token_file,
            KAFKA_SASL_OAUTH_TOKEN_COMMAND=self.kafka_sasl_oauth_token_command,
        )
        if not self.kafka_uses_sasl:
            given = _named(KAFKA_SASL_MECHANISM=mechanism) + passwords + tokens
            if given:
                return [
                    f"{', '.join(given)} set, but {protocol} does not authenticate: "
                    "use SASL_SSL (or SASL_PLAINTEXT)"
                ]
            return []
        if mechanism is None:
            return [
                f"KAFKA_SASL_MECHANISM is required with {protocol}: "
                "PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER"
            ]
        problems = []
        if mechanism == "OAUTHBEARER":
            if len(tokens) != 1:
                problems.append(
                    "KAFKA_SASL_MECHANISM=OAUTHBEARER takes its token from one of "
                    "KAFKA_SASL_OAUTH_TOKEN_FILE or KAFKA_SASL_OAUTH_TOKEN_COMMAND"
                    + (", not both" if tokens else "")
                )
            if passwords:
                problems.append(f"{', '.join(passwords)} set, but OAUTHBEARER uses a token")
            problems += _unreadable(KAFKA_SASL_OAUTH_TOKEN_FILE=self.kafka_sasl_oauth_token_file)
        else:
            missing = [
                name
                for name in ("KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD")
                if name not in passwords
            ]
            if missing:
                needed = " and ".join(
                    f"{name} (or {name}_FILE)" if name == "KAFKA_SASL_PASSWORD" else name
                    for name in missing
                )
                problems.append(f"KAFKA_SASL_MECHANISM={mechanism} needs {needed}")
            if tokens:
                problems.append(f"{', '.join(tokens)} set, but only OAUTHBEARER uses a token")
        return problems


def _named(**values: object) -> list[str]:
    """The names of the values that are set."""
    return [name for name, value in values.items() if value is not None]


def _unreadable(**paths: Path | None) -> list[str]:
    return [
        f"{name}={path}: no readable file there"
        for name, path in paths.items()
        if path is not None and not (path.is_file() and os.access(path, os.R_OK))
    ]
