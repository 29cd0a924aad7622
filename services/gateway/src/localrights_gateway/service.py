"""Use cases of the gateway's identity store, each run in its caller's unit of work."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.auth import Principal, Role
from localrights.errors import InvalidInput
from localrights.uow import UnitOfWork, event_source
from localrights_gateway import events, repository, security
from localrights_gateway.domain import (
    check_country,
    check_jurisdiction,
    check_roles,
    codes_within,
)
from localrights_gateway.exceptions import (
    ApiKeyNotFound,
    BadCredentials,
    EmailTaken,
    InstitutionNotFound,
    UserNotFound,
)
from localrights_gateway.models import ApiKey, Institution, User
from localrights_gateway.revocation import Standing
from localrights_gateway.schemas import (
    ApiKeyCreate,
    InstitutionCreate,
    InstitutionUpdate,
    UserCreate,
    UserUpdate,
)

SOURCE = event_source("gateway")


# -- institutions ----------------------------------------------------------------------


async def register_institution(uow: UnitOfWork, *, data: InstitutionCreate) -> Institution:
    institution = Institution(**data.model_dump(mode="json"))
    uow.session.add(institution)
    await uow.session.flush()
    uow.emit(events.institution_registered(institution))
    return institution


async def update_institution(
    uow: UnitOfWork, *, institution: Institution, data: InstitutionUpdate
) -> Institution:
    """Apply the fields given; deactivating it takes its people's and keys' access away."""
    changes = data.model_dump(mode="json", exclude_unset=True)
    try:
        country = check_country(changes.get("country", institution.country))
    except ValueError as exc:
        raise _invalid("country", exc) from None
    try:
        jurisdiction = check_jurisdiction(
            country, changes.get("jurisdiction", institution.jurisdiction)
        )
    except ValueError as exc:
        raise _invalid("jurisdiction", exc) from None
    for name in ("name", "kind", "municipality", "active"):
        if name in changes:
            setattr(institution, name, changes[name])
    institution.country, institution.jurisdiction = country, jurisdiction
    institution.updated_at = datetime.now(UTC)
    uow.session.add(institution)
    uow.emit(events.institution_updated(institution))
    return institution


def _invalid(field: str, exc: ValueError) -> InvalidInput:
    return InvalidInput(f"{field}: {exc}", errors=[{"location": field, "message": str(exc)}])


async def get_institution_or_raise(*, session: AsyncSession, id: UUID) -> Institution:
    institution = await repository.get_institution(session, institution_id=id)
    if institution is None:
        raise InstitutionNotFound()
    return institution


async def list_institutions(
    *,
    session: AsyncSession,
    country: str | None = None,
    jurisdiction: str | None = None,
    name: str | None = None,
    kind: str | None = None,
    place: str | None = None,
) -> list[Institution]:
    """By name; ``name`` is a part of it (any case), ``place`` covers its subdivisions."""
    return await repository.find_institutions(
        session,
        country=country.upper() if country else None,
        jurisdiction=jurisdiction.upper() if jurisdiction else None,
        name=name.strip() if name and name.strip() else None,
        kind=kind,
        jurisdictions=codes_within(place) if place else None,
    )


# -- users -----------------------------------------------------------------------------


async def _check_institution(session: AsyncSession, institution_id: UUID | None) -> None:
    if (
        institution_id is not None
        and await repository.get_institution(session, institution_id=institution_id) is None
    ):
        raise InvalidInput(
            "institution_id names no institution",
            errors=[{"location": "institution_id", "message": "no institution with this id"}],
        )


async def create_user(uow: UnitOfWork, *, data: UserCreate) -> User:
    session = uow.session
    await _check_institution(session, data.institution_id)
    user = User(
        email=data.email,
        full_name=data.full_name,
        password_hash=security.hash_password(data.password),
        roles=[role.value for role in data.roles],
        institution_id=data.institution_id,
    )
    session.add(user)
    try:
        await session.flush()
    except IntegrityError:
        raise EmailTaken() from None  # the unit of work rolls back
    return user


async def update_user(uow: UnitOfWork, *, user: User, data: UserUpdate) -> User:
    """Apply the fields given; a change that takes access away ends the user's sessions."""
    changes = data.model_dump(exclude_unset=True)
    institution_id = changes.get("institution_id", user.institution_id)
    roles = changes.get("roles", [Role(r) for r in user.roles])
    try:
        roles = check_roles(roles, institution_id)
    except ValueError as exc:
        # Name the field this request changed (roles unless only the institution changed).
        field = "institution_id" if "roles" not in changes else "roles"
        raise _invalid(field, exc) from None
    await _check_institution(uow.session, institution_id)
    new_roles = [role.value for role in roles]
    access_changed = (
        new_roles != sorted(user.roles)
        or institution_id != user.institution_id
        or "password" in changes
        or changes.get("active", user.active) != user.active
    )
    user.roles = new_roles
    user.institution_id = institution_id
    if "password" in changes:
        user.password_hash = security.hash_password(changes["password"])
    if "full_name" in changes:
        user.full_name = changes["full_name"]
    if "active" in changes:
        user.active = changes["active"]
    if access_changed:
        user.token_version += 1  # every token issued before this change stops working
    uow.session.add(user)
    return user


async def delete_user(uow: UnitOfWork, *, user: User) -> None:
    """Remove a user; their tokens stop working, and so do the API keys they created."""
    await uow.session.delete(user)


async def get_user_or_raise(*, session: AsyncSession, id: UUID) -> User:
    user = await repository.get_user(session, user_id=id)
    if user is None:
        raise UserNotFound()
    return user


async def list_users(*, session: AsyncSession, institution_id: UUID | None = None) -> list[User]:
    return await repository.find_users(session, institution_id=institution_id)


async def authenticate_user(uow: UnitOfWork, *, email: str, password: str) -> User:
    """The active user (of an active institution) with this e-mail and password, or
    BadCredentials (the same for every miss). A hash made with weaker parameters than
    today's is replaced."""
    session = uow.session
    user = await repository.user_by_email(session, email=email.strip().lower())
    if not security.verify_password(user.password_hash if user else None, password):
        raise BadCredentials()
    assert user is not None
    if not user.active:
        raise BadCredentials()
    if user.institution_id is not None:
        institution = await repository.get_institution(session, institution_id=user.institution_id)
        if institution is None or not institution.active:
            raise BadCredentials()
    if security.needs_rehash(user.password_hash):
        user.password_hash = security.hash_password(password)
        session.add(user)
    return user


async def user_standing(*, session: AsyncSession, user_id: UUID) -> Standing | None:
    """What the user's tokens must agree with now (see revocation.py); None: no such user."""
    row = await repository.user_with_institution(session, user_id=user_id)
    if row is None:
        return None
    user, institution = row
    return Standing(
        token_version=user.token_version,
        active=user.active and (institution is None or institution.active),
        institution_id=user.institution_id,
        country=institution.country if institution else None,
        jurisdiction=institution.jurisdiction if institution else None,
    )


async def principal_for_user(*, session: AsyncSession, user: User) -> Principal:
    """The identity a user acts with: roles plus the institution's place."""
    institution = None
    if user.institution_id is not None:
        institution = await repository.get_institution(session, institution_id=user.institution_id)
    return Principal(
        subject=f"user:{user.id}",
        kind="user",
        roles=frozenset(Role(r) for r in user.roles),
        institution_id=user.institution_id,
        country=institution.country if institution else None,
        jurisdiction=institution.jurisdiction if institution else None,
    )


async def bootstrap_admin(uow: UnitOfWork, *, email: str, password: str) -> User | None:
    """Create the first administrator when no user exists yet (several replicas may race:
    the one that loses finds the address taken, and its unit of work rolls back)."""
    session = uow.session
    if await repository.any_user(session):
        return None
    user = User(
        email=email.strip().lower(),
        password_hash=security.hash_password(password),
        roles=[Role.ADMIN.value],
    )
    session.add(user)
    await session.flush()
    return user


# -- API keys --------------------------------------------------------------------------


async def create_api_key(
    uow: UnitOfWork, *, data: ApiKeyCreate, hash_key: bytes, created_by: UUID | None
) -> tuple[ApiKey, str]:
    """A new key; its secret is returned here once and only its keyed hash is stored."""
    await _check_institution(uow.session, data.institution_id)
    new = security.new_api_key(hash_key)
    api_key = ApiKey(
        name=data.name,
        prefix=new.prefix,
        key_hash=new.key_hash,
        roles=[role.value for role in data.roles],
        institution_id=data.institution_id,
        created_by=created_by,
    )
    uow.session.add(api_key)
    await uow.session.flush()
    return api_key, new.key


async def list_api_keys(*, session: AsyncSession) -> list[ApiKey]:
    return await repository.api_keys(session)


async def revoke_api_key(uow: UnitOfWork, *, id: UUID) -> ApiKey:
    api_key = await repository.get_api_key(uow.session, api_key_id=id)
    if api_key is None:
        raise ApiKeyNotFound()
    if api_key.revoked_at is None:
        api_key.revoked_at = datetime.now(UTC)
        uow.session.add(api_key)
    return api_key


async def principal_for_api_key(*, session: AsyncSession, key: str, hash_key: bytes) -> Principal:
    """The identity a presented API key stands for, or Unauthorized."""
    prefix = security.api_key_prefix(key)
    if prefix is None:
        raise BadCredentials("malformed API key")
    row = await repository.api_key_with_owners(session, prefix=prefix)
    if row is None or not security.api_key_matches(key, row[0].key_hash, hash_key):
        raise BadCredentials("unknown API key")
    api_key, institution, creator_active, creator_id = row
    if api_key.revoked_at is not None:
        raise BadCredentials("this API key was revoked")
    if institution is not None and not institution.active:
        raise BadCredentials("this API key's institution is deactivated")
    if api_key.created_by is not None and (creator_id is None or not creator_active):
        raise BadCredentials("the person who created this API key no longer has access")
    return Principal(
        subject=f"api_key:{api_key.id}",
        kind="api_key",
        roles=frozenset(Role(r) for r in api_key.roles),
        institution_id=api_key.institution_id,
        country=institution.country if institution else None,
        jurisdiction=institution.jurisdiction if institution else None,
    )
