"""Settings fail at start with the names of what is missing."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from pydantic_settings import SettingsConfigDict

from localrights.settings import ServiceSettings, SettingsError, load_settings


class ExampleSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EXAMPLE_", extra="ignore")


def test_missing_required_settings_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("EXAMPLE_DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS", "INTERNAL_JWT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SettingsError) as error:
        load_settings(ExampleSettings)
    message = str(error.value)
    assert "missing required setting EXAMPLE_DATABASE_URL" in message
    assert "missing required setting KAFKA_BOOTSTRAP_SERVERS" in message
    assert "missing required setting INTERNAL_JWT_SECRET" in message


def test_a_placeholder_secret_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXAMPLE_DATABASE_URL", "postgresql://x@localhost/db")
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092")
    monkeypatch.setenv("INTERNAL_JWT_SECRET", "changethis")
    with pytest.raises(SettingsError, match="invalid setting INTERNAL_JWT_SECRET"):
        load_settings(ExampleSettings)


@pytest.mark.parametrize(
    ("service", "environment", "named"),
    [
        (
            "consultation",
            {"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1", "INTERNAL_JWT_SECRET": "x" * 40},
            "missing required setting CONSULTATION_DATABASE_URL",
        ),
        (
            "recommendations",
            {
                "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1",
                "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
                "INTERNAL_JWT_SECRET": "x" * 40,
                "RECOMMENDATIONS_DATABASE_URL": "postgresql://u@127.0.0.1:1/r",
            },
            "KAFKA_SASL_MECHANISM is required with KAFKA_SECURITY_PROTOCOL=SASL_SSL",
        ),
    ],
)
def test_a_service_process_refuses_to_start_naming_the_setting(
    service: str, environment: dict[str, str], named: str
) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith((f"{service.upper()}_", "KAFKA_", "INTERNAL_"))
    }
    env.update(environment)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            f"localrights_{service}.main:create_app",
            "--port",
            "0",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0
    assert named in proc.stderr + proc.stdout
