"""Kafka over TLS, for real: the embedded broker behind Debian's stunnel, advertised at
stunnel's address, so every connection of every client (bootstrap, partition leaders, the
group coordinator) crosses TLS with a certificate for ``localhost`` from the test's CA."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from localrights.embedded import EmbeddedKafka, free_port
from localrights.kafka import (
    KafkaConnection,
    create_producer,
    kafka_connection,
    verify_kafka_access,
)
from localrights.kafka_settings import KafkaSettings
from localrights.runtime import ServiceRuntime
from localrights.settings import ServiceSettings, SettingsError
from localrights.testing.tls import STUNNEL_MISSING, Certificates, TlsTerminator, stunnel_binary

AlertRoundTrip = Callable[..., Awaitable[None]]  # the conftest fixtures'
EventRoundTrip = Callable[[KafkaConnection, str], Awaitable[None]]


@dataclass
class KafkaBehindTls:
    broker: EmbeddedKafka
    door: TlsTerminator

    @property
    def bootstrap(self) -> str:
        return f"localhost:{self.door.port}"


def start_behind_tls(
    directory: Path, certificates: Certificates, *, require_client_certificate: bool = False
) -> KafkaBehindTls:
    door_port = free_port()
    broker = EmbeddedKafka(
        log_file=directory / "tansu.log", advertised_address=f"localhost:{door_port}"
    )
    broker.start()
    door = TlsTerminator(
        directory,
        target=f"127.0.0.1:{broker.port}",
        certificates=certificates,
        require_client_certificate=require_client_certificate,
        port=door_port,
    )
    door.start()
    return KafkaBehindTls(broker, door)


@pytest.fixture(scope="module")
def tls_kafka(
    tmp_path_factory: pytest.TempPathFactory, certificates: Certificates
) -> Iterator[KafkaBehindTls]:
    if stunnel_binary() is None:
        pytest.skip(STUNNEL_MISSING)
    kafka = start_behind_tls(tmp_path_factory.mktemp("kafka-tls"), certificates)
    yield kafka
    kafka.door.stop()
    kafka.broker.stop()


@pytest.fixture(scope="module")
def mutual_tls_kafka(
    tmp_path_factory: pytest.TempPathFactory, certificates: Certificates
) -> Iterator[KafkaBehindTls]:
    if stunnel_binary() is None:
        pytest.skip(STUNNEL_MISSING)
    kafka = start_behind_tls(
        tmp_path_factory.mktemp("kafka-mtls"), certificates, require_client_certificate=True
    )
    yield kafka
    kafka.door.stop()
    kafka.broker.stop()


def tls_settings(bootstrap: str, ca_file: Path, **more: object) -> KafkaSettings:
    return KafkaSettings(
        kafka_bootstrap_servers=bootstrap,
        kafka_security_protocol="SSL",
        kafka_ssl_cafile=ca_file,
        **more,  # type: ignore[arg-type]
    )


async def test_the_notifications_service_produces_and_consumes_through_tls_with_the_ca(
    tls_kafka: KafkaBehindTls, certificates: Certificates, alert_round_trip: AlertRoundTrip
) -> None:
    await alert_round_trip(
        kafka_bootstrap_servers=tls_kafka.bootstrap,
        kafka_security_protocol="SSL",
        kafka_ssl_cafile=certificates.ca_file,
    )


async def test_a_wrong_ca_is_refused_at_start_naming_the_setting(
    tls_kafka: KafkaBehindTls, other_certificates: Certificates
) -> None:
    settings = ServiceSettings(
        database_url="postgresql://never-reached@127.0.0.1:1/db",
        kafka_bootstrap_servers=tls_kafka.bootstrap,
        kafka_security_protocol="SSL",
        kafka_ssl_cafile=other_certificates.ca_file,
        internal_jwt_secret="i" * 40,
    )
    with pytest.raises(SettingsError) as refused:
        async with ServiceRuntime(settings):
            pass
    message = str(refused.value)
    assert f"the broker at localhost:{tls_kafka.door.port} was refused" in message
    assert "certificate verify failed: unable to get local issuer certificate" in message
    assert "check KAFKA_SSL_CAFILE" in message


async def test_host_names_are_verified_unless_turned_off(
    tls_kafka: KafkaBehindTls,
    certificates: Certificates,
    topic_prefix: str,
    event_round_trip: EventRoundTrip,
) -> None:
    by_address = f"127.0.0.1:{tls_kafka.door.port}"  # the certificate names localhost only
    with pytest.raises(SettingsError) as refused:
        await verify_kafka_access(kafka_connection(tls_settings(by_address, certificates.ca_file)))
    assert "IP address mismatch, certificate is not valid for '127.0.0.1'" in str(refused.value)
    assert "the host in KAFKA_BOOTSTRAP_SERVERS" in str(refused.value)

    unchecked = kafka_connection(
        tls_settings(by_address, certificates.ca_file, kafka_ssl_check_hostname=False)
    )
    await verify_kafka_access(unchecked)
    await event_round_trip(unchecked, topic_prefix + "tls.unchecked")


async def test_mutual_tls_takes_the_client_certificate(
    mutual_tls_kafka: KafkaBehindTls,
    certificates: Certificates,
    topic_prefix: str,
    event_round_trip: EventRoundTrip,
) -> None:
    with_certificate = kafka_connection(
        tls_settings(
            mutual_tls_kafka.bootstrap,
            certificates.ca_file,
            kafka_ssl_certfile=certificates.client_cert_file,
            kafka_ssl_keyfile=certificates.client_key_file,
        )
    )
    await event_round_trip(with_certificate, topic_prefix + "mtls.check")

    without = kafka_connection(tls_settings(mutual_tls_kafka.bootstrap, certificates.ca_file))
    producer = create_producer(without, enable_idempotence=False, client_id="no-certificate")
    with pytest.raises(Exception, match="Unable to bootstrap"):
        await producer.start()
    await producer.stop()
