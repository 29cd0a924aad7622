"""SQL of implementation-status timelines, the current status they add up to, and publication."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.db import run_sql
from localrights_recommendations.follow_up_models import (
    FollowUpPublication,
    FollowUpStatus,
    StatusEntry,
)
from localrights_recommendations.models import Institution, Recommendation
from localrights_recommendations.repository.audience import Audience, in_place, visible

# The current status of one (recommendation, institution) from its timeline: the latest
# reported entry and, beside it, the latest validation.
_REFRESH = text(
    """
    INSERT INTO follow_up_statuses AS f (recommendation_id, institution_id, jurisdiction,
        country, reported_status, reported_entry_id, reported_as_of, review, validated_status,
        validated_as_of, carried_from, entries, updated_at)
    SELECT r.recommendation_id, r.institution_id, r.jurisdiction, r.country, r.status, r.id,
        r.as_of, r.review, v.status, v.as_of, NULL,
        (SELECT count(*) FROM status_entries AS e
         WHERE e.recommendation_id = r.recommendation_id
           AND e.institution_id = r.institution_id), now()
    FROM (SELECT * FROM status_entries
          WHERE recommendation_id = :recommendation_id AND institution_id = :institution_id
            AND origin <> 'ministry_validation'
          ORDER BY as_of DESC, recorded_at DESC, id DESC LIMIT 1) AS r
    LEFT JOIN LATERAL (
          SELECT status, as_of FROM status_entries
          WHERE recommendation_id = :recommendation_id AND institution_id = :institution_id
            AND origin = 'ministry_validation'
          ORDER BY as_of DESC, recorded_at DESC, id DESC LIMIT 1) AS v ON true
    ON CONFLICT (recommendation_id, institution_id) DO UPDATE SET
        jurisdiction = EXCLUDED.jurisdiction, reported_status = EXCLUDED.reported_status,
        reported_entry_id = EXCLUDED.reported_entry_id,
        reported_as_of = EXCLUDED.reported_as_of, review = EXCLUDED.review,
        validated_status = EXCLUDED.validated_status,
        validated_as_of = EXCLUDED.validated_as_of, carried_from = NULL,
        entries = EXCLUDED.entries, updated_at = now()
    """
)

# A confirmed later recommendation with no entry of its own in a place shows its earlier
# one's status there, marked as carried over.
_CARRY = text(
    """
    INSERT INTO follow_up_statuses AS f (recommendation_id, institution_id, jurisdiction,
        country, reported_status, reported_entry_id, reported_as_of, review, validated_status,
        validated_as_of, carried_from, entries, updated_at)
    SELECT l.later_id, s.institution_id, s.jurisdiction, s.country, s.reported_status,
        s.reported_entry_id, s.reported_as_of, s.review, s.validated_status, s.validated_as_of,
        s.recommendation_id, 0, now()
    FROM recurrence_links AS l
    JOIN follow_up_statuses AS s ON s.recommendation_id = l.earlier_id
    WHERE l.earlier_id = :earlier_id AND l.status = 'confirmed'
      AND (CAST(:institution_id AS uuid) IS NULL OR s.institution_id = :institution_id)
    ON CONFLICT (recommendation_id, institution_id) DO UPDATE SET
        reported_status = EXCLUDED.reported_status,
        reported_entry_id = EXCLUDED.reported_entry_id,
        reported_as_of = EXCLUDED.reported_as_of, review = EXCLUDED.review,
        validated_status = EXCLUDED.validated_status,
        validated_as_of = EXCLUDED.validated_as_of, carried_from = EXCLUDED.carried_from,
        updated_at = now()
    WHERE f.entries = 0
    RETURNING f.recommendation_id
    """
)
# Links are cycles apart: a chain longer than this would be a loop.
_MAX_CHAIN = 8


async def entry_of_input(
    session: AsyncSession, *, input_id: UUID, version: int
) -> StatusEntry | None:
    """The timeline entry an exercise input's version became, if it was recorded."""
    return (
        await session.exec(
            select(StatusEntry).where(
                col(StatusEntry.input_id) == input_id,
                col(StatusEntry.input_version) == version,
            )
        )
    ).first()


async def latest_entry(
    session: AsyncSession, *, recommendation_id: UUID, institution_id: UUID, validations: bool
) -> StatusEntry | None:
    """The latest reported entry (or validation) of one recommendation in one place."""
    origin = col(StatusEntry.origin) == "ministry_validation"
    return (
        await session.exec(
            select(StatusEntry)
            .where(
                col(StatusEntry.recommendation_id) == recommendation_id,
                col(StatusEntry.institution_id) == institution_id,
                origin if validations else ~origin,
            )
            .order_by(
                col(StatusEntry.as_of).desc(),
                col(StatusEntry.recorded_at).desc(),
                col(StatusEntry.id).desc(),
            )
            .limit(1)
        )
    ).first()


async def entry_for_update(session: AsyncSession, entry_id: UUID) -> StatusEntry | None:
    """An entry, locked until the caller's unit of work ends (two reviews cannot cross)."""
    return (
        await session.exec(
            select(StatusEntry).where(col(StatusEntry.id) == entry_id).with_for_update()
        )
    ).first()


async def refresh_current(
    session: AsyncSession, *, recommendation_id: UUID, institution_id: UUID
) -> None:
    """Recompute where the recommendation stands in the place, and pass it down the links."""
    await run_sql(
        session,
        _REFRESH,
        {"recommendation_id": recommendation_id, "institution_id": institution_id},
    )
    await carry_forward(session, earlier_id=recommendation_id, institution_id=institution_id)


async def carry_forward(
    session: AsyncSession, *, earlier_id: UUID, institution_id: UUID | None = None
) -> None:
    """Give the confirmed later recommendations of ``earlier_id`` its status where they have
    none of their own, and theirs to their own later ones."""
    pending = [earlier_id]
    for _ in range(_MAX_CHAIN):
        if not pending:
            return
        reached: list[UUID] = []
        for current in pending:
            rows = await run_sql(
                session, _CARRY, {"earlier_id": current, "institution_id": institution_id}
            )
            reached += [row[0] for row in rows]
        pending = list(dict.fromkeys(reached))


async def institution_names(session: AsyncSession, ids: set[UUID]) -> dict[UUID, Institution]:
    if not ids:
        return {}
    rows = await session.exec(select(Institution).where(col(Institution.id).in_(ids)))
    return {row.id: row for row in rows}


async def timeline(
    session: AsyncSession, *, recommendation_ids: Sequence[UUID], audience: Audience
) -> list[StatusEntry]:
    """Every entry of the recommendations the audience may see, oldest first."""
    rows = await session.exec(
        select(StatusEntry)
        .where(
            col(StatusEntry.recommendation_id).in_(recommendation_ids),
            visible(audience, col(StatusEntry.institution_id), col(StatusEntry.country)),
        )
        .order_by(
            col(StatusEntry.jurisdiction),
            col(StatusEntry.as_of),
            col(StatusEntry.recorded_at),
            col(StatusEntry.id),
        )
    )
    return list(rows)


async def current_statuses(
    session: AsyncSession, *, recommendation_ids: Sequence[UUID], audience: Audience
) -> list[FollowUpStatus]:
    rows = await session.exec(
        select(FollowUpStatus)
        .where(
            col(FollowUpStatus.recommendation_id).in_(recommendation_ids),
            visible(audience, col(FollowUpStatus.institution_id), col(FollowUpStatus.country)),
        )
        .order_by(col(FollowUpStatus.jurisdiction), col(FollowUpStatus.institution_id))
    )
    return list(rows)


async def pending_reviews(
    session: AsyncSession, *, country: str, limit: int, offset: int
) -> tuple[list[StatusEntry], int]:
    """Reported entries of a country still waiting for the ministry, oldest first."""
    where = (
        col(StatusEntry.country) == country,
        col(StatusEntry.review) == "pending",
    )
    total = (
        await run_sql(
            session,
            text(
                "SELECT count(*) FROM status_entries WHERE country = :country "
                "AND review = 'pending'"
            ),
            {"country": country},
        )
    ).scalar_one()
    rows = await session.exec(
        select(StatusEntry)
        .where(*where)
        .order_by(col(StatusEntry.recorded_at), col(StatusEntry.id))
        .offset(offset)
        .limit(limit)
    )
    return list(rows), int(total)


async def recommendation_texts(session: AsyncSession, ids: set[UUID]) -> dict[UUID, str]:
    rows = await session.exec(
        select(col(Recommendation.id), col(Recommendation.text)).where(
            col(Recommendation.id).in_(ids)
        )
    )
    return dict(rows.all())


async def is_published(session: AsyncSession, institution_id: UUID) -> bool:
    row = await session.get(FollowUpPublication, institution_id)
    return bool(row and row.published)


async def set_publication(
    session: AsyncSession, *, institution_id: UUID, published: bool, changed_by: str
) -> FollowUpPublication:
    row = await session.get(FollowUpPublication, institution_id)
    if row is None:
        row = FollowUpPublication(
            institution_id=institution_id, published=published, changed_by=changed_by
        )
    row.published, row.changed_by = published, changed_by
    session.add(row)
    await session.flush()
    await session.refresh(row)
    return row


def entry_values(entry: StatusEntry) -> dict[str, Any]:
    """An entry's fields as plain data (the read schemas add names to them)."""
    return entry.model_dump()


async def current_in_place(
    session: AsyncSession,
    *,
    audience: Audience,
    country: str | None,
    place: str | None,
    recommendation_id: UUID | None,
) -> list[FollowUpStatus]:
    """Current statuses this audience sees in a place (see ``in_place``), by place and
    recommendation."""
    where = [
        visible(audience, col(FollowUpStatus.institution_id), col(FollowUpStatus.country)),
        *in_place(FollowUpStatus, country=country, place=place),
    ]
    if recommendation_id is not None:
        where.append(col(FollowUpStatus.recommendation_id) == recommendation_id)
    rows = await session.exec(
        select(FollowUpStatus)
        .where(*where)
        .order_by(col(FollowUpStatus.jurisdiction), col(FollowUpStatus.recommendation_id))
    )
    return list(rows)


async def entries_in_place(
    session: AsyncSession,
    *,
    audience: Audience,
    country: str | None,
    place: str | None,
    recommendation_id: UUID | None = None,
    latest: int | None = None,
) -> list[StatusEntry]:
    """Timeline entries this audience sees in a place, oldest first; or the ``latest`` ones,
    newest first."""
    where = [
        visible(audience, col(StatusEntry.institution_id), col(StatusEntry.country)),
        *in_place(StatusEntry, country=country, place=place),
    ]
    if recommendation_id is not None:
        where.append(col(StatusEntry.recommendation_id) == recommendation_id)
    statement = select(StatusEntry).where(*where)
    if latest is None:
        statement = statement.order_by(
            col(StatusEntry.as_of), col(StatusEntry.recorded_at), col(StatusEntry.id)
        )
    else:
        statement = statement.order_by(col(StatusEntry.recorded_at).desc()).limit(latest)
    return list(await session.exec(statement))


async def get_institution(session: AsyncSession, *, institution_id: UUID) -> Institution | None:
    return await session.get(Institution, institution_id)


async def publication_of(
    session: AsyncSession, *, institution_id: UUID
) -> FollowUpPublication | None:
    """Whether and since when an institution publishes its follow-up (None: never said)."""
    return await session.get(FollowUpPublication, institution_id)
