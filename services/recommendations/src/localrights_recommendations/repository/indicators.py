"""SQL of local indicators, their observations in places, and the reminders already sent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import delete, insert, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.db import run_sql
from localrights_recommendations.follow_up_models import (
    Indicator,
    IndicatorObservation,
    IndicatorRecommendation,
    IndicatorReminder,
)
from localrights_recommendations.repository.audience import Audience, in_place, visible


async def recommendation_ids(
    session: AsyncSession, indicator_ids: Sequence[UUID]
) -> dict[UUID, list[UUID]]:
    """The recommendations each indicator measures."""
    found: dict[UUID, list[UUID]] = {i: [] for i in indicator_ids}
    if not indicator_ids:
        return found
    rows = await session.exec(
        select(
            col(IndicatorRecommendation.indicator_id),
            col(IndicatorRecommendation.recommendation_id),
        )
        .where(col(IndicatorRecommendation.indicator_id).in_(indicator_ids))
        .order_by(col(IndicatorRecommendation.recommendation_id))
    )
    for indicator_id, recommendation_id in rows:
        found[indicator_id].append(recommendation_id)
    return found


async def set_recommendations(
    session: AsyncSession, indicator_id: UUID, recommendation_ids: Sequence[UUID]
) -> None:
    await session.exec(
        delete(IndicatorRecommendation).where(
            col(IndicatorRecommendation.indicator_id) == indicator_id
        )
    )
    if recommendation_ids:
        await session.exec(
            insert(IndicatorRecommendation),
            params=[
                {"indicator_id": indicator_id, "recommendation_id": r}
                for r in dict.fromkeys(recommendation_ids)
            ],
        )


async def indicators(
    session: AsyncSession,
    *,
    audience: Audience,
    country: str | None = None,
    owners: Sequence[UUID] | None = None,
    observed_in: Sequence[str] | None = None,
    recommendation_ids: Sequence[UUID] | None = None,
    limit: int = 200,
) -> list[Indicator]:
    """Indicators the audience may see: those of institutions that publish, its own, or all
    of its country for a ministry; narrowed by country, owner, places observed, recommendations."""
    statement = select(Indicator).where(
        visible(audience, col(Indicator.institution_id), col(Indicator.country))
    )
    if country:
        statement = statement.where(col(Indicator.country) == country)
    if owners is not None:
        statement = statement.where(col(Indicator.institution_id).in_(owners))
    if observed_in is not None:
        observed = select(IndicatorObservation.indicator_id).where(
            col(IndicatorObservation.jurisdiction).in_(observed_in)
        )
        statement = statement.where(
            col(Indicator.id).in_(observed) | col(Indicator.jurisdiction).in_(observed_in)
        )
    if recommendation_ids is not None:
        measuring = select(IndicatorRecommendation.indicator_id).where(
            col(IndicatorRecommendation.recommendation_id).in_(recommendation_ids)
        )
        statement = statement.where(col(Indicator.id).in_(measuring))
    rows = await session.exec(statement.order_by(col(Indicator.created_at)).limit(limit))
    return list(rows)


async def observations(
    session: AsyncSession,
    *,
    indicator_ids: Sequence[UUID],
    audience: Audience,
    jurisdictions: Sequence[str] | None = None,
) -> list[IndicatorObservation]:
    """Values of the indicators the audience may see, by place then date."""
    if not indicator_ids:
        return []
    statement = (
        select(IndicatorObservation)
        .join(Indicator, col(Indicator.id) == col(IndicatorObservation.indicator_id))
        .where(
            col(IndicatorObservation.indicator_id).in_(indicator_ids),
            visible(audience, col(IndicatorObservation.institution_id), col(Indicator.country)),
        )
    )
    if jurisdictions is not None:
        statement = statement.where(col(IndicatorObservation.jurisdiction).in_(jurisdictions))
    rows = await session.exec(
        statement.order_by(
            col(IndicatorObservation.jurisdiction), col(IndicatorObservation.observed_on)
        )
    )
    return list(rows)


async def observation_of(
    session: AsyncSession, *, indicator_id: UUID, jurisdiction: str, observed_on: dt.date
) -> IndicatorObservation | None:
    return (
        await session.exec(
            select(IndicatorObservation)
            .where(
                col(IndicatorObservation.indicator_id) == indicator_id,
                col(IndicatorObservation.jurisdiction) == jurisdiction,
                col(IndicatorObservation.observed_on) == observed_on,
            )
            .with_for_update()
        )
    ).first()


# Per indicator updated on a schedule and place observed: the latest value and who gave it.
_SERIES = text(
    """
    SELECT DISTINCT ON (o.indicator_id, o.jurisdiction)
        o.indicator_id, o.jurisdiction, o.institution_id, o.observed_on
    FROM indicator_observations AS o
    JOIN indicators AS i ON i.id = o.indicator_id
    WHERE i.update_every_months IS NOT NULL
    ORDER BY o.indicator_id, o.jurisdiction, o.observed_on DESC
    """
)


async def latest_per_place(session: AsyncSession) -> list[tuple[UUID, str, UUID, dt.date]]:
    rows = await run_sql(session, _SERIES)
    return [(values[0], values[1], values[2], values[3]) for values in map(tuple, rows)]


async def claim_reminder(
    session: AsyncSession,
    *,
    indicator_id: UUID,
    jurisdiction: str,
    due_on: dt.date,
    institution_id: UUID,
) -> bool:
    """Record a reminder as sent; False when it was (by another round or replica)."""
    claimed = (
        await session.exec(
            pg_insert(IndicatorReminder)
            .values(
                indicator_id=indicator_id,
                jurisdiction=jurisdiction,
                due_on=due_on,
                institution_id=institution_id,
            )
            .on_conflict_do_nothing()
            .returning(col(IndicatorReminder.indicator_id))
        )
    ).first()
    return claimed is not None


async def visible_indicator(
    session: AsyncSession, *, indicator_id: UUID, audience: Audience
) -> Indicator | None:
    """The indicator, if this audience may see it."""
    rows = await session.exec(
        select(Indicator).where(
            col(Indicator.id) == indicator_id,
            visible(audience, col(Indicator.institution_id), col(Indicator.country)),
        )
    )
    return rows.first()


async def observations_in_place(
    session: AsyncSession,
    *,
    audience: Audience,
    country: str | None,
    place: str | None,
    recommendation_id: UUID | None,
) -> list[tuple[IndicatorObservation, Indicator]]:
    """Indicator values this audience sees in a place (see ``in_place``), each with its
    indicator, by indicator, place and date."""
    where = [
        visible(audience, col(IndicatorObservation.institution_id), col(Indicator.country)),
        *in_place(IndicatorObservation, country=None, place=place),
    ]
    if country is not None and place is None:
        where.append(col(Indicator.country) == country)
    if recommendation_id is not None:
        where.append(
            col(Indicator.id).in_(
                select(IndicatorRecommendation.indicator_id).where(
                    col(IndicatorRecommendation.recommendation_id) == recommendation_id
                )
            )
        )
    rows = await session.exec(
        select(IndicatorObservation, Indicator)
        .join(Indicator, col(Indicator.id) == col(IndicatorObservation.indicator_id))
        .where(*where)
        .order_by(
            col(Indicator.created_at),
            col(IndicatorObservation.jurisdiction),
            col(IndicatorObservation.observed_on),
        )
    )
    return [(observation, indicator) for observation, indicator in rows]


async def get_indicator(session: AsyncSession, *, indicator_id: UUID) -> Indicator | None:
    return await session.get(Indicator, indicator_id)
