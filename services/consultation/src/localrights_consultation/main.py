"""Consultation service app: ``uvicorn localrights_consultation.main:create_app --factory``."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import cast

import structlog
from fastapi import FastAPI

from localrights.app import create_service_app
from localrights.runtime import ServiceRuntime
from localrights_consultation import service
from localrights_consultation.api import routers
from localrights_consultation.config import Settings, get_settings
from localrights_consultation.ingest import IngestPool

log = structlog.get_logger(__name__)


async def close_due_consultations(runtime: ServiceRuntime) -> None:
    """Background task: close consultations at their closing time, on every replica safely."""
    interval = cast(Settings, runtime.settings).close_interval_seconds
    while not runtime.stopping.is_set():
        try:
            async with runtime.sessions() as session, runtime.unit_of_work(session) as uow:
                closed = await service.close_due_consultations(uow)
            if closed:
                log.info("consultations_closed_on_schedule", ids=[str(c) for c in closed])
        except Exception as exc:  # the schedule must outlive a database outage
            log.warning("scheduled_close_failed", error=repr(exc))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(runtime.stopping.wait(), timeout=interval)


@contextlib.asynccontextmanager
async def ingest_pool(app: FastAPI) -> AsyncIterator[None]:
    """The fast path's own connections for responses, open while the service runs."""
    await app.state.ingest.start()
    try:
        yield
    finally:
        await app.state.ingest.close()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = create_service_app(
        settings=settings,
        title="Localrights consultation service",
        description="Public consultation rounds that residents answer, with private, "
        "disaggregated results.",
        routers=routers,
        background=[close_due_consultations],
        resources=[ingest_pool],
    )
    app.state.definitions = service.DefinitionCache()
    app.state.ingest = IngestPool(settings.database_url, size=settings.ingest_pool_size)
    return app
