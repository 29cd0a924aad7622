"""Ministry officers' pages under /ministry: their start page, recommendations (browse,
choose, set the level of government), reporting exercises (build, open, follow, remind),
the annex, and imports followed while they run."""

from __future__ import annotations

from fastapi import APIRouter

from localrights_gateway.web.ministry.coverage import router as coverage_router
from localrights_gateway.web.ministry.exercises import router as exercises_router
from localrights_gateway.web.ministry.imports import router as imports_router
from localrights_gateway.web.ministry.recommendations import router as recommendations_router
from localrights_gateway.web.ministry.start import router as start_router

router = APIRouter(include_in_schema=False)
# Coverage before the exercises' actions: /exercises/{id}/remind is not an open/close.
for part in (
    start_router,
    recommendations_router,
    coverage_router,
    exercises_router,
    imports_router,
):
    router.include_router(part, prefix="/ministry")

__all__ = ["router"]
