"""The app factory's hooks: resources inside the runtime, extra health checks, derived topics."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager

import pytest
from fastapi import FastAPI
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.app import HealthCheck, Resource, Unhealthy, create_service_app
from localrights.events import Envelope, EventPayload, UnknownEventType
from localrights.runtime import ConsumerSpec
from localrights.settings import ServiceSettings
from localrights.testing.helpers import running_app


async def _ignore(_session: AsyncSession, _envelope: Envelope, _payload: EventPayload) -> None:
    return None


def _app(
    database_url: str,
    bootstrap: str,
    prefix: str,
    *,
    resources: Sequence[Resource] = (),
    health_checks: Mapping[str, HealthCheck] | None = None,
) -> FastAPI:
    settings = ServiceSettings(
        database_url=database_url,
        kafka_bootstrap_servers=bootstrap,
        kafka_topic_prefix=prefix,
        internal_jwt_secret="s" * 40,
        gc_tuning=False,
        service_name="hooks",
    )
    return create_service_app(
        settings=settings,
        title="hooks",
        description="hooks",
        routers=[],
        resources=resources,
        health_checks=health_checks,
    )


class TestStartUpResources:
    async def test_resources_open_inside_the_runtime_in_order_and_close_in_reverse(
        self, database_url: str, kafka_bootstrap_servers: str, topic_prefix: str
    ) -> None:
        seen: list[str] = []

        def resource(name: str) -> Resource:
            @asynccontextmanager
            async def open_(app: FastAPI) -> AsyncIterator[None]:
                running = not app.state.runtime.stopping.is_set()
                seen.append(f"open {name} (runtime running: {running})")
                yield
                running = not app.state.runtime.stopping.is_set()
                seen.append(f"close {name} (runtime running: {running})")

            return open_

        app = _app(
            database_url,
            kafka_bootstrap_servers,
            topic_prefix,
            resources=[resource("pool"), resource("client")],
        )
        async with running_app(app):
            assert seen == [
                "open pool (runtime running: True)",
                "open client (runtime running: True)",
            ]
        assert seen[2:] == [
            "close client (runtime running: True)",
            "close pool (runtime running: True)",
        ]


class TestHealthChecks:
    async def test_an_extra_check_joins_healthz_and_names_what_failed(
        self, database_url: str, kafka_bootstrap_servers: str, topic_prefix: str
    ) -> None:
        async def fine(_app: FastAPI) -> None:
            return None

        async def broken(_app: FastAPI) -> None:
            raise Unhealthy("status 500")

        app = _app(
            database_url,
            kafka_bootstrap_servers,
            topic_prefix,
            health_checks={"mailer": fine, "search": broken},
        )
        async with running_app(app) as client:
            health = await client.get("/healthz")
            assert health.status_code == 503
            assert health.json() == {
                "status": "unavailable",
                "service": "hooks",
                "checks": {
                    "database": "ok",
                    "broker": "ok",
                    "mailer": "ok",
                    "search": "error: status 500",
                },
            }

    async def test_readiness_stays_on_the_process_own_database_and_broker(
        self, database_url: str, kafka_bootstrap_servers: str, topic_prefix: str
    ) -> None:
        async def broken(_app: FastAPI) -> None:
            raise Unhealthy("down")

        app = _app(
            database_url, kafka_bootstrap_servers, topic_prefix, health_checks={"search": broken}
        )
        async with running_app(app) as client:
            ready = await client.get("/readyz")
            assert ready.status_code == 200
            assert set(ready.json()["checks"]) == {"database", "broker"}


class TestConsumerTopics:
    def test_topics_are_those_of_the_handled_event_types_each_once(self) -> None:
        spec = ConsumerSpec(
            name="reader",
            handlers={
                "alert.published": _ignore,
                "alert.cancelled": _ignore,
                "consultation.opened": _ignore,
            },
        )
        assert spec.topics == ["alert.events", "consultation.events"]

    def test_a_handler_of_an_unknown_event_type_is_refused(self) -> None:
        spec = ConsumerSpec(name="reader", handlers={"alert.misspelt": _ignore})
        with pytest.raises(UnknownEventType):
            _ = spec.topics
