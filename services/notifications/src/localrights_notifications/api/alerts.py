"""Alerts: published by alert publishers, readable by anyone."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, status

from localrights.db import SessionDep
from localrights.errors import problem_responses
from localrights.schemas import Page
from localrights.uow import UnitOfWorkDep
from localrights_notifications import service
from localrights_notifications.deps import AlertPublisher, ValidAlert
from localrights_notifications.models import Alert
from localrights_notifications.schemas import AlertCreate, AlertKind, AlertRead, AlertUpdate

router = APIRouter(prefix="/alerts", tags=["alerts"])


def read_alert(alert: Alert) -> AlertRead:
    return AlertRead.model_validate(alert, from_attributes=True)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=AlertRead,
    responses=problem_responses(401, 403, 422),
)
async def publish_alert(
    data: AlertCreate, uow: UnitOfWorkDep, principal: AlertPublisher
) -> AlertRead:
    """Publish an alert; matching subscribers are notified."""
    async with uow:
        alert = await service.publish_alert(uow, data=data, published_by=principal.subject)
    return read_alert(alert)


@router.get("", response_model=Page[AlertRead], responses=problem_responses(422))
async def list_alerts(
    session: SessionDep,
    country: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$")] = None,
    mechanism: str | None = None,
    kind: AlertKind | None = None,
    theme: str | None = None,
    from_: Annotated[date | None, Query(alias="from")] = None,
    to: date | None = None,
    include_cancelled: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[AlertRead]:
    """Alerts, newest first, filtered by country, mechanism, kind, theme and dates (public)."""
    items, total = await service.list_alerts(
        session=session,
        country=country,
        mechanism=mechanism,
        kind=kind,
        theme=theme,
        from_=from_,
        to=to,
        include_cancelled=include_cancelled,
        limit=limit,
        offset=offset,
    )
    return Page(items=[read_alert(a) for a in items], total=total, limit=limit, offset=offset)


@router.get("/{alert_id}", response_model=AlertRead, responses=problem_responses(404))
async def get_alert(alert: ValidAlert) -> AlertRead:
    """One alert (public)."""
    return read_alert(alert)


@router.patch(
    "/{alert_id}", response_model=AlertRead, responses=problem_responses(401, 403, 404, 409, 422)
)
async def update_alert(
    alert: ValidAlert, data: AlertUpdate, uow: UnitOfWorkDep, _: AlertPublisher
) -> AlertRead:
    """Change an alert; subscribers are notified again."""
    async with uow:
        updated = await service.update_alert(uow, alert=alert, data=data)
    return read_alert(updated)


@router.post(
    "/{alert_id}/cancel", response_model=AlertRead, responses=problem_responses(401, 403, 404, 409)
)
async def cancel_alert(alert: ValidAlert, uow: UnitOfWorkDep, _: AlertPublisher) -> AlertRead:
    """Withdraw an alert; subscribers are notified again."""
    async with uow:
        cancelled = await service.cancel_alert(uow, alert=alert)
    return read_alert(cancelled)
