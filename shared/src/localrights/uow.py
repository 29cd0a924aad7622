"""The unit of work: one transaction per use case, its state changes and events together.

    async with UnitOfWork(session, source=event_source(settings.service_name)) as uow:
        consultation.status = Status.OPEN
        uow.emit(consultation_opened(consultation))
    # here the row changes and the outbox rows are committed once, or neither

A use case writes through ``uow.session`` and announces facts with ``uow.emit``; it never
commits. Leaving the block normally writes every emitted event to the outbox (in emission
order) and commits once; leaving it by an exception rolls everything back and writes no
event, so an event exists if and only if the change it describes does. ``UnitOfWorkDep``
gives a route one on the request's session with the service's event source.
"""

from __future__ import annotations

from types import TracebackType
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.db import SessionDep
from localrights.events import Envelope, EventPayload
from localrights.outbox import record_event
from localrights.settings import ServiceSettings


def event_source(service_name: str) -> str:
    """The CloudEvents ``source`` of every event a service emits: ``/<service name>``."""
    return f"/{service_name}"


class UnitOfWorkError(RuntimeError):
    """A unit of work used outside its ``async with`` block, or entered twice."""


class UnitOfWork:
    """Collects a use case's events and commits them with its writes, once."""

    def __init__(self, session: AsyncSession, *, source: str) -> None:
        self.session = session
        self.source = source
        self._events: list[EventPayload] = []
        self._recorded: list[Envelope] = []
        self._active = False
        self.committed: list[Envelope] = []

    async def __aenter__(self) -> UnitOfWork:
        if self._active:
            raise UnitOfWorkError("this unit of work is already in progress")
        self._active = True
        self._events.clear()
        self._recorded = []
        self.committed = []
        return self

    def emit(self, *events: EventPayload) -> None:
        """Announce facts; they reach the outbox only if the whole unit commits."""
        if not self._active:
            raise UnitOfWorkError("emit() outside 'async with unit_of_work'")
        self._events.extend(events)

    async def record(self, event: EventPayload) -> Envelope:
        """Emit ``event`` and write it to the outbox now, in this transaction, for a use case
        that keeps the event's id beside what it describes; it still commits only with the
        unit, after the events emitted before it."""
        if not self._active:
            raise UnitOfWorkError("record() outside 'async with unit_of_work'")
        events, self._events = [*self._events, event], []
        envelopes = [await record_event(self.session, e, source=self.source) for e in events]
        self._recorded.extend(envelopes)
        return envelopes[-1]

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._active = False
        events, self._events = self._events, []
        recorded, self._recorded = self._recorded, []
        if exc_type is not None:
            await self.session.rollback()
            return
        try:
            envelopes = [
                await record_event(self.session, event, source=self.source) for event in events
            ]
            await self.session.commit()
        except BaseException:
            await self.session.rollback()
            raise
        self.committed = recorded + envelopes


async def _request_unit_of_work(request: Request, session: SessionDep) -> UnitOfWork:
    settings: ServiceSettings = request.app.state.settings
    return UnitOfWork(session, source=event_source(settings.service_name))


UnitOfWorkDep = Annotated[UnitOfWork, Depends(_request_unit_of_work)]
"""A unit of work on the request's session, with the service's event source."""
