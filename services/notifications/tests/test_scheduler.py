"""Scheduled work: deadline reminders fire once each, daily digests gather a day's news."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from uuid import uuid4

from sqlalchemy import func, select
from sqlmodel import col

from localrights.events import ALERT_EVENTS
from localrights.testing.helpers import eventually, read_topic
from localrights_notifications.models import Delivery
from localrights_notifications.scheduler import make_daily_digests, send_due_reminders

from .conftest import Mailbox, Service


def midday(days_from_today: int) -> datetime:
    today = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    return today + timedelta(days=days_from_today)


class TestReminders:
    async def test_each_reminder_fires_once_and_survives_a_restart(
        self, start_service: Any
    ) -> None:
        deadline = midday(40).date()
        async with start_service() as service:
            institution = uuid4()
            await service.subscribe(institution, kinds=["reminder"])
            alert = await service.publish(deadline=deadline.isoformat())

            async def remind(day: int) -> int:
                return await send_due_reminders(
                    sessions=service.sessions, offsets=[30, 7], now=midday(day)
                )

            assert await remind(9) == 0  # 31 days before
            assert await remind(10) == 1  # 30 days before
            assert await remind(10) == 0
            assert await remind(20) == 0  # still in the 30-day window: already sent
            events = await read_topic(
                service.settings.kafka_bootstrap_servers,
                service.settings.kafka_topic_prefix + ALERT_EVENTS,
                until=lambda evs: any(e.type == "alert.reminder_due" for e in evs),
            )
            [reminder] = [e for e in events if e.type == "alert.reminder_due"]
            assert reminder.data["alert_id"] == alert["id"] and reminder.data["days_before"] == 30

            async def in_inbox() -> None:
                response = await service.client.get(
                    "/api/v1/inbox", headers=service.officer(institution)
                )
                assert [i["kind"] for i in response.json()["items"]] == ["reminder"]

            await eventually(in_inbox)

        async with start_service() as restarted:
            again = await send_due_reminders(
                sessions=restarted.sessions, offsets=[30, 7], now=midday(10)
            )
            assert again == 0
            seven = await send_due_reminders(
                sessions=restarted.sessions, offsets=[30, 7], now=midday(34)
            )
            assert seven == 1
            assert (
                await send_due_reminders(
                    sessions=restarted.sessions, offsets=[30, 7], now=midday(35)
                )
                == 0
            )

    async def test_a_deadline_nearer_than_an_offset_skips_it(self, service: Service) -> None:
        await service.publish(deadline=midday(20).date().isoformat())
        assert (
            await send_due_reminders(sessions=service.sessions, offsets=[30, 7], now=midday(0)) == 0
        )
        assert (
            await send_due_reminders(sessions=service.sessions, offsets=[30, 7], now=midday(13))
            == 1
        )


class TestDailyDigest:
    async def test_a_days_alerts_go_out_as_one_message(
        self, start_service: Any, smtp: tuple[Mailbox, int]
    ) -> None:
        mailbox, port = smtp
        async with start_service(smtp_host="127.0.0.1", smtp_port=port) as service:
            await service.subscribe(
                uuid4(), channel="email", email="digest@example.org", mode="daily_digest"
            )
            await service.publish(title={"en": "First alert"})
            await service.publish(title={"en": "Second alert"}, country="IT")

            async def held() -> None:
                async with service.sessions() as session:
                    count = await session.exec(
                        select(func.count()).where(col(Delivery.status) == "held")
                    )
                    assert count.scalar_one() == 2

            await eventually(held)
            at = time(7, 0)
            tomorrow = midday(1).replace(hour=6, minute=59)
            assert await make_daily_digests(sessions=service.sessions, at=at, now=tomorrow) == 0
            after = tomorrow.replace(hour=7, minute=1)
            assert await make_daily_digests(sessions=service.sessions, at=at, now=after) == 1
            assert await make_daily_digests(sessions=service.sessions, at=at, now=after) == 0

            async def sent() -> None:
                assert len(mailbox.messages) == 1

            await eventually(sent)
        [message] = mailbox.messages
        assert "daily digest" in message["Subject"] and "2 notification" in message["Subject"]
        text = next(p for p in message.walk() if p.get_content_type() == "text/plain").get_payload(
            decode=True
        )
        assert b"First alert" in text and b"Second alert" in text
