"""The follow-up dashboards: a place, a country, a recommendation's timeline in every place.

What a caller sees follows ``Audience``: everyone sees what institutions publish; an
institution also its own; a ministry everything of its country; an administrator all.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.places import codes_within
from localrights_recommendations.dashboard_schemas import (
    CountryDashboard,
    InstitutionBrief,
    PlaceDashboard,
    PlaceTimeline,
    RecommendationTimeline,
)
from localrights_recommendations.domain import dashboards as figures
from localrights_recommendations.domain import status as rules
from localrights_recommendations.follow_up_schemas import CurrentStatusRead, StatusEntryRead
from localrights_recommendations.models import Recommendation
from localrights_recommendations.repository import dashboards as repository
from localrights_recommendations.repository import follow_up as statuses
from localrights_recommendations.repository import indicators as indicator_rows
from localrights_recommendations.repository import recurrence as links
from localrights_recommendations.repository.audience import Audience
from localrights_recommendations.service import indicators
from localrights_recommendations.service.recurrence import brief


async def _institutions(session: AsyncSession, ids: set[UUID]) -> list[InstitutionBrief]:
    known = await statuses.institution_names(session, ids)
    found = []
    for institution_id in sorted(ids, key=str):
        row = known.get(institution_id)
        found.append(
            InstitutionBrief(
                id=institution_id,
                name=row.name if row else None,
                jurisdiction=row.jurisdiction if row else None,
                published=await statuses.is_published(session, institution_id),
            )
        )
    return sorted(found, key=lambda i: (i.name or "", str(i.id)))


async def place_dashboard(
    session: AsyncSession, *, code: str, audience: Audience
) -> PlaceDashboard:
    """A place (and the places inside it): its statuses by issue, SDG goal and mechanism,
    over time, and its indicators against baseline and target."""
    places = sorted(codes_within(code))
    total_rows = await repository.totals(session, audience=audience, places=places)
    history = await repository.reported_history(session, audience=audience, places=places)
    reported = [rules.Reported(*row) for row in history]
    today = datetime.now(UTC).date()
    ends = rules.year_ends(min((e.as_of for e in reported), default=None), today)
    observed = await indicator_rows.indicators(
        session, audience=audience, country=code[:2], observed_in=places
    )
    institution_ids = set(
        await repository.institutions_of(session, audience=audience, places=places)
    )
    return PlaceDashboard.model_validate(
        {
            "place": code,
            "country": code[:2],
            "public_only": audience.public_only,
            "institutions": await _institutions(session, institution_ids),
            "counts": figures.status_counts(total_rows),
            "figures": figures.figures(total_rows),
            **{
                f"by_{field}": figures.breakdown(
                    await repository.by_recommendation_field(
                        session, audience=audience, places=places, field=field
                    )
                )
                for field in ("theme", "sdg_goal", "mechanism")
            },
            "over_time": [
                {"as_of": end, "counts": found}
                for end, found in zip(ends, rules.status_over_time(reported, ends), strict=True)
            ],
            "indicators": await indicators.series(
                session, indicators=observed, audience=audience, jurisdictions=places
            ),
        }
    )


async def country_dashboard(
    session: AsyncSession, *, country: str, cycle: int | None, audience: Audience
) -> CountryDashboard:
    """Places × statuses of a country's recommendations, coverage, recurring ones."""
    rows = await repository.by_place_and_status(
        session, audience=audience, country=country, cycle=cycle
    )
    covered = await repository.coverage(session, audience=audience, country=country, cycle=cycle)
    in_scope = await repository.recommendations_in_scope(session, country=country, cycle=cycle)
    with_status = figures.overall(covered)
    recurring = await links.counts_by_status(session, country)
    return CountryDashboard.model_validate(
        {
            "country": country,
            "cycle": cycle,
            "public_only": audience.public_only,
            "recommendations": in_scope,
            "recommendations_with_status": with_status,
            "coverage": figures.share(with_status, in_scope),
            "counts": figures.status_counts(rows),
            "figures": figures.figures(rows),
            "places": figures.places(rows, covered, in_scope),
            "recurring": {s: recurring.get(s, 0) for s in ("suggested", "confirmed", "rejected")},
        }
    )


async def recommendation_timeline(
    session: AsyncSession, *, recommendation: Recommendation, audience: Audience
) -> RecommendationTimeline:
    """The recommendation's timeline in every place, continued back across confirmed links
    to the earlier recommendations it repeats, and the indicators that measure it."""
    chain = await links.earlier_chain(session, recommendation.id)
    earlier, later = await links.confirmed_neighbours(session, recommendation.id)
    entries = await statuses.timeline(session, recommendation_ids=chain, audience=audience)
    current = await statuses.current_statuses(
        session, recommendation_ids=[recommendation.id], audience=audience
    )
    names = await statuses.institution_names(
        session, {e.institution_id for e in entries} | {c.institution_id for c in current}
    )

    def name(institution_id: UUID) -> str | None:
        known = names.get(institution_id)
        return known.name if known else None

    places: dict[tuple[str, UUID], PlaceTimeline] = {}
    for row in current:
        places[(row.jurisdiction, row.institution_id)] = PlaceTimeline(
            jurisdiction=row.jurisdiction,
            institution_id=row.institution_id,
            institution_name=name(row.institution_id),
            current=CurrentStatusRead.model_validate(
                {**row.model_dump(), "institution_name": name(row.institution_id)}
            ),
            entries=[],
        )
    for entry in entries:
        key = (entry.jurisdiction, entry.institution_id)
        if key not in places:
            places[key] = PlaceTimeline(
                jurisdiction=entry.jurisdiction,
                institution_id=entry.institution_id,
                institution_name=name(entry.institution_id),
                current=None,
                entries=[],
            )
        places[key].entries.append(
            StatusEntryRead.model_validate(
                {**entry.model_dump(), "institution_name": name(entry.institution_id)}
            )
        )
    measuring = await indicator_rows.indicators(
        session, audience=audience, recommendation_ids=chain
    )
    return RecommendationTimeline(
        recommendation=brief(recommendation),
        public_only=audience.public_only,
        earlier=[brief(r) for r in earlier],
        later=[brief(r) for r in later],
        places=sorted(places.values(), key=lambda p: (p.jurisdiction, p.institution_name or "")),
        indicators=await indicators.series(session, indicators=measuring, audience=audience),
    )
