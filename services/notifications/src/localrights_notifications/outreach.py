"""Use cases of checking before sending: an alert's reach and reminders, a calendar imported
as a batch of alerts (dry run first), and a test delivery to an institution's webhook."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import aiohttp
from pydantic import ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.errors import InvalidInput
from localrights.uow import UnitOfWork, event_source
from localrights_notifications import calendars, events
from localrights_notifications.delivery.senders import send_webhook
from localrights_notifications.models import Alert, Subscription
from localrights_notifications.reach import alert_reach
from localrights_notifications.schemas import AlertCreate
from localrights_notifications.schemas_outreach import (
    AlertPreviewRead,
    CalendarAlert,
    CalendarImportRead,
    CalendarProblem,
    ReachRead,
    WebhookCheckRead,
)
from localrights_notifications.ssrf import GuardedResolver, check_webhook_url

SOURCE = event_source("notifications")
MAX_CALENDAR_ALERTS = 500


def reminder_days(deadline: date | None, *, offsets: Sequence[int], today: date) -> list[date]:
    """The days the scheduler will remind subscribers on (those still to come), earliest first."""
    if deadline is None:
        return []
    days = {deadline - timedelta(days=offset) for offset in offsets}
    return sorted(day for day in days if day > today)


async def preview_alert(
    *, session: AsyncSession, data: AlertCreate, offsets: Sequence[int], today: date
) -> AlertPreviewRead:
    """The reach and reminders of an alert that is not published."""
    reach = await alert_reach(
        session,
        kind=data.kind,
        country=data.country,
        mechanism=data.mechanism,
        themes=data.themes,
        jurisdictions=data.jurisdictions,
    )
    return AlertPreviewRead(
        reach=ReachRead(**reach.__dict__),
        reminders=reminder_days(data.deadline, offsets=offsets, today=today),
    )


def _problem(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc'])}: {e['msg'].removeprefix('Value error, ')}"
        for e in exc.errors()[:5]
    )


async def import_calendar(
    *,
    session: AsyncSession,
    data: bytes,
    content_type: str | None,
    publish: bool,
    published_by: str,
    offsets: Sequence[int],
    today: date,
) -> CalendarImportRead:
    """Read a calendar; with ``publish`` publish its valid alerts together, else only show them.

    Every valid alert is published in one transaction with its alert.published event, so a
    calendar goes out whole or not at all; rows with a problem are reported by line and left.
    """
    try:
        rows = calendars.read_calendar(data, content_type)
    except calendars.CalendarUnreadable as exc:
        raise InvalidInput(
            f"file: {exc}", errors=[{"location": "file", "message": str(exc)}]
        ) from None
    if len(rows) > MAX_CALENDAR_ALERTS:
        raise InvalidInput(f"file: more than {MAX_CALENDAR_ALERTS} sessions; split the calendar")
    checked: list[tuple[int, AlertCreate]] = []
    rejected: list[CalendarProblem] = []
    for row in rows:
        if row.problem:
            rejected.append(CalendarProblem(line=row.line, reason=row.problem))
            continue
        try:
            checked.append((row.line, AlertCreate.model_validate(row.fields)))
        except ValidationError as exc:
            rejected.append(CalendarProblem(line=row.line, reason=_problem(exc)))
    alerts = []
    for line, alert in checked:
        preview = await preview_alert(session=session, data=alert, offsets=offsets, today=today)
        alerts.append(
            CalendarAlert(
                line=line,
                alert=alert.model_dump(mode="json"),
                reach=preview.reach,
                reminders=preview.reminders,
            )
        )
    if publish and checked:
        async with UnitOfWork(session, source=SOURCE) as uow:
            now = datetime.now(UTC)
            for shown, (_, alert) in zip(alerts, checked, strict=True):
                values = alert.model_dump()
                values["source_url"] = str(alert.source_url) if alert.source_url else None
                published = Alert(
                    **values, published_by=published_by, published_at=now, updated_at=now
                )
                session.add(published)
                uow.emit(events.alert_published(published))
                shown.alert_id = published.id
    return CalendarImportRead(published=publish and bool(checked), alerts=alerts, rejected=rejected)


def _test_event(subscription: Subscription) -> bytes:
    """A CloudEvent that says only that it is a test: receivers verify it like any other."""
    return json.dumps(
        {
            "specversion": "1.0",
            "id": str(uuid.uuid4()),
            "source": SOURCE,
            "type": "subscription.tested",
            "subject": str(subscription.id),
            "time": datetime.now(UTC).isoformat(),
            "datacontenttype": "application/json",
            "data": {
                "subscription_id": str(subscription.id),
                "message": "A test delivery from Localrights: your endpoint is reachable.",
            },
        },
        separators=(",", ":"),
    ).encode()


async def check_webhook(
    *, subscription: Subscription, allowed_hosts: Sequence[str], timeout: float
) -> WebhookCheckRead:
    """Send one signed test event to a webhook subscription now, and say how it went.

    Nothing is recorded and nothing is retried: it answers "does my endpoint work?" while
    the officer waits, with the same signature and address checks as real deliveries.
    """
    if subscription.channel != "webhook" or not subscription.webhook_url:
        raise InvalidInput(
            "channel: only a webhook subscription can be tested",
            errors=[{"location": "channel", "message": "only a webhook can be tested"}],
        )
    await check_webhook_url(subscription.webhook_url, allowed_hosts=allowed_hosts)
    connector = aiohttp.TCPConnector(resolver=GuardedResolver(allowed_hosts), force_close=True)
    started = time.monotonic()
    async with aiohttp.ClientSession(connector=connector) as client:
        outcome = await send_webhook(
            client,
            url=subscription.webhook_url,
            secret=subscription.webhook_secret or "",
            message_id=f"test_{uuid.uuid4().hex}",
            body=_test_event(subscription),
            timeout=timeout,
        )
    return WebhookCheckRead(
        delivered=outcome.delivered,
        status_code=outcome.status_code,
        error=outcome.error,
        duration_ms=int((time.monotonic() - started) * 1000),
    )
