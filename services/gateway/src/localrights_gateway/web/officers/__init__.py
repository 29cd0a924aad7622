"""Institution officers' pages under /officer: alerts (subscriptions, inbox), their
consultations, and input to the ministry's reporting exercises."""

from __future__ import annotations

from fastapi import APIRouter

from localrights_gateway.web.officers.alerts import router as alerts_router
from localrights_gateway.web.officers.common import api_field_errors, notice, split_list
from localrights_gateway.web.officers.consultations import router as consultations_router
from localrights_gateway.web.officers.exercises import recommendations_of
from localrights_gateway.web.officers.exercises import router as exercises_router
from localrights_gateway.web.officers.follow_up import router as follow_up_router

router = APIRouter(prefix="/officer", include_in_schema=False)
router.include_router(alerts_router)
router.include_router(consultations_router)
router.include_router(exercises_router)
router.include_router(follow_up_router)

__all__ = ["api_field_errors", "notice", "recommendations_of", "router", "split_list"]
