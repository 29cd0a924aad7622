"""The national report's view of follow-up since the last cycle: for each recommendation of
an exercise, where it stands in each local government and the indicators behind it.

Read in a few set-based queries whatever the number of recommendations (an annex holds
hundreds), for the exercise's ministry, which sees all of its country.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlmodel.ext.asyncio.session import AsyncSession

from localrights_recommendations.domain import indicators as indicator_rules
from localrights_recommendations.follow_up_models import StatusEntry
from localrights_recommendations.repository import follow_up as statuses
from localrights_recommendations.repository import indicators as indicator_rows
from localrights_recommendations.repository import recommendations
from localrights_recommendations.repository import recurrence as links
from localrights_recommendations.repository.audience import Audience


def _trajectory(entries: Sequence[StatusEntry]) -> list[dict[str, Any]]:
    """The reported statuses of one place in order, repeated ones folded: how it moved."""
    moves: list[dict[str, Any]] = []
    for entry in entries:
        if entry.origin == "ministry_validation":
            continue
        if moves and moves[-1]["status"] == entry.status:
            continue
        moves.append({"status": entry.status, "as_of": entry.as_of.isoformat()})
    return moves


async def follow_up_by_recommendation(
    session: AsyncSession, *, country: str, recommendation_ids: Sequence[UUID]
) -> dict[str, dict[str, Any]]:
    """Per recommendation id: its repeats, each place's status and path, its indicators."""
    audience = Audience(country=country)
    chains = await links.earlier_chains(session, recommendation_ids)
    everything = {*recommendation_ids, *(i for chain in chains.values() for i in chain)}
    earlier = {
        r.id: r
        for r in await recommendations.by_ids(session, (i for c in chains.values() for i in c))
    }
    current = await statuses.current_statuses(
        session, recommendation_ids=list(recommendation_ids), audience=audience
    )
    entries = await statuses.timeline(
        session, recommendation_ids=list(everything), audience=audience
    )
    names = await statuses.institution_names(session, {c.institution_id for c in current})
    measuring = await indicator_rows.indicators(
        session, audience=audience, recommendation_ids=list(everything)
    )
    linked = await indicator_rows.recommendation_ids(session, [i.id for i in measuring])
    values = await indicator_rows.observations(
        session, indicator_ids=[i.id for i in measuring], audience=audience
    )
    view: dict[str, dict[str, Any]] = {}
    for rec_id in recommendation_ids:
        chain = [rec_id, *chains[rec_id]]
        places = []
        for row in (c for c in current if c.recommendation_id == rec_id):
            path = [
                e
                for e in entries
                if e.institution_id == row.institution_id and e.recommendation_id in chain
            ]
            known = names.get(row.institution_id)
            places.append(
                {
                    **row.model_dump(mode="json", exclude={"entries", "updated_at"}),
                    "institution_name": known.name if known else None,
                    "trajectory": _trajectory(path),
                }
            )
        indicators = []
        for indicator in measuring:
            if not set(linked[indicator.id]) & set(chain):
                continue
            latest: dict[str, Any] = {}
            for value in values:
                if value.indicator_id == indicator.id:
                    latest[value.jurisdiction] = value  # by date: the last one stays
            indicators.append(
                {
                    "name": indicator.name,
                    "unit": indicator.unit,
                    "kind": indicator.kind,
                    "sdg_indicator": indicator.sdg_indicator,
                    "baseline_value": indicator.baseline_value,
                    "baseline_year": indicator.baseline_year,
                    "target_value": indicator.target_value,
                    "target_year": indicator.target_year,
                    "latest": [
                        {
                            "jurisdiction": place,
                            "value": v.value,
                            "period": v.period or v.observed_on.isoformat(),
                            "progress": indicator_rules.progress(
                                baseline=indicator.baseline_value,
                                target=indicator.target_value,
                                value=v.value,
                            ),
                        }
                        for place, v in sorted(latest.items())
                    ],
                }
            )
        view[str(rec_id)] = {
            "repeats": [
                earlier[i].model_dump(mode="json", include={"id", "session", "cycle", "text"})
                for i in chains[rec_id]
                if i in earlier
            ],
            "places": sorted(
                places, key=lambda p: (p["jurisdiction"], p["institution_name"] or "")
            ),
            "indicators": indicators,
        }
    return view
