"""Institution officers' pages under /officer: their start page, alerts (inbox and
subscriptions), their consultations, and input to the ministry's reporting exercises."""

from __future__ import annotations

from fastapi import APIRouter

from localrights_gateway.web.officers.common import api_field_errors, notice
from localrights_gateway.web.officers.consultation_editor import router as editor_router
from localrights_gateway.web.officers.consultations import router as consultations_router
from localrights_gateway.web.officers.exercises import recommendations_of
from localrights_gateway.web.officers.exercises import router as exercises_router
from localrights_gateway.web.officers.follow_up import router as follow_up_router
from localrights_gateway.web.officers.inbox import router as inbox_router
from localrights_gateway.web.officers.start import router as start_router
from localrights_gateway.web.officers.subscriptions import router as subscriptions_router

router = APIRouter(include_in_schema=False)
# The prefix is given here, so the start page is /officer itself (no trailing slash).
# The editor before the list's actions: /consultations/{id}/edit is not an action.
for part in (
    start_router,
    inbox_router,
    subscriptions_router,
    editor_router,
    consultations_router,
    exercises_router,
    follow_up_router,
):
    router.include_router(part, prefix="/officer")

__all__ = ["api_field_errors", "notice", "recommendations_of", "router"]
