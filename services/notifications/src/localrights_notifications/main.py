"""Notifications service app: ``uvicorn localrights_notifications.main:create_app --factory``."""

from __future__ import annotations

from typing import cast

from fastapi import FastAPI

from localrights.app import create_service_app
from localrights.db import asyncpg_dsn
from localrights.runtime import ConsumerSpec, ServiceRuntime
from localrights_notifications.api import routers
from localrights_notifications.config import Settings, get_settings
from localrights_notifications.delivery.dispatcher import Dispatcher
from localrights_notifications.handlers import EVENT_HANDLERS
from localrights_notifications.scheduler import run_scheduler


async def dispatcher(runtime: ServiceRuntime) -> None:
    """Send due deliveries until the service stops."""
    settings = cast(Settings, runtime.settings)
    await Dispatcher(
        settings=settings, sessions=runtime.sessions, dsn=asyncpg_dsn(settings.database_url)
    ).run(runtime.stopping)


async def scheduler(runtime: ServiceRuntime) -> None:
    """Deadline reminders and daily digests until the service stops."""
    settings = cast(Settings, runtime.settings)
    await run_scheduler(
        sessions=runtime.sessions,
        offsets=settings.reminder_days,
        digest_at=settings.digest_time,
        interval=settings.scheduler_interval,
        stopping=runtime.stopping,
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        settings=settings or get_settings(),
        title="Localrights notifications service",
        description="UN review and country-visit alerts delivered to subscribed institutions.",
        routers=routers,
        consumers=[ConsumerSpec(name="notifications", handlers=EVENT_HANDLERS)],
        background=[dispatcher, scheduler],
    )
