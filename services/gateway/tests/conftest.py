"""Fixtures of the gateway tests: the gateway in process, real services as local uvicorn apps.

The upstreams are small FastAPI apps served by a real uvicorn on 127.0.0.1, so the proxy's
pooled aiohttp connections, timeouts and refused connections are the real thing.
"""

from __future__ import annotations

import secrets
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

# Test modules import the kit by name (pytest runs with --import-mode=importlib).
sys.path.insert(0, str(Path(__file__).resolve().parent))

from gateway_testkit import (  # noqa: E402
    ADMIN,
    MIGRATIONS,
    GatewayFactory,
    OtherThing,
    echo_service,
    serve,
)

from localrights.testing.helpers import running_app  # noqa: E402
from localrights_gateway.config import Settings  # noqa: E402
from localrights_gateway.main import create_app  # noqa: E402


@pytest.fixture(scope="session")
async def upstreams(internal_jwt_secret: str) -> AsyncIterator[dict[str, str]]:
    """Three running stand-in services, by service name."""
    async with (
        serve(echo_service("consultation", internal_jwt_secret)) as consultation,
        serve(
            echo_service("notifications", internal_jwt_secret, clash_shape=OtherThing)
        ) as notifications,
        serve(echo_service("recommendations", internal_jwt_secret)) as recommendations,
    ):
        yield {
            "consultation": consultation,
            "notifications": notifications,
            "recommendations": recommendations,
        }


@pytest.fixture(scope="session")
def gateway_jwt_secret() -> str:
    return secrets.token_urlsafe(48)


@pytest.fixture
async def gateway_settings(
    migrated_database: Callable[[Path], Awaitable[str]],
    kafka_bootstrap_servers: str,
    internal_jwt_secret: str,
    gateway_jwt_secret: str,
    topic_prefix: str,
    upstreams: dict[str, str],
) -> GatewayFactory:
    """``await gateway_settings(**overrides)``: settings on a fresh database at head."""

    async def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "database_url": await migrated_database(MIGRATIONS),
            "kafka_bootstrap_servers": kafka_bootstrap_servers,
            "internal_jwt_secret": internal_jwt_secret,
            "jwt_secret": gateway_jwt_secret,
            "kafka_topic_prefix": topic_prefix,
            "log_json": False,
            "consultation_url": upstreams["consultation"],
            "notifications_url": upstreams["notifications"],
            "recommendations_url": upstreams["recommendations"],
            "bootstrap_admin_email": ADMIN[0],
            "bootstrap_admin_password": ADMIN[1],
            "rate_limit_default": "10000/minute",
            "rate_limit_responses": "10000/minute",
            "rate_limit_login": "10000/minute",
        }
        values.update(overrides)
        return Settings(**values)

    return make


@pytest.fixture
async def gateway(gateway_settings: GatewayFactory) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway with default test settings, running, as an HTTP client."""
    async with running_app(create_app(await gateway_settings())) as client:
        yield client
