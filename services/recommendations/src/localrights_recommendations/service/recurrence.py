"""Recurring recommendations: suggest which new ones repeat an earlier cycle's, let a ministry
confirm or reject each, and carry a place's status across a confirmed link."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from uuid import UUID, uuid4

from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.auth import Principal, Role
from localrights.errors import Conflict, Forbidden
from localrights.uow import UnitOfWork
from localrights_recommendations.domain import recurrence as matcher
from localrights_recommendations.exceptions import RecurrenceLinkNotFound
from localrights_recommendations.follow_up_models import RecurrenceLink
from localrights_recommendations.follow_up_schemas import (
    RecommendationBrief,
    RecurrenceLinkRead,
    RecurrencePage,
)
from localrights_recommendations.models import Recommendation
from localrights_recommendations.repository import follow_up as statuses
from localrights_recommendations.repository import recommendations
from localrights_recommendations.repository import recurrence as repository


def brief(recommendation: Recommendation) -> RecommendationBrief:
    return RecommendationBrief.model_validate(
        recommendation.model_dump(include=set(repository.BRIEF))
    )


def _read(
    link: RecurrenceLink, earlier: Recommendation, later: Recommendation
) -> RecurrenceLinkRead:
    return RecurrenceLinkRead(
        id=link.id,
        earlier=brief(earlier),
        later=brief(later),
        score=link.score,
        similarity=link.similarity,
        reasons=link.reasons,
        status=link.status,
        decided_at=link.decided_at,
    )


async def suggest_for_country(uow: UnitOfWork, *, country: str) -> int:
    """Compare each cycle's recommendations with the previous cycle's, per mechanism; return
    how many new suggestions were made (earlier decisions are kept)."""
    session = uow.session
    added = 0
    for mechanism, cycles in (await repository.cycles_by_mechanism(session, country)).items():
        for earlier_cycle, later_cycle in zip(cycles, cycles[1:], strict=False):
            earlier = await repository.texts_of_cycle(
                session, country=country, mechanism=mechanism, cycle=earlier_cycle
            )
            later = await repository.texts_of_cycle(
                session, country=country, mechanism=mechanism, cycle=later_cycle
            )
            # Pure Python and CPU-bound: off the event loop, so requests keep being served.
            pairs = await asyncio.to_thread(
                matcher.suggest,
                [matcher.Recommendation(id=str(i), text=t) for i, t in earlier],
                [matcher.Recommendation(id=str(i), text=t) for i, t in later],
            )
            added += await repository.add_suggestions(
                session,
                [
                    {
                        "id": uuid4(),
                        "earlier_id": UUID(pair.earlier_id),
                        "later_id": UUID(pair.later_id),
                        "country": country,
                        "mechanism": mechanism,
                        "earlier_cycle": earlier_cycle,
                        "later_cycle": later_cycle,
                        "similarity": pair.similarity,
                        "score": pair.score,
                        "reasons": list(pair.reasons),
                    }
                    for pair in pairs
                ],
            )
    return added


async def decide(
    uow: UnitOfWork, *, principal: Principal, link_id: UUID, confirm: bool
) -> RecurrenceLinkRead:
    """A ministry of the country confirms (the timeline then continues across the link) or
    rejects a suggestion; a decision is final."""
    session = uow.session
    link = await repository.link_for_update(session, link_id)
    if link is None:
        raise RecurrenceLinkNotFound()
    if not principal.is_admin and not (
        principal.has_role(Role.MINISTRY_OFFICER) and principal.country == link.country
    ):
        raise Forbidden("only a ministry of this country confirms its recurring recommendations")
    if link.status != "suggested":
        raise Conflict(f"this suggestion was {link.status} already")
    link.status = "confirmed" if confirm else "rejected"
    link.decided_by, link.decided_at = principal.subject, datetime.now(UTC)
    session.add(link)
    await session.flush()
    if confirm:
        await statuses.carry_forward(session, earlier_id=link.earlier_id)
    earlier = await recommendations.get_recommendation(session, recommendation_id=link.earlier_id)
    later = await recommendations.get_recommendation(session, recommendation_id=link.later_id)
    assert earlier is not None and later is not None
    return _read(link, earlier, later)


async def list_links(
    session: AsyncSession, *, country: str, status: str | None, page: int, page_size: int
) -> RecurrencePage:
    rows, total = await repository.links(
        session,
        country=country,
        status=status,
        limit=page_size,
        offset=(page - 1) * page_size,
    )
    return RecurrencePage(items=[_read(*row) for row in rows], total=total)
