"""Consultation service app: ``uvicorn localrights_consultation.main:create_app --factory``."""

from __future__ import annotations

from fastapi import FastAPI

from localrights.app import create_service_app
from localrights_consultation.api import router
from localrights_consultation.config import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        settings=settings or get_settings(),
        title="Localrights consultation service",
        description="Public consultation rounds that residents answer.",
        routers=[router],
    )
