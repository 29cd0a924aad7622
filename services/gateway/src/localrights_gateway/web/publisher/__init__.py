"""Alert publishers' pages under /publisher: their start page, alerts (publish with a check
of who will receive them, edit, cancel, deliveries and replays) and calendars of UN sessions
imported as alerts."""

from __future__ import annotations

from fastapi import APIRouter

from localrights_gateway.web.publisher.alerts import router as alerts_router
from localrights_gateway.web.publisher.calendar import router as calendar_router
from localrights_gateway.web.publisher.deliveries import router as deliveries_router

router = APIRouter(include_in_schema=False)
# The prefix is given here, so the start page is /publisher itself (no trailing slash).
router.include_router(alerts_router, prefix="/publisher")
router.include_router(deliveries_router, prefix="/publisher")
router.include_router(calendar_router, prefix="/publisher")

__all__ = ["router"]
