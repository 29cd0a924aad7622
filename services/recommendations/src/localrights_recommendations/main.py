"""Recommendations service: ``uvicorn localrights_recommendations.main:create_app --factory``."""

from __future__ import annotations

from typing import cast

from fastapi import FastAPI

from localrights.app import create_service_app
from localrights.runtime import ConsumerSpec, ServiceRuntime
from localrights.uow import event_source
from localrights_recommendations.api import routers
from localrights_recommendations.config import Settings, get_settings
from localrights_recommendations.handlers import EVENT_HANDLERS
from localrights_recommendations.service.reminders import run_reminders


async def indicator_reminders(runtime: ServiceRuntime) -> None:
    """Reminders of indicator values falling due, until the service stops."""
    settings = cast(Settings, runtime.settings)
    await run_reminders(
        sessions=runtime.sessions,
        source=event_source(settings.service_name),
        lead_days=settings.indicator_reminder_days,
        interval=settings.indicator_reminder_interval,
        stopping=runtime.stopping,
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        settings=settings or get_settings(),
        title="Localrights recommendations service",
        description="UN recommendations in accessible form, reporting exercises and local input.",
        routers=routers,
        consumers=[ConsumerSpec(name="recommendations", handlers=EVENT_HANDLERS)],
        background=[indicator_reminders],
    )
