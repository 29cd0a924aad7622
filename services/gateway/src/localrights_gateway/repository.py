"""SQL of the gateway's identity store: institutions, users and API keys.

Functions take the session of the caller's unit of work and never commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights_gateway.models import ApiKey, Institution, User


async def get_institution(session: AsyncSession, *, institution_id: UUID) -> Institution | None:
    return await session.get(Institution, institution_id)


async def find_institutions(
    session: AsyncSession,
    *,
    country: str | None,
    jurisdiction: str | None,
    name: str | None,
    kind: str | None,
    jurisdictions: Iterable[str] | None,
) -> list[Institution]:
    """By name; ``name`` is a part of it (any case); ``jurisdictions`` any of these."""
    query = select(Institution).order_by(Institution.name)
    if country:
        query = query.where(col(Institution.country) == country)
    if jurisdiction:
        query = query.where(col(Institution.jurisdiction) == jurisdiction)
    if name:
        query = query.where(col(Institution.name).icontains(name, autoescape=True))
    if kind:
        query = query.where(col(Institution.kind) == kind)
    if jurisdictions is not None:
        query = query.where(col(Institution.jurisdiction).in_(sorted(jurisdictions)))
    return list((await session.exec(query)).all())


async def get_user(session: AsyncSession, *, user_id: UUID) -> User | None:
    return await session.get(User, user_id)


async def find_users(session: AsyncSession, *, institution_id: UUID | None) -> list[User]:
    """By e-mail address; of one institution when given."""
    query = select(User).order_by(User.email)
    if institution_id:
        query = query.where(col(User.institution_id) == institution_id)
    return list((await session.exec(query)).all())


async def user_by_email(session: AsyncSession, *, email: str) -> User | None:
    return (await session.exec(select(User).where(col(User.email) == email))).one_or_none()


async def user_with_institution(
    session: AsyncSession, *, user_id: UUID
) -> tuple[User, Institution | None] | None:
    """A user and their institution (None for a user of none), or None: no such user."""
    row = (
        await session.exec(
            select(User, Institution)
            .join(Institution, col(User.institution_id) == col(Institution.id), isouter=True)
            .where(col(User.id) == user_id)
        )
    ).one_or_none()
    return None if row is None else (row[0], row[1])


async def any_user(session: AsyncSession) -> bool:
    return bool((await session.exec(select(func.count()).select_from(User))).one())


async def get_api_key(session: AsyncSession, *, api_key_id: UUID) -> ApiKey | None:
    return await session.get(ApiKey, api_key_id)


async def api_keys(session: AsyncSession) -> list[ApiKey]:
    """Newest first."""
    query = select(ApiKey).order_by(col(ApiKey.created_at).desc())
    return list((await session.exec(query)).all())


async def api_key_with_owners(session: AsyncSession, *, prefix: str) -> Any | None:
    """The key with this prefix, its institution, and whether its creator is active and still
    exists: ``(key, institution | None, creator_active | None, creator_id | None)``.

    One query: the creator and institution checks ride on its joins.
    """
    creator = aliased(User)
    return (
        await session.exec(
            select(ApiKey, Institution, col(creator.active), col(creator.id))
            .join(Institution, col(ApiKey.institution_id) == col(Institution.id), isouter=True)
            .join(creator, col(ApiKey.created_by) == col(creator.id), isouter=True)
            .where(col(ApiKey.prefix) == prefix)
        )
    ).one_or_none()
