"""Every secret setting of every service can come from a mounted file (``<NAME>_FILE``)."""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import pytest
from pydantic import SecretStr
from pydantic_settings import BaseSettings

from localrights.secret_files import env_names, secret_settings
from localrights.settings import load_settings
from localrights.testing.tls import Certificates

SECRETS = {
    "consultation": [
        "CONSULTATION_DATABASE_URL",
        "INTERNAL_JWT_SECRET",
        "KAFKA_SASL_PASSWORD",
        "KAFKA_SSL_KEY_PASSWORD",
    ],
    "notifications": [
        "INTERNAL_JWT_SECRET",
        "KAFKA_SASL_PASSWORD",
        "KAFKA_SSL_KEY_PASSWORD",
        "NOTIFICATIONS_DATABASE_URL",
        "NOTIFICATIONS_SMTP_PASSWORD",
    ],
    "recommendations": [
        "INTERNAL_JWT_SECRET",
        "KAFKA_SASL_PASSWORD",
        "KAFKA_SSL_KEY_PASSWORD",
        "RECOMMENDATIONS_DATABASE_URL",
    ],
    "gateway": [
        "GATEWAY_API_KEY_SECRET",
        "GATEWAY_BOOTSTRAP_ADMIN_PASSWORD",
        "GATEWAY_DATABASE_URL",
        "GATEWAY_JWT_SECRET",
        "GATEWAY_RATE_LIMIT_STORAGE_URI",
        "INTERNAL_JWT_SECRET",
        "KAFKA_SASL_PASSWORD",
        "KAFKA_SSL_KEY_PASSWORD",
    ],
}

# A value each secret accepts, and that no default or other variable could give.
FROM_FILE = {
    "DATABASE_URL": "postgresql://app:from-a-file@db.example.org:5432/{service}",
    "INTERNAL_JWT_SECRET": "internal secret from a file, 32+ characters long",
    "KAFKA_SASL_PASSWORD": "sasl password from a file",
    "KAFKA_SSL_KEY_PASSWORD": "key password from a file",
    "NOTIFICATIONS_SMTP_PASSWORD": "smtp password from a file",
    "GATEWAY_API_KEY_SECRET": "api key secret from a file",
    "GATEWAY_BOOTSTRAP_ADMIN_PASSWORD": "admin password from a file",
    "GATEWAY_JWT_SECRET": "gateway jwt secret from a file, 32+ characters",
    "GATEWAY_RATE_LIMIT_STORAGE_URI": "redis://:from-a-file@redis.example.org:6379/0",
}


def settings_class(service: str) -> type[BaseSettings]:
    model: type[BaseSettings] = importlib.import_module(f"localrights_{service}.config").Settings
    return model


def complete_environment(service: str, certificates: Certificates) -> dict[str, str]:
    """Every setting a service needs, with SASL_SSL and a client certificate, so that every
    secret is in use."""
    return {
        f"{service.upper()}_DATABASE_URL": f"postgresql://app:pw@db.example.org/{service}",
        "INTERNAL_JWT_SECRET": "i" * 40,
        "GATEWAY_JWT_SECRET": "g" * 40,
        "KAFKA_BOOTSTRAP_SERVERS": "kafka.example.org:9093",
        "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
        "KAFKA_SSL_CAFILE": str(certificates.ca_file),
        "KAFKA_SSL_CERTFILE": str(certificates.client_cert_file),
        "KAFKA_SSL_KEYFILE": str(certificates.client_key_file),
        "KAFKA_SSL_KEY_PASSWORD": "key password",
        "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
        "KAFKA_SASL_USERNAME": "localrights",
        "KAFKA_SASL_PASSWORD": "sasl password",
    }


@pytest.mark.parametrize("service", SECRETS)
def test_these_are_all_the_secrets_of_the_service(service: str) -> None:
    assert sorted(secret_settings(settings_class(service))) == SECRETS[service]


@pytest.mark.parametrize(
    ("service", "variable"),
    [(service, variable) for service, variables in SECRETS.items() for variable in variables],
)
def test_each_secret_is_read_from_its_file(
    service: str,
    variable: str,
    certificates: Certificates,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in list(os.environ):
        if name.startswith(("KAFKA_", "GATEWAY_", "INTERNAL_", f"{service.upper()}_")):
            monkeypatch.delenv(name)
    for name, value in complete_environment(service, certificates).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv(variable, raising=False)
    key = variable.removeprefix(f"{service.upper()}_") if "DATABASE_URL" in variable else variable
    expected = FROM_FILE[key].format(service=service)
    mounted = tmp_path / "mounted-secret"
    mounted.write_text(expected + "\n")  # as `kubectl create secret --from-file` leaves it
    monkeypatch.setenv(f"{variable}_FILE", str(mounted))

    model = settings_class(service)
    settings = load_settings(model)

    [field] = [name for name in model.model_fields if env_names(model, name)[0] == variable]
    value = getattr(settings, field)
    assert (value.get_secret_value() if isinstance(value, SecretStr) else value) == expected
