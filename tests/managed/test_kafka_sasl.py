"""Kafka SASL: every mechanism the settings offer, exercised over the wire with aiokafka.

What a real broker could check here: the embedded Tansu 0.6 with ``--authentication``
refuses unauthenticated clients and runs SCRAM itself, but its build has no PLAIN and its
SCRAM users can only be added through an authenticated connection (its storage is in
memory), so with it we can show only that a SCRAM client it does not know is refused at
start. Successful PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 and OAUTHBEARER exchanges run
against ``localrights.testing.sasl_front``: it answers SaslHandshake and SaslAuthenticate
as Kafka's SASL listener does (SCRAM by the ``scramp`` library), then splices the client
to the real broker, which advertises the front's address so that every connection of
every client crosses it. SASL_SSL puts stunnel in front of that.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from localrights.embedded import EmbeddedKafka, free_port
from localrights.kafka import KafkaConnection, kafka_connection, verify_kafka_access
from localrights.kafka_settings import KafkaSettings
from localrights.runtime import ServiceRuntime
from localrights.settings import ServiceSettings, SettingsError
from localrights.testing.sasl_front import SaslFront
from localrights.testing.tls import STUNNEL_MISSING, Certificates, TlsTerminator, stunnel_binary

AlertRoundTrip = Callable[..., Awaitable[None]]  # the conftest fixtures'
EventRoundTrip = Callable[[KafkaConnection, str], Awaitable[None]]

USER, PASSWORD = "localrights", "a long s3cret, with spaces"
TOKEN = "eyJ-a-token-the-identity-provider-issued"


@dataclass
class KafkaBehindSasl:
    broker: EmbeddedKafka
    front: SaslFront
    door: TlsTerminator | None = None

    @property
    def bootstrap(self) -> str:
        port = self.door.port if self.door else self.front.port
        return f"localhost:{port}"


async def start_behind_sasl(
    directory: Path, *, certificates: Certificates | None = None
) -> KafkaBehindSasl:
    """The broker behind the SASL front, and behind stunnel too when given certificates."""
    front_port, door_port = free_port(), free_port()
    broker = EmbeddedKafka(
        log_file=directory / "tansu.log",
        advertised_address=f"localhost:{door_port if certificates else front_port}",
    )
    broker.start()
    front = SaslFront(broker.port, users={USER: PASSWORD}, tokens={TOKEN}, port=front_port)
    await front.start()
    door = None
    if certificates is not None:
        door = TlsTerminator(
            directory, target=f"127.0.0.1:{front_port}", certificates=certificates, port=door_port
        )
        door.start()
    return KafkaBehindSasl(broker, front, door)


async def stop(kafka: KafkaBehindSasl) -> None:
    if kafka.door:
        kafka.door.stop()
    await kafka.front.stop()
    kafka.broker.stop()


@pytest.fixture(scope="module")
async def sasl_kafka(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[KafkaBehindSasl]:
    kafka = await start_behind_sasl(tmp_path_factory.mktemp("kafka-sasl"))
    yield kafka
    await stop(kafka)


@pytest.fixture(scope="module")
async def sasl_ssl_kafka(
    tmp_path_factory: pytest.TempPathFactory, certificates: Certificates
) -> AsyncIterator[KafkaBehindSasl]:
    if stunnel_binary() is None:
        pytest.skip(STUNNEL_MISSING)
    kafka = await start_behind_sasl(
        tmp_path_factory.mktemp("kafka-sasl-ssl"), certificates=certificates
    )
    yield kafka
    await stop(kafka)


@pytest.fixture(scope="module")
def authenticating_tansu(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedKafka]:
    broker = EmbeddedKafka(
        log_file=tmp_path_factory.mktemp("tansu-auth") / "tansu.log", require_authentication=True
    )
    broker.start()
    yield broker
    broker.stop()


def sasl_settings(bootstrap: str, mechanism: str, **more: Any) -> KafkaSettings:
    return KafkaSettings(
        kafka_bootstrap_servers=bootstrap,
        kafka_security_protocol="SASL_PLAINTEXT",
        kafka_sasl_mechanism=mechanism,
        **more,
    )


@pytest.mark.parametrize("mechanism", ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])
async def test_each_password_mechanism_authenticates_every_connection(
    sasl_kafka: KafkaBehindSasl,
    topic_prefix: str,
    event_round_trip: EventRoundTrip,
    mechanism: str,
) -> None:
    kafka = kafka_connection(
        sasl_settings(
            sasl_kafka.bootstrap,
            mechanism,
            kafka_sasl_username=USER,
            kafka_sasl_password=PASSWORD,
        )
    )
    before = len(sasl_kafka.front.authenticated)
    await verify_kafka_access(kafka)
    await event_round_trip(kafka, f"{topic_prefix}sasl.{mechanism}")
    made = sasl_kafka.front.authenticated[before:]
    assert len(made) >= 3, "the check, the producer's and the reader's connections"
    assert set(made) == {(mechanism, USER)}


async def test_a_wrong_password_is_refused_at_start_naming_the_settings(
    sasl_kafka: KafkaBehindSasl,
) -> None:
    settings = ServiceSettings(
        database_url="postgresql://never-reached@127.0.0.1:1/db",
        kafka_bootstrap_servers=sasl_kafka.bootstrap,
        kafka_security_protocol="SASL_PLAINTEXT",
        kafka_sasl_mechanism="SCRAM-SHA-256",
        kafka_sasl_username=USER,
        kafka_sasl_password="not the password",
        internal_jwt_secret="i" * 40,
    )
    with pytest.raises(SettingsError) as refused:
        async with ServiceRuntime(settings):
            pass
    message = str(refused.value)
    assert "refused to authenticate us with KAFKA_SASL_MECHANISM=SCRAM-SHA-256" in message
    assert "check the credentials (KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD" in message
    assert sasl_kafka.front.refused[-1][0] == "SCRAM-SHA-256"


async def test_an_oauthbearer_token_file_is_read_again_at_each_authentication(
    sasl_kafka: KafkaBehindSasl, tmp_path: Path, topic_prefix: str, event_round_trip: EventRoundTrip
) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    kafka = kafka_connection(
        sasl_settings(sasl_kafka.bootstrap, "OAUTHBEARER", kafka_sasl_oauth_token_file=token_file)
    )
    await event_round_trip(kafka, f"{topic_prefix}sasl.oauth")
    assert ("OAUTHBEARER", TOKEN[:12]) in sasl_kafka.front.authenticated

    token_file.write_text("a-token-the-broker-does-not-know\n")  # rotated, say, and revoked
    with pytest.raises(SettingsError, match="refused to authenticate us"):
        await verify_kafka_access(kafka)


async def test_an_oauthbearer_token_command(
    sasl_kafka: KafkaBehindSasl, topic_prefix: str, event_round_trip: EventRoundTrip
) -> None:
    command = f"{sys.executable} -c \"print('{TOKEN}')\""
    kafka = kafka_connection(
        sasl_settings(sasl_kafka.bootstrap, "OAUTHBEARER", kafka_sasl_oauth_token_command=command)
    )
    await event_round_trip(kafka, f"{topic_prefix}sasl.oauth.command")


async def test_the_notifications_service_over_sasl_ssl_with_scram(
    sasl_ssl_kafka: KafkaBehindSasl, certificates: Certificates, alert_round_trip: AlertRoundTrip
) -> None:
    await alert_round_trip(
        kafka_bootstrap_servers=sasl_ssl_kafka.bootstrap,
        kafka_security_protocol="SASL_SSL",
        kafka_ssl_cafile=certificates.ca_file,
        kafka_sasl_mechanism="SCRAM-SHA-512",
        kafka_sasl_username=USER,
        kafka_sasl_password=PASSWORD,
    )
    assert ("SCRAM-SHA-512", USER) in sasl_ssl_kafka.front.authenticated


async def test_a_real_broker_refuses_a_scram_user_it_does_not_know(
    authenticating_tansu: EmbeddedKafka,
) -> None:
    kafka = kafka_connection(
        sasl_settings(
            authenticating_tansu.bootstrap_servers,
            "SCRAM-SHA-512",
            kafka_sasl_username="nobody",
            kafka_sasl_password="anything",
        )
    )
    with pytest.raises(SettingsError, match="SCRAM-SHA-512 exchange without accepting us"):
        await verify_kafka_access(kafka)
