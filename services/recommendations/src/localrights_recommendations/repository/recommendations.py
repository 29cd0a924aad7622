"""SQL of recommendations: finding them by a filter (full text ranked, arrays by their GIN
indexes), one page at a time, and counting the values they carry."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Text, cast, desc, func, literal_column, text
from sqlalchemy import select as core_select
from sqlalchemy.dialects.postgresql import ARRAY, array
from sqlalchemy.orm import Mapped
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from localrights.db import run_sql
from localrights_recommendations.models import Recommendation
from localrights_recommendations.schemas import RecommendationFilter

_SEARCH: ColumnElement[Any] = literal_column("recommendations.search")


def _query(criteria: RecommendationFilter) -> tuple[list[ColumnElement[bool]], Any | None]:
    """WHERE clauses of a filter, and the full-text query (for ranking) when there is one."""
    where: list[ColumnElement[bool]] = []
    tsquery = None
    if criteria.q and criteria.q.strip():
        tsquery = func.websearch_to_tsquery("english", criteria.q)
        where.append(_SEARCH.op("@@")(tsquery))
    if criteria.country:
        where.append(col(Recommendation.country) == criteria.country)
    if criteria.mechanism:
        where.append(func.lower(col(Recommendation.mechanism)) == criteria.mechanism.lower())
    if criteria.mechanism_type:
        where.append(col(Recommendation.mechanism_type) == criteria.mechanism_type)
    if criteria.owner_level:
        where.append(col(Recommendation.owner_level) == criteria.owner_level)
    if criteria.response:
        where.append(col(Recommendation.response) == criteria.response)
    if criteria.session:
        where.append(col(Recommendation.session) == criteria.session)
    if criteria.cycle:
        where.append(col(Recommendation.cycle) == criteria.cycle)
    if criteria.sdg_goal:
        # Targets are "11.1", "16.b": any of the goal's targets starts with "<goal>.".
        where.append(
            func.array_to_string(col(Recommendation.sdg_targets), " ").op("~")(
                rf"(^| ){criteria.sdg_goal}\."
            )
        )
    # Array containment (@>) uses the GIN indexes on the array columns.
    for column, value in (
        (Recommendation.themes, criteria.theme),
        (Recommendation.affected_groups, criteria.affected_group),
        (Recommendation.sdg_targets, criteria.sdg_target),
        (Recommendation.jurisdictions, criteria.jurisdiction),
        (Recommendation.recommending_states, criteria.recommending_state),
    ):
        if value:
            where.append(col(column).contains(cast(array([value]), ARRAY(Text))))
    return where, tsquery


def _best_first(tsquery: Any | None) -> list[ColumnElement[Any] | Mapped[Any]]:
    """Best match first, or newest first when there is no text to rank by."""
    if tsquery is not None:
        return [desc(func.ts_rank(_SEARCH, tsquery)), col(Recommendation.id)]
    return [
        col(Recommendation.date).desc().nulls_last(),
        col(Recommendation.country),
        col(Recommendation.id),
    ]


def filtered(criteria: RecommendationFilter) -> SelectOfScalar[Recommendation]:
    """Recommendations matching a filter, best match first (or newest, without text)."""
    where, tsquery = _query(criteria)
    return select(Recommendation).where(*where).order_by(*_best_first(tsquery))


def filtered_ids(criteria: RecommendationFilter) -> SelectOfScalar[UUID]:
    """The ids of the recommendations ``filtered`` finds, in the same order."""
    where, tsquery = _query(criteria)
    return select(col(Recommendation.id)).where(*where).order_by(*_best_first(tsquery))


async def get_recommendation(
    session: AsyncSession, *, recommendation_id: UUID
) -> Recommendation | None:
    return await session.get(Recommendation, recommendation_id)


async def page(
    session: AsyncSession, *, criteria: RecommendationFilter, offset: int, limit: int
) -> tuple[Sequence[Recommendation], int]:
    """One page of the recommendations a filter finds, and how many it finds in all."""
    where, _ = _query(criteria)
    total = (
        await session.exec(select(func.count()).select_from(Recommendation).where(*where))
    ).one()
    rows = await session.exec(filtered(criteria).offset(offset).limit(limit))
    return rows.all(), int(total)


async def matching_ids(
    session: AsyncSession, *, criteria: RecommendationFilter, limit: int
) -> list[UUID]:
    """The ids of the first ``limit`` recommendations a filter finds, in its order."""
    return list((await session.exec(filtered_ids(criteria).limit(limit))).all())


async def by_ids(session: AsyncSession, ids: Iterable[UUID]) -> Sequence[Recommendation]:
    """The recommendations with these ids (unknown ids left out)."""
    rows = await session.exec(select(Recommendation).where(col(Recommendation.id).in_(set(ids))))
    return rows.all()


async def countries_of(session: AsyncSession, ids: Sequence[UUID]) -> dict[UUID, str]:
    """The country each of these recommendations is addressed to (unknown ids left out)."""
    rows = await session.exec(
        select(col(Recommendation.id), col(Recommendation.country)).where(
            col(Recommendation.id).in_(ids)
        )
    )
    return dict(rows.all())


# The values a facet counts: a column, or an array column spread by unnest() (which has no
# NULL to leave out).
_FACETS: dict[str, tuple[Any, bool]] = {
    "mechanism": (col(Recommendation.mechanism), False),
    "cycle": (col(Recommendation.cycle), False),
    "session": (col(Recommendation.session), False),
    "theme": (func.unnest(col(Recommendation.themes)), True),
    "sdg_target": (func.unnest(col(Recommendation.sdg_targets)), True),
    "response": (col(Recommendation.response), False),
    "owner_level": (col(Recommendation.owner_level), False),
}


async def count(session: AsyncSession, *, country: str | None) -> int:
    """How many recommendations there are (addressed to ``country`` when given)."""
    statement = core_select(func.count()).select_from(Recommendation)
    if country:
        statement = statement.where(col(Recommendation.country) == country)
    return int((await run_sql(session, statement)).scalar_one())


async def value_counts(
    session: AsyncSession, facet: str, *, country: str | None, limit: int
) -> list[tuple[str, int]]:
    """The commonest values of one facet (see ``_FACETS``) and how many carry each."""
    column, spread = _FACETS[facet]
    statement = core_select(column.label("value"), func.count().label("n")).select_from(
        Recommendation
    )
    if country:
        statement = statement.where(col(Recommendation.country) == country)
    if not spread:
        statement = statement.where(column.is_not(None))
    statement = (
        statement.group_by(text("value")).order_by(text("n DESC"), text("value")).limit(limit)
    )
    return [(str(row.value), int(row.n)) for row in (await run_sql(session, statement)).all()]


# What an import writes of a recommendation (and its SQL type); a re-import that changes
# none of them leaves the row as it is.
CONTENT_COLUMNS: dict[str, str] = {
    "mechanism_type": "text",
    "mechanism": "text",
    "country": "text",
    "cycle": "int",
    "session": "text",
    "recommending_states": "text[]",
    "response": "text",
    "action_category": "int",
    "document_symbol": "text",
    "paragraph": "text",
    "text": "text",
    "date": "date",
    "themes": "text[]",
    "affected_groups": "text[]",
    "sdg_targets": "text[]",
}
_ALL = ["source", "natural_key", *CONTENT_COLUMNS]
_RECORDSET = ", ".join(f"{name} {CONTENT_COLUMNS.get(name, 'text')}" for name in _ALL)
UPSERT = text(
    f"INSERT INTO recommendations AS r (id, {', '.join(_ALL)}, import_id) "
    f"SELECT gen_random_uuid(), {', '.join('x.' + c for c in _ALL)}, CAST(:import_id AS uuid) "
    f"FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS x({_RECORDSET}) "
    "ON CONFLICT (source, natural_key) DO UPDATE SET "
    + ", ".join(f"{c} = EXCLUDED.{c}" for c in CONTENT_COLUMNS)
    + ", import_id = EXCLUDED.import_id, updated_at = now() "
    f"WHERE ({', '.join('r.' + c for c in CONTENT_COLUMNS)}) IS DISTINCT FROM "
    f"({', '.join('EXCLUDED.' + c for c in CONTENT_COLUMNS)}) "
    "RETURNING (xmax = 0) AS created"
)


async def upsert(session: AsyncSession, *, rows_json: str, import_id: UUID) -> list[bool]:
    """Insert or update imported rows (a JSON array) by (source, natural_key); per row written,
    whether it was created (an unchanged row is not written, so not listed)."""
    result = await run_sql(session, UPSERT, {"rows": rows_json, "import_id": str(import_id)})
    return [bool(row[0]) for row in result]
