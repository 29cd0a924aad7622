"""Checking before sending: an alert's reach, a calendar's alerts, a webhook's test delivery;
and the Special Rapporteurs' mandates alerts and subscriptions name."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from fastapi import APIRouter, Query, Request, status

from localrights.db import SessionDep
from localrights.errors import problem_responses
from localrights_notifications import outreach, service
from localrights_notifications.deps import AlertPublisher, SettingsDep, SubscriptionOwner
from localrights_notifications.mandates import MANDATES
from localrights_notifications.schemas import AlertCreate
from localrights_notifications.schemas_outreach import (
    AlertPreviewRead,
    CalendarImportRead,
    MandateRead,
    WebhookCheckRead,
)

router = APIRouter(tags=["alerts"])

_CALENDAR_BODY = {
    "requestBody": {
        "required": True,
        "description": "A calendar of UN sessions: CSV (a header row naming Country or State "
        "under review, and dates) or iCalendar, sent as the body",
        "content": {
            "text/csv": {"schema": {"type": "string", "format": "binary"}},
            "text/calendar": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


def _today() -> datetime:
    return datetime.now(UTC)


@router.post(
    "/alerts/preview",
    response_model=AlertPreviewRead,
    responses=problem_responses(401, 403, 422),
)
async def preview_alert(
    data: AlertCreate, session: SessionDep, settings: SettingsDep, _: AlertPublisher
) -> AlertPreviewRead:
    """Who an alert would reach and when it would remind them, without publishing it."""
    return await outreach.preview_alert(
        session=session, data=data, offsets=settings.reminder_days, today=_today().date()
    )


@router.post(
    "/alerts/import",
    response_model=CalendarImportRead,
    responses=problem_responses(401, 403, 422),
    openapi_extra=_CALENDAR_BODY,
)
async def import_calendar(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: AlertPublisher,
    dry_run: bool = Query(default=True, description="Only show the alerts (the default)"),
) -> CalendarImportRead:
    """Read a calendar of UN sessions as alerts and reminders; publish them unless dry_run."""
    return await outreach.import_calendar(
        session=session,
        data=await request.body(),
        content_type=request.headers.get("content-type"),
        publish=not dry_run,
        published_by=principal.subject,
        offsets=settings.reminder_days,
        today=_today().date(),
    )


@router.get("/mandates", response_model=list[MandateRead], tags=["subscriptions"])
async def list_mandates() -> list[MandateRead]:
    """The Special Procedures' thematic mandates, by the short name alerts carry (public)."""
    return [MandateRead(code=m.code, name=m.name) for m in MANDATES]


@router.post(
    "/subscriptions/{subscription_id}/test",
    status_code=status.HTTP_200_OK,
    response_model=WebhookCheckRead,
    tags=["subscriptions"],
    responses=problem_responses(401, 403, 404, 422),
)
async def send_test_delivery(
    subscription_id: UUID, session: SessionDep, owner: SubscriptionOwner, settings: SettingsDep
) -> WebhookCheckRead:
    """Send a signed test event to one of the caller's webhook subscriptions, now."""
    subscription = await service.get_subscription_or_raise(
        session=session, id=subscription_id, owner=owner
    )
    return await outreach.check_webhook(
        subscription=subscription,
        allowed_hosts=settings.webhook_allowed_hosts,
        timeout=settings.webhook_timeout,
    )
