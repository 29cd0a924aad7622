"""Notifications: one per consumed event, recorded once whatever the redeliveries."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.db import run_sql
from localrights.events import Envelope

_RECORD_NOTIFICATION = text(
    "INSERT INTO notifications "
    "(id, event_id, event_type, alert_id, kind, country, mechanism, title, facts, envelope) "
    "VALUES (gen_random_uuid(), :event_id, :event_type, :alert_id, :kind, :country, :mechanism, "
    "CAST(:title AS jsonb), CAST(:facts AS jsonb), :envelope) "
    "ON CONFLICT (event_id) DO NOTHING RETURNING id"
)


def as_json(value: Any) -> str:
    """A JSONB parameter as the statements cast it."""
    return json.dumps(value, default=str, separators=(",", ":"))


async def record_notification(
    session: AsyncSession,
    envelope: Envelope,
    kind: str,
    title: dict[str, str],
    facts: dict[str, Any],
    *,
    alert_id: UUID | None = None,
    country: str | None = None,
    mechanism: str | None = None,
) -> UUID | None:
    """The new notification's id; None if this event was recorded before."""
    row = (
        await run_sql(
            session,
            _RECORD_NOTIFICATION,
            {
                "event_id": envelope.id,
                "event_type": envelope.type,
                "alert_id": alert_id,
                "kind": kind,
                "country": country,
                "mechanism": mechanism,
                "title": as_json(title),
                "facts": as_json(facts),
                "envelope": envelope.model_dump_json(exclude_none=True),
            },
        )
    ).first()
    return None if row is None else UUID(str(row[0]))
