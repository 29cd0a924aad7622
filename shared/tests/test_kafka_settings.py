"""Kafka security settings: incomplete combinations refused by name, complete ones reaching
every aiokafka client (producer, consumer, admin) exactly as given."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

import pytest

from localrights.kafka import (
    KafkaConnection,
    create_admin,
    create_consumer,
    create_producer,
    kafka_connection,
)
from localrights.kafka_settings import KafkaSettings
from localrights.kafka_tokens import CommandTokenProvider, FileTokenProvider
from localrights.settings import SettingsError, load_settings
from localrights.testing.tls import Certificates, issue_certificates


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return issue_certificates(tmp_path_factory.mktemp("kafka-certificates"))


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("KAFKA_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka-1.example.org:9093")


def settings(monkeypatch: pytest.MonkeyPatch, **variables: object) -> KafkaSettings:
    for name, value in variables.items():
        monkeypatch.setenv(name, str(value))
    return load_settings(KafkaSettings)


def refusal(monkeypatch: pytest.MonkeyPatch, **variables: object) -> str:
    with pytest.raises(SettingsError) as error:
        settings(monkeypatch, **variables)
    return str(error.value)


class TestIncompleteCombinationsAreRefused:
    def test_sasl_without_a_mechanism_names_it(self, monkeypatch: pytest.MonkeyPatch) -> None:
        message = refusal(monkeypatch, KAFKA_SECURITY_PROTOCOL="SASL_SSL")
        assert "KAFKA_SASL_MECHANISM is required with KAFKA_SECURITY_PROTOCOL=SASL_SSL" in message

    @pytest.mark.parametrize("mechanism", ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])
    def test_a_password_mechanism_without_its_password_names_both_ways_to_give_it(
        self, monkeypatch: pytest.MonkeyPatch, mechanism: str
    ) -> None:
        message = refusal(
            monkeypatch,
            KAFKA_SECURITY_PROTOCOL="SASL_SSL",
            KAFKA_SASL_MECHANISM=mechanism,
            KAFKA_SASL_USERNAME="localrights",
        )
        assert (
            f"KAFKA_SASL_MECHANISM={mechanism} needs KAFKA_SASL_PASSWORD "
            "(or KAFKA_SASL_PASSWORD_FILE)" in message
        )

    def test_a_password_mechanism_without_a_username(self, monkeypatch: pytest.MonkeyPatch) -> None:
        message = refusal(
            monkeypatch,
            KAFKA_SECURITY_PROTOCOL="SASL_PLAINTEXT",
            KAFKA_SASL_MECHANISM="SCRAM-SHA-512",
            KAFKA_SASL_PASSWORD="p",
        )
        assert "needs KAFKA_SASL_USERNAME" in message

    def test_oauthbearer_without_a_token_source(self, monkeypatch: pytest.MonkeyPatch) -> None:
        message = refusal(
            monkeypatch, KAFKA_SECURITY_PROTOCOL="SASL_SSL", KAFKA_SASL_MECHANISM="OAUTHBEARER"
        )
        assert "KAFKA_SASL_OAUTH_TOKEN_FILE or KAFKA_SASL_OAUTH_TOKEN_COMMAND" in message

    def test_oauthbearer_with_two_token_sources(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        token = tmp_path / "token"
        token.write_text("t")
        message = refusal(
            monkeypatch,
            KAFKA_SECURITY_PROTOCOL="SASL_SSL",
            KAFKA_SASL_MECHANISM="OAUTHBEARER",
            KAFKA_SASL_OAUTH_TOKEN_FILE=token,
            KAFKA_SASL_OAUTH_TOKEN_COMMAND="print-token",
        )
        assert "not both" in message

    def test_a_client_certificate_without_its_key(
        self, monkeypatch: pytest.MonkeyPatch, certificates: Certificates
    ) -> None:
        message = refusal(
            monkeypatch,
            KAFKA_SECURITY_PROTOCOL="SSL",
            KAFKA_SSL_CERTFILE=certificates.client_cert_file,
        )
        assert "KAFKA_SSL_CERTFILE and KAFKA_SSL_KEYFILE go together" in message

    def test_a_ca_file_that_is_not_there(self, monkeypatch: pytest.MonkeyPatch) -> None:
        message = refusal(
            monkeypatch, KAFKA_SECURITY_PROTOCOL="SSL", KAFKA_SSL_CAFILE="/nowhere/ca.pem"
        )
        assert "KAFKA_SSL_CAFILE=/nowhere/ca.pem: no readable file there" in message

    def test_tls_settings_without_tls_are_refused_not_ignored(
        self, monkeypatch: pytest.MonkeyPatch, certificates: Certificates
    ) -> None:
        message = refusal(monkeypatch, KAFKA_SSL_CAFILE=certificates.ca_file)
        assert "KAFKA_SSL_CAFILE set, but KAFKA_SECURITY_PROTOCOL=PLAINTEXT has no TLS" in message

    def test_credentials_without_sasl_are_refused_not_ignored(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        message = refusal(
            monkeypatch,
            KAFKA_SECURITY_PROTOCOL="SSL",
            KAFKA_SASL_USERNAME="u",
            KAFKA_SASL_PASSWORD="p",
        )
        assert "KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD set, but" in message
        assert "does not authenticate" in message

    def test_an_unknown_mechanism(self, monkeypatch: pytest.MonkeyPatch) -> None:
        message = refusal(
            monkeypatch, KAFKA_SECURITY_PROTOCOL="SASL_SSL", KAFKA_SASL_MECHANISM="GSSAPI"
        )
        assert "invalid setting KAFKA_SASL_MECHANISM" in message


def client_config(inner: Any) -> dict[str, Any]:
    """The configuration an aiokafka client (AIOKafkaClient) opens every connection with."""
    return {
        "bootstrap_servers": inner._bootstrap_servers,
        "security_protocol": inner._security_protocol,
        "ssl_context": inner._ssl_context,
        "sasl_mechanism": inner._sasl_mechanism,
        "sasl_plain_username": inner._sasl_plain_username,
        "sasl_plain_password": inner._sasl_plain_password,
        "sasl_oauth_token_provider": inner._sasl_oauth_token_provider,
    }


async def every_client(kafka: KafkaConnection) -> list[dict[str, Any]]:
    """The connection configuration of a producer, a consumer and an admin client."""
    producer = create_producer(kafka, enable_idempotence=True, client_id="t")
    consumer = create_consumer(kafka, "topic", group_id="g")
    admin = create_admin(kafka)
    configs = [client_config(c) for c in (producer.client, consumer._client, admin._client)]
    await producer.stop()
    await consumer.stop()
    await admin.close()
    return configs


class TestSettingsReachEveryClient:
    async def test_sasl_ssl_with_scram_and_a_ca(
        self, monkeypatch: pytest.MonkeyPatch, certificates: Certificates
    ) -> None:
        kafka = kafka_connection(
            settings(
                monkeypatch,
                KAFKA_SECURITY_PROTOCOL="SASL_SSL",
                KAFKA_SSL_CAFILE=certificates.ca_file,
                KAFKA_SASL_MECHANISM="SCRAM-SHA-512",
                KAFKA_SASL_USERNAME="localrights",
                KAFKA_SASL_PASSWORD="s3cret with spaces",
            )
        )
        assert "s3cret" not in repr(kafka), "a logged connection must not show the password"
        for config in await every_client(kafka):
            assert config["bootstrap_servers"] == "kafka-1.example.org:9093"
            assert config["security_protocol"] == "SASL_SSL"
            assert config["sasl_mechanism"] == "SCRAM-SHA-512"
            assert config["sasl_plain_username"] == "localrights"
            assert config["sasl_plain_password"] == "s3cret with spaces"
            context: ssl.SSLContext = config["ssl_context"]
            assert context.verify_mode == ssl.CERT_REQUIRED
            assert context.check_hostname is True, "hostname verification is on by default"
            [ca] = context.get_ca_certs()
            assert "Testing CA" in str(ca["subject"])

    async def test_mutual_tls_loads_the_client_certificate(
        self, monkeypatch: pytest.MonkeyPatch, certificates: Certificates
    ) -> None:
        kafka = kafka_connection(
            settings(
                monkeypatch,
                KAFKA_SECURITY_PROTOCOL="SSL",
                KAFKA_SSL_CAFILE=certificates.ca_file,
                KAFKA_SSL_CERTFILE=certificates.client_cert_file,
                KAFKA_SSL_KEYFILE=certificates.client_key_file,
                KAFKA_SSL_CHECK_HOSTNAME="false",
            )
        )
        for config in await every_client(kafka):
            assert config["security_protocol"] == "SSL"
            assert config["sasl_mechanism"] == "PLAIN", "aiokafka's default, unused without SASL"
            assert config["ssl_context"].check_hostname is False
            assert config["ssl_context"].verify_mode == ssl.CERT_REQUIRED, "still verified"

    async def test_a_key_that_does_not_match_its_certificate_is_named(
        self, monkeypatch: pytest.MonkeyPatch, certificates: Certificates
    ) -> None:
        loaded = settings(
            monkeypatch,
            KAFKA_SECURITY_PROTOCOL="SSL",
            KAFKA_SSL_CERTFILE=certificates.client_cert_file,
            KAFKA_SSL_KEYFILE=certificates.server_key_file,
        )
        with pytest.raises(SettingsError, match="KAFKA_SSL_CERTFILE=.* with KAFKA_SSL_KEYFILE="):
            kafka_connection(loaded)

    @pytest.mark.parametrize("source", ["file", "command"])
    async def test_oauthbearer_gets_a_token_provider(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, source: str
    ) -> None:
        token = tmp_path / "token"
        token.write_text("the-token\n")
        variable = (
            {"KAFKA_SASL_OAUTH_TOKEN_FILE": token}
            if source == "file"
            else {"KAFKA_SASL_OAUTH_TOKEN_COMMAND": f"cat {token}"}
        )
        kafka = kafka_connection(
            settings(
                monkeypatch,
                KAFKA_SECURITY_PROTOCOL="SASL_SSL",
                KAFKA_SASL_MECHANISM="OAUTHBEARER",
                **variable,
            )
        )
        expected = FileTokenProvider if source == "file" else CommandTokenProvider
        for config in await every_client(kafka):
            assert config["sasl_mechanism"] == "OAUTHBEARER"
            assert isinstance(config["sasl_oauth_token_provider"], expected)
            assert await config["sasl_oauth_token_provider"].token() == "the-token"

    async def test_plaintext_stays_plaintext(self, monkeypatch: pytest.MonkeyPatch) -> None:
        for config in await every_client(kafka_connection(settings(monkeypatch))):
            assert config["security_protocol"] == "PLAINTEXT"
            assert config["ssl_context"] is None


class TestConsumerGroupSession:
    def test_the_session_timeout_is_kafkas_unless_set(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        assert settings(monkeypatch).kafka_session_timeout_ms == 10_000
        tuned = settings(monkeypatch, KAFKA_SESSION_TIMEOUT_MS=6000)
        assert tuned.kafka_session_timeout_ms == 6000

    def test_a_session_shorter_than_a_second_is_refused_by_name(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        assert "KAFKA_SESSION_TIMEOUT_MS" in refusal(monkeypatch, KAFKA_SESSION_TIMEOUT_MS=500)
