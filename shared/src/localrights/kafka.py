"""Kafka clients built from settings: one connection description for every client kind.

``kafka_connection(settings)`` turns the ``KAFKA_*`` settings into a ``KafkaConnection``
(addresses, TLS context, SASL mechanism and credentials); the producer, the consumers and
the admin client are all built from it, so none can miss a security setting.
"""

from __future__ import annotations

import contextlib
import ssl
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.abc import AbstractTokenProvider
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.conn import create_conn
from aiokafka.errors import (
    AuthenticationFailedError,
    IllegalSaslStateError,
    SaslAuthenticationFailed,
    TopicAlreadyExistsError,
    UnsupportedSaslMechanismError,
)

from localrights.events import all_topics, dlq_topic
from localrights.kafka_settings import KafkaSettings
from localrights.kafka_tokens import CommandTokenProvider, FileTokenProvider, TokenError
from localrights.secret_files import SettingsError


@dataclass(frozen=True)
class KafkaConnection:
    """How to reach the brokers, in the keyword arguments every aiokafka client takes."""

    bootstrap_servers: str
    security_protocol: str = "PLAINTEXT"
    ssl_context: ssl.SSLContext | None = None
    sasl_mechanism: str | None = None
    sasl_plain_username: str | None = None
    sasl_plain_password: str | None = field(default=None, repr=False)
    sasl_oauth_token_provider: AbstractTokenProvider | None = None

    def options(self) -> dict[str, Any]:
        """Keyword arguments for AIOKafkaProducer, AIOKafkaConsumer and AIOKafkaAdminClient."""
        return {"bootstrap_servers": self.bootstrap_servers, **self.security_options()}

    def security_options(self) -> dict[str, Any]:
        """The TLS and SASL keyword arguments (also what one aiokafka connection takes)."""
        options: dict[str, Any] = {
            "security_protocol": self.security_protocol,
            "ssl_context": self.ssl_context,
        }
        if self.sasl_mechanism is not None:
            options.update(
                sasl_mechanism=self.sasl_mechanism,
                sasl_plain_username=self.sasl_plain_username,
                sasl_plain_password=self.sasl_plain_password,
                sasl_oauth_token_provider=self.sasl_oauth_token_provider,
            )
        return options

    def addresses(self) -> list[tuple[str, int]]:
        """The bootstrap servers as (host, port), Kafka's default port where none is given."""
        found = []
        for server in self.bootstrap_servers.split(","):
            host, _, port = server.strip().rpartition(":")
            if not host:  # no port given
                host, port = port, "9092"
            found.append((host.strip("[]"), int(port)))
        return found


def kafka_connection(settings: KafkaSettings) -> KafkaConnection:
    """The connection the settings describe; files (CA, certificate, key) are loaded here."""
    context = _ssl_context(settings) if settings.kafka_uses_tls else None
    if not settings.kafka_uses_sasl:
        return KafkaConnection(
            settings.kafka_bootstrap_servers, settings.kafka_security_protocol, context
        )
    token_provider: AbstractTokenProvider | None = None
    if settings.kafka_sasl_oauth_token_file is not None:
        token_provider = FileTokenProvider(settings.kafka_sasl_oauth_token_file)
    elif settings.kafka_sasl_oauth_token_command is not None:
        token_provider = CommandTokenProvider(settings.kafka_sasl_oauth_token_command)
    password = settings.kafka_sasl_password
    return KafkaConnection(
        settings.kafka_bootstrap_servers,
        settings.kafka_security_protocol,
        context,
        sasl_mechanism=settings.kafka_sasl_mechanism,
        sasl_plain_username=settings.kafka_sasl_username,
        sasl_plain_password=password.get_secret_value() if password is not None else None,
        sasl_oauth_token_provider=token_provider,
    )


def _ssl_context(settings: KafkaSettings) -> ssl.SSLContext:
    """Certificates verified against the CA file (or the system's), host names checked."""
    key_password = settings.kafka_ssl_key_password
    try:
        context = ssl.create_default_context(cafile=settings.kafka_ssl_cafile)
    except (ssl.SSLError, OSError) as exc:
        raise SettingsError(f"KAFKA_SSL_CAFILE={settings.kafka_ssl_cafile}: {exc}") from None
    if settings.kafka_ssl_certfile is not None:
        try:
            context.load_cert_chain(
                settings.kafka_ssl_certfile,
                settings.kafka_ssl_keyfile,
                key_password.get_secret_value() if key_password is not None else None,
            )
        except (ssl.SSLError, OSError) as exc:
            raise SettingsError(
                f"KAFKA_SSL_CERTFILE={settings.kafka_ssl_certfile} with "
                f"KAFKA_SSL_KEYFILE={settings.kafka_ssl_keyfile}: {exc}"
            ) from None
    # Off only by KAFKA_SSL_CHECK_HOSTNAME=false; the certificate is still verified.
    context.check_hostname = settings.kafka_ssl_check_hostname
    return context


def create_producer(
    kafka: KafkaConnection, *, enable_idempotence: bool, client_id: str
) -> AIOKafkaProducer:
    """A producer that waits for all in-sync replicas; idempotence where the broker has it."""
    return AIOKafkaProducer(
        **kafka.options(),
        client_id=client_id,
        acks="all",
        enable_idempotence=enable_idempotence,
        # No lingering: the outbox relay sends a whole batch at once and waits for its acks,
        # so a linger would only add its length to every batch. Whatever is sent while a
        # request is in flight to the broker still goes out together in the next one.
        linger_ms=0,
        request_timeout_ms=15000,
    )


def create_consumer(kafka: KafkaConnection, *topics: str, **options: Any) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(*topics, **kafka.options(), **options)


def create_admin(kafka: KafkaConnection) -> AIOKafkaAdminClient:
    return AIOKafkaAdminClient(**kafka.options(), request_timeout_ms=15000)


_REFUSALS = (
    AuthenticationFailedError,
    SaslAuthenticationFailed,
    UnsupportedSaslMechanismError,
    IllegalSaslStateError,
)


async def verify_kafka_access(kafka: KafkaConnection) -> None:
    """Refuse to start, naming the settings, when the brokers refuse us for good.

    Connects once to a bootstrap server the way every client will (TLS, then SASL). A
    broker that does not answer yet is left to the clients' own retries; a certificate
    that does not verify, or credentials the broker refuses, will not get better by waiting
    (and aiokafka's clients would only log them and retry forever).
    """
    for host, port in kafka.addresses():
        try:
            conn = await create_conn(
                host, port, request_timeout_ms=10000, **kafka.security_options()
            )
        except ssl.SSLCertVerificationError as exc:
            raise SettingsError(
                f"the broker at {host}:{port} was refused: certificate verify failed: "
                f"{exc.verify_message or exc}; check KAFKA_SSL_CAFILE (the CA that signed the "
                "broker's certificate) and the host in KAFKA_BOOTSTRAP_SERVERS (the "
                "certificate must name it)"
            ) from None
        except ssl.SSLError as exc:
            raise SettingsError(
                f"TLS with the broker at {host}:{port} failed: {exc}; check "
                "KAFKA_SECURITY_PROTOCOL and, if the broker asks for one, the client "
                "certificate (KAFKA_SSL_CERTFILE, KAFKA_SSL_KEYFILE)"
            ) from None
        except _REFUSALS as exc:
            raise SettingsError(
                f"the broker at {host}:{port} refused to authenticate us with "
                f"KAFKA_SASL_MECHANISM={kafka.sasl_mechanism}: {exc}; check the credentials "
                "(KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD or the OAUTHBEARER token)"
            ) from None
        except TokenError as exc:
            raise SettingsError(str(exc)) from None
        except (KeyError, ValueError) as exc:
            if kafka.sasl_mechanism is None:
                raise
            # aiokafka's SCRAM client, given a server-final message with an error ("e=...")
            # instead of the server's signature ("v=..."), fails on the missing key.
            raise SettingsError(
                f"the broker at {host}:{port} ended the {kafka.sasl_mechanism} exchange "
                f"without accepting us ({type(exc).__name__}: {exc}); check the credentials "
                "(KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD)"
            ) from None
        except Exception:  # not reachable (yet): the clients retry
            continue
        conn.close()
        return


def platform_topics(prefix: str = "") -> list[str]:
    """Every registered topic and its dead-letter topic, with the deployment's prefix."""
    topics = all_topics()
    return [prefix + t for t in topics] + [prefix + dlq_topic(t) for t in topics]


def topic_configs(settings: KafkaSettings) -> Mapping[str, str]:
    """The per-topic configuration the settings ask for."""
    if settings.kafka_topic_min_insync_replicas is None:
        return {}
    return {"min.insync.replicas": str(settings.kafka_topic_min_insync_replicas)}


async def ensure_topics(
    kafka: KafkaConnection,
    topics: Iterable[str],
    *,
    partitions: int = 3,
    replication_factor: int = 1,
    configs: Mapping[str, str] | None = None,
) -> list[str]:
    """Create the topics that do not exist yet (idempotent, safe from several processes).

    Returns the topics it created. Existing topics are left as they are: checking and
    reporting their layout is ``localrights.topics``'s job.
    """
    admin = create_admin(kafka)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in topics if t not in existing]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(
                    [
                        NewTopic(
                            t, partitions, replication_factor, topic_configs=dict(configs or {})
                        )
                        for t in missing
                    ]
                )
        return missing
    finally:
        await admin.close()


async def missing_topics(kafka: KafkaConnection, topics: Iterable[str]) -> list[str]:
    """The topics of ``topics`` the cluster does not have."""
    admin = create_admin(kafka)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
    finally:
        await admin.close()
    return [t for t in topics if t not in existing]
