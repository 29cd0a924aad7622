"""Alerts: publish, change, cancel and find them; each change is an event."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from pydantic import ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.errors import InvalidInput
from localrights.uow import UnitOfWork
from localrights_notifications import events, exceptions
from localrights_notifications.models import Alert
from localrights_notifications.repository.alerts import (
    list_alerts as list_alerts,  # finding alerts is one query, the use case itself
)
from localrights_notifications.schemas import (
    AlertCreate,
    AlertUpdate,
)


def _alert_values(data: AlertCreate) -> dict[str, Any]:
    values = data.model_dump()
    values["source_url"] = str(data.source_url) if data.source_url else None
    return values


async def publish_alert(uow: UnitOfWork, *, data: AlertCreate, published_by: str) -> Alert:
    """Save the alert and its alert.published event; the fan-out follows from the event."""
    now = datetime.now(UTC)
    alert = Alert(**_alert_values(data), published_by=published_by, published_at=now)
    alert.updated_at = now
    uow.session.add(alert)
    uow.emit(events.alert_published(alert))
    return alert


async def get_alert_or_raise(*, session: AsyncSession, id: UUID) -> Alert:
    alert = await session.get(Alert, id)
    if alert is None:
        raise exceptions.AlertNotFound()
    return alert


_EDITABLE = tuple(AlertCreate.model_fields)


async def update_alert(uow: UnitOfWork, *, alert: Alert, data: AlertUpdate) -> Alert:
    """Change an alert (validated as a whole), raise its revision, notify again."""
    if alert.status == "cancelled":
        raise exceptions.AlertCancelled()
    current = {name: getattr(alert, name) for name in _EDITABLE}
    merged = {**current, **data.model_dump(exclude_unset=True)}
    try:
        checked = AlertCreate.model_validate(merged)
    except ValidationError as exc:
        errors = [
            {"location": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
            for e in exc.errors()
        ]
        detail = "; ".join(f"{e['location']}: {e['message']}" for e in errors[:5])
        raise InvalidInput(detail, errors=errors) from None
    values = _alert_values(checked)
    if all(values[name] == current[name] for name in _EDITABLE):
        return alert
    for name, value in values.items():
        setattr(alert, name, value)
    alert.revision += 1
    alert.updated_at = datetime.now(UTC)
    uow.session.add(alert)
    uow.emit(events.alert_updated(alert))
    return alert


async def cancel_alert(uow: UnitOfWork, *, alert: Alert) -> Alert:
    """Withdraw an alert; subscribers hear of it."""
    if alert.status == "cancelled":
        raise exceptions.AlertCancelled()
    alert.status = "cancelled"
    alert.revision += 1
    alert.updated_at = datetime.now(UTC)
    uow.session.add(alert)
    uow.emit(events.alert_cancelled(alert))
    return alert
