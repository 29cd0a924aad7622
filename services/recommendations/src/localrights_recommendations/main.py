"""Recommendations service: ``uvicorn localrights_recommendations.main:create_app --factory``."""

from __future__ import annotations

from fastapi import FastAPI

from localrights.app import create_service_app
from localrights.runtime import ConsumerSpec
from localrights_recommendations.api import routers
from localrights_recommendations.config import Settings, get_settings
from localrights_recommendations.handlers import EVENT_HANDLERS, TOPICS


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        settings=settings or get_settings(),
        title="Localrights recommendations service",
        description="UN recommendations in accessible form, reporting exercises and local input.",
        routers=routers,
        consumers=[ConsumerSpec(name="recommendations", topics=TOPICS, handlers=EVENT_HANDLERS)],
    )
