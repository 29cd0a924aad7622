"""Local human-rights indicators: defined by an institution, observed in places over time,
linked to the recommendations they measure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from uuid import UUID

from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.auth import Principal
from localrights.errors import Forbidden, InvalidInput
from localrights.uow import UnitOfWork
from localrights_recommendations import events
from localrights_recommendations.domain import indicators as rules
from localrights_recommendations.exceptions import IndicatorNotFound
from localrights_recommendations.follow_up_models import Indicator, IndicatorObservation
from localrights_recommendations.follow_up_schemas import (
    IndicatorCreate,
    IndicatorFields,
    IndicatorRead,
    IndicatorSeries,
    ObservationCreate,
    ObservationRead,
)
from localrights_recommendations.repository import follow_up as statuses
from localrights_recommendations.repository import indicators as repository
from localrights_recommendations.repository import recommendations
from localrights_recommendations.repository.audience import Audience


async def linked_recommendations(session: AsyncSession, indicator: Indicator) -> list[UUID]:
    return (await repository.recommendation_ids(session, [indicator.id]))[indicator.id]


def read(indicator: Indicator, recommendation_ids: Sequence[UUID]) -> IndicatorRead:
    return IndicatorRead.model_validate(
        {**indicator.model_dump(), "recommendation_ids": list(recommendation_ids)}
    )


def _place_of(principal: Principal) -> tuple[UUID, str, str]:
    """The caller's institution, place and country, or 403."""
    if principal.institution_id is None or not (principal.jurisdiction or principal.country):
        raise Forbidden("indicators are defined and observed by an institution with a place")
    place = principal.jurisdiction or principal.country
    assert place is not None
    return principal.institution_id, place, place[:2]


async def _check_recommendations(session: AsyncSession, country: str, ids: Sequence[UUID]) -> None:
    if not ids:
        return
    found = await recommendations.countries_of(session, ids)
    unknown = [str(i) for i in ids if i not in found]
    if unknown:
        raise InvalidInput(f"unknown recommendation ids: {', '.join(unknown[:20])}")
    foreign = [str(i) for i in ids if found[i] != country]
    if foreign:
        raise InvalidInput(f"recommendations addressed to another country: {', '.join(foreign)}")


async def create_indicator(
    uow: UnitOfWork, *, principal: Principal, data: IndicatorCreate
) -> IndicatorRead:
    """Define an indicator of the caller's institution."""
    institution_id, place, country = _place_of(principal)
    await _check_recommendations(uow.session, country, data.recommendation_ids)
    indicator = Indicator(
        institution_id=institution_id,
        country=country,
        jurisdiction=place,
        created_by=principal.subject,
        **data.model_dump(exclude={"recommendation_ids"}),
    )
    uow.session.add(indicator)
    await uow.session.flush()
    await repository.set_recommendations(uow.session, indicator.id, data.recommendation_ids)
    await uow.session.refresh(indicator)
    return read(indicator, data.recommendation_ids)


async def get_indicator_or_raise(
    session: AsyncSession, *, id: UUID, audience: Audience
) -> Indicator:
    """An indicator the caller may see (404 otherwise: no telling unpublished ones apart)."""
    found = await repository.visible_indicator(session, indicator_id=id, audience=audience)
    if found is None:
        raise IndicatorNotFound()
    return found


async def update_indicator(
    uow: UnitOfWork, *, principal: Principal, indicator: Indicator, data: IndicatorFields
) -> IndicatorRead:
    """Change what may change: names, baseline, target, source, schedule, recommendations."""
    if principal.institution_id != indicator.institution_id and not principal.is_admin:
        raise Forbidden("an indicator is changed by the institution that defined it")
    changes = data.model_dump(exclude_unset=True, exclude={"recommendation_ids"})
    for name, value in changes.items():
        setattr(indicator, name, value)
    indicator.updated_at = datetime.now(UTC)
    uow.session.add(indicator)
    if data.recommendation_ids is not None:
        await _check_recommendations(uow.session, indicator.country, data.recommendation_ids)
        await repository.set_recommendations(uow.session, indicator.id, data.recommendation_ids)
    await uow.session.flush()
    linked = await repository.recommendation_ids(uow.session, [indicator.id])
    return read(indicator, linked[indicator.id])


async def record_observation(
    uow: UnitOfWork, *, principal: Principal, indicator: Indicator, data: ObservationCreate
) -> tuple[ObservationRead, bool]:
    """A value of the indicator in the caller's place; the same day again corrects it.
    Returns the value and whether it is new."""
    institution_id, place, country = _place_of(principal)
    if country != indicator.country:
        raise Forbidden("this indicator is observed in another country's places")
    problems = rules.breakdown_errors(
        indicator.breakdowns, [(b.dimension, b.group) for b in data.breakdown]
    )
    if problems:
        raise InvalidInput(
            "; ".join(problems), errors=[{"location": "breakdown", "message": p} for p in problems]
        )
    session = uow.session
    observation = await repository.observation_of(
        session, indicator_id=indicator.id, jurisdiction=place, observed_on=data.observed_on
    )
    new = observation is None
    if observation is None:
        observation = IndicatorObservation(
            indicator_id=indicator.id,
            institution_id=institution_id,
            jurisdiction=place,
            observed_on=data.observed_on,
            value=data.value,
            recorded_by=principal.subject,
            revision=0,
        )
    observation.institution_id = institution_id
    observation.period = data.period
    observation.value = data.value
    observation.breakdown = [b.model_dump() for b in data.breakdown]
    observation.note = data.note
    observation.revision += 1
    observation.recorded_by = principal.subject
    observation.recorded_at = datetime.now(UTC)
    session.add(observation)
    await session.flush()
    await session.refresh(observation)
    linked = await repository.recommendation_ids(session, [indicator.id])
    uow.emit(
        events.indicator_observed(
            observation,
            indicator,
            recommendation_ids=linked[indicator.id],
            published=await statuses.is_published(session, institution_id),
        )
    )
    return ObservationRead.model_validate(observation, from_attributes=True), new


async def series(
    session: AsyncSession,
    *,
    indicators: Sequence[Indicator],
    audience: Audience,
    jurisdictions: Sequence[str] | None = None,
) -> list[IndicatorSeries]:
    """Each indicator's values per place, oldest first, with the latest one's progress."""
    linked = await repository.recommendation_ids(session, [i.id for i in indicators])
    values = await repository.observations(
        session,
        indicator_ids=[i.id for i in indicators],
        audience=audience,
        jurisdictions=jurisdictions,
    )
    out = []
    for indicator in indicators:
        by_place: dict[str, list[IndicatorObservation]] = {}
        for value in values:
            if value.indicator_id == indicator.id:
                by_place.setdefault(value.jurisdiction, []).append(value)
        for place, observed in sorted(by_place.items()):
            out.append(
                IndicatorSeries(
                    indicator=read(indicator, linked[indicator.id]),
                    jurisdiction=place,
                    observations=[
                        ObservationRead.model_validate(o, from_attributes=True) for o in observed
                    ],
                    progress=rules.progress(
                        baseline=indicator.baseline_value,
                        target=indicator.target_value,
                        value=observed[-1].value,
                    ),
                )
            )
    return out


async def list_indicators(
    session: AsyncSession,
    *,
    audience: Audience,
    country: str | None,
    place: Sequence[str] | None,
    recommendation_id: UUID | None,
) -> list[IndicatorRead]:
    found = await repository.indicators(
        session,
        audience=audience,
        country=country,
        observed_in=place,
        recommendation_ids=[recommendation_id] if recommendation_id else None,
    )
    linked = await repository.recommendation_ids(session, [i.id for i in found])
    return [read(i, linked[i.id]) for i in found]
