"""The unit of work against the real PostgreSQL: writes and events commit together, once."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.db import run_sql
from localrights.events.catalog.consultation import ConsultationClosed
from localrights.outbox import OutboxMessage
from localrights.uow import UnitOfWork, UnitOfWorkError, event_source

from .conftest import effects


def closed(n: int) -> ConsultationClosed:
    return ConsultationClosed(
        consultation_id=uuid4(),
        institution_id=uuid4(),
        closed_at=datetime.now(UTC),
        response_count=n,
    )


async def counts(sessions: async_sessionmaker[AsyncSession]) -> tuple[int, int]:
    async with sessions() as session:
        outbox = (await run_sql(session, select(func.count()).select_from(OutboxMessage))).one()
        written = (await run_sql(session, select(func.count()).select_from(effects))).one()
    return outbox[0], written[0]


async def write_effect(uow: UnitOfWork) -> None:
    await run_sql(uow.session, effects.insert().values(event_id="x"))


class TestCommitTogether:
    async def test_a_clean_exit_commits_the_writes_and_every_emitted_event(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        async with sessions() as session, UnitOfWork(session, source="/test") as uow:
            await write_effect(uow)
            uow.emit(closed(1), closed(2))
        assert await counts(sessions) == (2, 1)
        assert [e.source for e in uow.committed] == ["/test", "/test"]

    async def test_events_reach_the_outbox_in_the_order_they_were_emitted(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        first, second = closed(1), closed(2)
        async with sessions() as session, UnitOfWork(session, source="/test") as uow:
            uow.emit(first)
            uow.emit(second)
        async with sessions() as session:
            outbox = OutboxMessage.__table__  # type: ignore[attr-defined]
            rows = await run_sql(session, select(outbox.c.envelope).order_by(outbox.c.id))
        assert [envelope["data"]["response_count"] for (envelope,) in rows] == [1, 2]

    async def test_an_exception_rolls_back_the_writes_and_emits_nothing(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        with pytest.raises(LookupError):
            async with sessions() as session, UnitOfWork(session, source="/test") as uow:
                await write_effect(uow)
                uow.emit(closed(1))
                raise LookupError("the use case refused")
        assert await counts(sessions) == (0, 0)
        assert uow.committed == []

    async def test_a_unit_without_events_still_commits_its_writes(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        async with sessions() as session, UnitOfWork(session, source="/test") as uow:
            await write_effect(uow)
        assert await counts(sessions) == (0, 1)


class TestRecordNow:
    async def test_a_recorded_event_keeps_its_place_and_commits_only_with_the_unit(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        async with sessions() as session, UnitOfWork(session, source="/test") as uow:
            uow.emit(closed(1))
            envelope = await uow.record(closed(2))
            uow.emit(closed(3))
            assert await counts(sessions) == (0, 0)  # another session sees nothing yet
        assert [e.data["response_count"] for e in uow.committed] == [1, 2, 3]
        assert uow.committed[1].id == envelope.id
        async with sessions() as session:
            outbox = OutboxMessage.__table__  # type: ignore[attr-defined]
            rows = await run_sql(session, select(outbox.c.envelope).order_by(outbox.c.id))
        assert [envelope["data"]["response_count"] for (envelope,) in rows] == [1, 2, 3]

    async def test_a_recorded_event_is_rolled_back_with_the_unit(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        with pytest.raises(LookupError):
            async with sessions() as session, UnitOfWork(session, source="/test") as uow:
                await uow.record(closed(1))
                raise LookupError("the use case refused")
        assert await counts(sessions) == (0, 0)
        assert uow.committed == []


class TestMisuse:
    async def test_emitting_outside_the_block_is_refused(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        async with sessions() as session:
            uow = UnitOfWork(session, source="/test")
            with pytest.raises(UnitOfWorkError):
                uow.emit(closed(1))

    async def test_the_same_unit_can_run_again_after_it_ended(
        self, sessions: async_sessionmaker[AsyncSession]
    ) -> None:
        async with sessions() as session:
            uow = UnitOfWork(session, source="/test")
            async with uow:
                uow.emit(closed(1))
            async with uow:
                uow.emit(closed(2))
        assert await counts(sessions) == (2, 0)


def test_the_event_source_is_the_service_name() -> None:
    assert event_source("consultation") == "/consultation"
