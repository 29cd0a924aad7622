"""Secrets from files (``<NAME>_FILE``), and the database's TLS settings, as the shared
settings base reads them. Every service's own secrets: tests/managed/test_secret_files.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic_settings import SettingsConfigDict

from localrights.secret_files import secret_settings
from localrights.settings import ServiceSettings, SettingsError, database_settings, load_settings


class ExampleSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EXAMPLE_", extra="ignore")


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("KAFKA_", "EXAMPLE_", "INTERNAL_JWT_SECRET")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("EXAMPLE_DATABASE_URL", "postgresql://app:pw@db.example.org:5432/example")
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")
    monkeypatch.setenv("INTERNAL_JWT_SECRET", "i" * 40)


def secret_file(directory: Path, content: str) -> Path:
    path = directory / "secret"
    path.write_text(content)
    return path


class TestSecretsFromFiles:
    def test_the_shared_secrets_are_the_ones_marked(self) -> None:
        assert sorted(secret_settings(ExampleSettings)) == [
            "EXAMPLE_DATABASE_URL",
            "INTERNAL_JWT_SECRET",
            "KAFKA_SASL_PASSWORD",
            "KAFKA_SSL_KEY_PASSWORD",
        ]

    def test_a_file_gives_the_value_less_its_final_line_break(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        monkeypatch.delenv("INTERNAL_JWT_SECRET")
        monkeypatch.setenv(
            "INTERNAL_JWT_SECRET_FILE", str(secret_file(tmp_path, " a secret " + "z" * 32 + "\n"))
        )
        settings = load_settings(ExampleSettings)
        assert settings.internal_jwt_secret.get_secret_value() == " a secret " + "z" * 32

    def test_setting_both_the_value_and_the_file_is_refused(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        monkeypatch.setenv("INTERNAL_JWT_SECRET_FILE", str(secret_file(tmp_path, "x" * 40)))
        with pytest.raises(
            SettingsError, match="both INTERNAL_JWT_SECRET and INTERNAL_JWT_SECRET_FILE are set"
        ):
            load_settings(ExampleSettings)

    def test_an_unreadable_file_is_named_with_its_path(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delenv("EXAMPLE_DATABASE_URL")
        monkeypatch.setenv("EXAMPLE_DATABASE_URL_FILE", "/run/secrets/nothing-here")
        with pytest.raises(SettingsError) as error:
            load_settings(ExampleSettings)
        assert str(error.value) == (
            "cannot read EXAMPLE_DATABASE_URL_FILE=/run/secrets/nothing-here: "
            "No such file or directory"
        )

    def test_a_missing_secret_says_it_may_come_from_a_file(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delenv("INTERNAL_JWT_SECRET")
        with pytest.raises(SettingsError) as error:
            load_settings(ExampleSettings)
        assert "missing required setting INTERNAL_JWT_SECRET (or INTERNAL_JWT_SECRET_FILE)" in str(
            error.value
        )

    def test_a_secret_from_a_file_is_validated_like_any_other(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        monkeypatch.delenv("INTERNAL_JWT_SECRET")
        monkeypatch.setenv("INTERNAL_JWT_SECRET_FILE", str(secret_file(tmp_path, "changeme\n")))
        with pytest.raises(SettingsError, match="invalid setting INTERNAL_JWT_SECRET"):
            load_settings(ExampleSettings)

    def test_a_plain_setting_has_no_file_variant(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        monkeypatch.setenv("LOG_LEVEL_FILE", str(secret_file(tmp_path, "DEBUG")))
        assert load_settings(ExampleSettings).log_level == "INFO"


class TestDatabaseTls:
    def test_the_tls_settings_go_into_the_url_every_connection_is_opened_from(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        ca = secret_file(tmp_path, "a CA")
        monkeypatch.setenv("EXAMPLE_DATABASE_SSLMODE", "verify-full")
        monkeypatch.setenv("EXAMPLE_DATABASE_SSLROOTCERT", str(ca))
        url = load_settings(ExampleSettings).database_url
        assert url == (
            "postgresql://app:pw@db.example.org:5432/example"
            f"?sslmode=verify-full&sslrootcert={str(ca).replace('/', '%2F')}"
        )

    def test_a_providers_url_with_its_own_sslmode_is_kept(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("EXAMPLE_DATABASE_URL", "postgresql://a:b@db/x?sslmode=require")
        assert load_settings(ExampleSettings).database_url.endswith("?sslmode=require")

    def test_verify_full_without_a_ca_names_the_setting(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("EXAMPLE_DATABASE_SSLMODE", "verify-full")
        with pytest.raises(SettingsError) as error:
            load_settings(ExampleSettings)
        assert "EXAMPLE_DATABASE_SSLMODE=verify-full needs EXAMPLE_DATABASE_SSLROOTCERT" in str(
            error.value
        )

    def test_a_setting_that_contradicts_the_url_is_refused(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("EXAMPLE_DATABASE_URL", "postgresql://a:b@db/x?sslmode=disable")
        monkeypatch.setenv("EXAMPLE_DATABASE_SSLMODE", "require")
        with pytest.raises(SettingsError, match="EXAMPLE_DATABASE_URL says sslmode=disable"):
            load_settings(ExampleSettings)

    def test_a_client_certificate_without_its_key(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        monkeypatch.setenv("EXAMPLE_DATABASE_SSLCERT", str(secret_file(tmp_path, "cert")))
        with pytest.raises(
            SettingsError, match="EXAMPLE_DATABASE_SSLCERT and EXAMPLE_DATABASE_SSLKEY"
        ):
            load_settings(ExampleSettings)

    def test_migrations_read_the_same_settings_without_the_rest(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        for name in ("KAFKA_BOOTSTRAP_SERVERS", "INTERNAL_JWT_SECRET", "EXAMPLE_DATABASE_URL"):
            monkeypatch.delenv(name)
        url = "postgresql://migrator:pw@db/example"
        monkeypatch.setenv("EXAMPLE_DATABASE_URL_FILE", str(secret_file(tmp_path, url + "\n")))
        monkeypatch.setenv("EXAMPLE_DATABASE_SSLMODE", "require")
        assert database_settings("example").database_url == url + "?sslmode=require"
