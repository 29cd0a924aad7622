"""Delivery status per subscriber, and replay of dead letters."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from localrights.db import SessionDep
from localrights.errors import problem_responses
from localrights.uow import UnitOfWorkDep
from localrights_notifications import service
from localrights_notifications.deps import AlertPublisher, ValidAlert
from localrights_notifications.schemas import DeliveryRead, DeliveryReport, ReplayResult

router = APIRouter(tags=["deliveries"])


@router.get(
    "/alerts/{alert_id}/deliveries",
    response_model=DeliveryReport,
    responses=problem_responses(401, 403, 404),
)
async def alert_deliveries(
    alert: ValidAlert,
    session: SessionDep,
    _: AlertPublisher,
    status: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> DeliveryReport:
    """Per subscription: status, attempts and last error of every notice about an alert."""
    counts, rows, total = await service.alert_deliveries(
        session=session, alert_id=alert.id, status=status, limit=limit, offset=offset
    )
    items = [
        DeliveryRead.model_validate({**delivery.model_dump(), "event_type": event_type})
        for delivery, event_type in rows
    ]
    return DeliveryReport(counts=counts, items=items, total=total, limit=limit, offset=offset)


@router.post(
    "/deliveries/{delivery_id}/replay",
    response_model=DeliveryRead,
    responses=problem_responses(401, 403, 404, 409),
)
async def replay_delivery(delivery_id: UUID, uow: UnitOfWorkDep, _: AlertPublisher) -> DeliveryRead:
    """Send a dead-lettered delivery again (alert publishers, admins)."""
    async with uow:
        delivery = await service.replay_delivery(uow, delivery_id=delivery_id)
    return DeliveryRead.model_validate({**delivery.model_dump(), "event_type": None})


@router.post(
    "/alerts/{alert_id}/deliveries/replay",
    response_model=ReplayResult,
    responses=problem_responses(401, 403, 404),
)
async def replay_alert_deliveries(
    alert: ValidAlert, uow: UnitOfWorkDep, _: AlertPublisher
) -> ReplayResult:
    """Send every dead-lettered delivery about an alert again (alert publishers, admins)."""
    async with uow:
        replayed = await service.replay_alert_deliveries(uow, alert_id=alert.id)
    return ReplayResult(replayed=replayed)
