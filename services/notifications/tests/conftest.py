"""Fixtures of the notifications tests: the service on real PostgreSQL and broker, a local
HTTP sink for webhooks (aiohttp) and a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from aiohttp import web
from aiokafka import AIOKafkaProducer
from aiosmtpd.controller import Controller
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.auth import Role
from localrights.embedded import free_port
from localrights.events import Envelope
from localrights.testing.helpers import bearer, running_app
from localrights.testing.plugin import MigratedDatabase
from localrights_notifications.config import Settings
from localrights_notifications.main import create_app

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


@dataclass
class Received:
    at: float
    headers: dict[str, str]
    body: bytes


@dataclass
class Sink:
    """A webhook receiver on 127.0.0.1: answers per path as scripted, records every call."""

    base_url: str = ""
    # path -> answers to give in turn: (status, headers), "hang", or seconds as a float to
    # wait before answering 200; then 200.
    script: dict[str, list[Any]] = field(default_factory=dict)
    always: dict[str, Any] = field(default_factory=dict)
    received: dict[str, list[Received]] = field(default_factory=lambda: defaultdict(list))

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        self.received[request.path].append(Received(time.monotonic(), dict(request.headers), body))
        answers = self.script.get(request.path)
        answer = answers.pop(0) if answers else self.always.get(request.path, (200, {}))
        if answer == "hang":
            await asyncio.sleep(3600)
        if isinstance(answer, float):
            await asyncio.sleep(answer)
            answer = (200, {})
        status, headers = answer
        return web.Response(status=status, headers=headers, text="ok")


@pytest.fixture
async def sink() -> AsyncIterator[Sink]:
    sink = Sink()
    app = web.Application()
    app.router.add_route("POST", "/{tail:.*}", sink.handle)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    port = free_port()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    sink.base_url = f"http://127.0.0.1:{port}"
    yield sink
    await runner.cleanup()


class Mailbox:
    """aiosmtpd handler keeping every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield mailbox, port
    controller.stop()


SettingsFactory = Callable[..., Settings]


@pytest.fixture
async def make_settings(
    migrated_database: MigratedDatabase,
    kafka_bootstrap_servers: str,
    topic_prefix: str,
    internal_jwt_secret: str,
) -> SettingsFactory:
    url = await migrated_database(MIGRATIONS)

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "database_url": url,
            "kafka_bootstrap_servers": kafka_bootstrap_servers,
            "kafka_topic_prefix": topic_prefix,
            "internal_jwt_secret": internal_jwt_secret,
            "log_json": False,
            "webhook_allowed_hosts": ["127.0.0.1"],
            "backoff_base": 0.05,
            "backoff_max": 1.0,
            "max_attempts": 3,
            "dispatch_poll_interval": 0.1,
            "slow_call_after": 0.2,
            "webhook_timeout": 2.0,
            "breaker_threshold": 1000,
            "scheduler_interval": 3600.0,
        }
        values.update(overrides)
        return Settings(**values)

    return make


@dataclass
class Service:
    app: FastAPI
    client: httpx.AsyncClient
    settings: Settings
    secret: str

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        return self.app.state.runtime.sessions  # type: ignore[no-any-return]

    def publisher(self) -> dict[str, str]:
        return bearer(self.secret, Role.ALERT_PUBLISHER)

    def admin(self) -> dict[str, str]:
        return bearer(self.secret, Role.ADMIN)

    def officer(self, institution_id: UUID) -> dict[str, str]:
        return bearer(self.secret, Role.INSTITUTION_OFFICER, institution_id=institution_id)

    async def publish(self, **fields: Any) -> dict[str, Any]:
        response = await self.client.post(
            "/api/v1/alerts", json=alert_body(**fields), headers=self.publisher()
        )
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    async def subscribe(self, institution_id: UUID, **fields: Any) -> dict[str, Any]:
        body = {"channel": "inbox", **fields}
        response = await self.client.post(
            "/api/v1/subscriptions", json=body, headers=self.officer(institution_id)
        )
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    async def send_event(self, envelope: Envelope, topic: str) -> None:
        """Put an event on a topic as another service's relay would."""
        producer = AIOKafkaProducer(bootstrap_servers=self.settings.kafka_bootstrap_servers)
        await producer.start()
        try:
            await producer.send_and_wait(
                self.settings.kafka_topic_prefix + topic,
                envelope.to_json_bytes(),
                key=(envelope.subject or envelope.id).encode(),
            )
        finally:
            await producer.stop()


def alert_body(**fields: Any) -> dict[str, Any]:
    """A valid treaty-body review alert, changed by ``fields``."""
    body: dict[str, Any] = {
        "kind": "treaty_body_review",
        "stage": "dialogue",
        "country": "UY",
        "mechanism": "CERD",
        "title": {"en": "CERD reviews Uruguay", "es": "El CERD examina a Uruguay"},
        "body": {"en": "Constructive dialogue in Geneva."},
        "how_to_take_part": {"en": "Send a written submission to the Committee."},
        "starts_on": "2030-08-10",
        "ends_on": "2030-08-11",
        "deadline": "2030-07-01",
        "themes": ["racial-discrimination"],
        "source_url": "https://www.ohchr.org/en/treaty-bodies/cerd",
    }
    body.update(fields)
    return {k: v for k, v in body.items() if v is not ...}


@pytest.fixture
async def service(
    make_settings: SettingsFactory, internal_jwt_secret: str
) -> AsyncIterator[Service]:
    settings = make_settings()
    app = create_app(settings)
    async with running_app(app) as client:
        yield Service(app, client, settings, internal_jwt_secret)


@pytest.fixture
def institution() -> Callable[[], UUID]:
    return uuid4


@pytest.fixture
def start_service(make_settings: SettingsFactory, internal_jwt_secret: str) -> Callable[..., Any]:
    """``async with start_service(**settings) as service``: the service with other settings."""
    import contextlib

    @contextlib.asynccontextmanager
    async def start(**overrides: Any) -> AsyncIterator[Service]:
        settings = make_settings(**overrides)
        app = create_app(settings)
        async with running_app(app) as client:
            yield Service(app, client, settings, internal_jwt_secret)

    return start
