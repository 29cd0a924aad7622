"""Follow-up to take away: statuses, timelines and indicator values as CSV or JSON, and the
Atom feed of a place's or a country's latest changes (what institutions publish)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.places import place_name
from localrights_recommendations.domain import follow_up_exports as files
from localrights_recommendations.models import Recommendation
from localrights_recommendations.repository import follow_up as statuses
from localrights_recommendations.repository import indicators, recommendations
from localrights_recommendations.repository.audience import Audience

FEED_SIZE = 50


async def _recommendations(session: AsyncSession, ids: set[UUID]) -> dict[UUID, Recommendation]:
    if not ids:
        return {}
    return {r.id: r for r in await recommendations.by_ids(session, ids)}


async def status_rows(
    session: AsyncSession,
    *,
    audience: Audience,
    country: str | None,
    place: str | None,
    recommendation_id: UUID | None,
) -> list[dict[str, Any]]:
    """Current statuses in scope, one row per recommendation and institution."""
    rows = await statuses.current_in_place(
        session,
        audience=audience,
        country=country,
        place=place,
        recommendation_id=recommendation_id,
    )
    recs = await _recommendations(session, {r.recommendation_id for r in rows})
    names = await statuses.institution_names(session, {r.institution_id for r in rows})
    out = []
    for row in rows:
        rec = recs[row.recommendation_id]
        known = names.get(row.institution_id)
        out.append(
            {
                **row.model_dump(mode="json"),
                "mechanism": rec.mechanism,
                "cycle": rec.cycle,
                "session": rec.session,
                "paragraph": rec.paragraph,
                "recommendation": rec.text,
                "institution": known.name if known else None,
            }
        )
    return out


async def timeline_rows(
    session: AsyncSession,
    *,
    audience: Audience,
    country: str | None,
    place: str | None,
    recommendation_id: UUID | None,
) -> list[dict[str, Any]]:
    """Every timeline entry in scope, oldest first."""
    rows = await statuses.entries_in_place(
        session,
        audience=audience,
        country=country,
        place=place,
        recommendation_id=recommendation_id,
    )
    names = await statuses.institution_names(session, {r.institution_id for r in rows})
    return [
        {
            **row.model_dump(mode="json"),
            "entry_id": str(row.id),
            "institution": names[row.institution_id].name if row.institution_id in names else None,
        }
        for row in rows
    ]


async def observation_rows(
    session: AsyncSession,
    *,
    audience: Audience,
    country: str | None,
    place: str | None,
    recommendation_id: UUID | None,
) -> list[dict[str, Any]]:
    """Indicator values in scope, by indicator, place and date."""
    rows = await indicators.observations_in_place(
        session,
        audience=audience,
        country=country,
        place=place,
        recommendation_id=recommendation_id,
    )
    return [
        {
            **observation.model_dump(mode="json"),
            "indicator": indicator.name.get("en") or next(iter(indicator.name.values()), ""),
            "indicator_names": indicator.name,
            "unit": indicator.unit,
            "kind": indicator.kind,
            "sdg_target": indicator.sdg_target,
            "sdg_indicator": indicator.sdg_indicator,
            "baseline_value": indicator.baseline_value,
            "baseline_year": indicator.baseline_year,
            "target_value": indicator.target_value,
            "target_year": indicator.target_year,
        }
        for observation, indicator in rows
    ]


EXPORTS = {
    "statuses": (status_rows, files.STATUS_COLUMNS),
    "timeline": (timeline_rows, files.TIMELINE_COLUMNS),
    "observations": (observation_rows, files.OBSERVATION_COLUMNS),
}


def as_csv(what: str, rows: Sequence[dict[str, Any]]) -> str:
    if what == "observations":
        rows = [{**r, "breakdown": files.breakdown_text(r["breakdown"])} for r in rows]
    return files.to_csv(EXPORTS[what][1], rows)


async def feed(
    session: AsyncSession,
    *,
    country: str | None,
    place: str | None,
    language: str,
    pages_url: str,
    feed_url: str,
) -> bytes:
    """The latest published changes of a place (or a country) as Atom."""
    public = Audience()
    scope = place or country or ""
    entries = await statuses.entries_in_place(
        session, audience=public, country=country, place=place, latest=FEED_SIZE
    )
    observed = await observation_rows(
        session, audience=public, country=country, place=place, recommendation_id=None
    )
    recs = await _recommendations(session, {e.recommendation_id for e in entries})
    names = await statuses.institution_names(
        session, {e.institution_id for e in entries} | {UUID(o["institution_id"]) for o in observed}
    )

    def who(institution_id: UUID, jurisdiction: str) -> str:
        known = names.get(institution_id)
        return known.name if known else place_name(jurisdiction, language)

    items = [
        files.status_item(
            entry.model_dump(),
            who=who(entry.institution_id, entry.jurisdiction),
            recommendation=files.recommendation_text(
                recs[entry.recommendation_id].model_dump(mode="json")
            ),
            link=f"{pages_url}/follow-up/recommendations/{entry.recommendation_id}?lang={language}",
            language=language,
        )
        for entry in entries
    ]
    for row in sorted(observed, key=lambda o: o["recorded_at"], reverse=True)[:FEED_SIZE]:
        names_by_language = row["indicator_names"]
        items.append(
            files.observation_item(
                {**row, "observed_on": _date(row["observed_on"]), "recorded_at": _when(row)},
                who=who(UUID(row["institution_id"]), row["jurisdiction"]),
                indicator=names_by_language.get(language) or row["indicator"],
                unit=row["unit"],
                link=f"{pages_url}/places/{row['jurisdiction']}/follow-up?lang={language}",
                language=language,
            )
        )
    return files.atom_feed(
        feed_id=feed_url,
        place=place_name(scope, language),
        language=language,
        self_link=feed_url,
        home=f"{pages_url}/places/{scope}/follow-up?lang={language}",
        items=items,
    )


def _date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def _when(row: dict[str, Any]) -> dt.datetime:
    return dt.datetime.fromisoformat(row["recorded_at"])
