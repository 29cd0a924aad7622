"""Users: people who sign in, managed by administrators."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response, status

from localrights.db import SessionDep
from localrights.errors import problem_responses
from localrights.uow import UnitOfWorkDep
from localrights_gateway import service
from localrights_gateway.deps import Admin, Standings, ValidUser
from localrights_gateway.models import User
from localrights_gateway.schemas import UserCreate, UserRead, UserUpdate

router = APIRouter(prefix="/users", tags=["users"])


def _read(user: User) -> UserRead:
    return UserRead.model_validate(user, from_attributes=True)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=UserRead,
    responses=problem_responses(401, 403, 409, 422),
)
async def create_user(data: UserCreate, uow: UnitOfWorkDep, _admin: Admin) -> UserRead:
    """Create a user with roles, bound to an institution unless admin (admin)."""
    async with uow:
        user = await service.create_user(uow, data=data)
    return _read(user)


@router.get(
    "",
    status_code=status.HTTP_200_OK,
    response_model=list[UserRead],
    responses=problem_responses(401, 403),
)
async def list_users(
    session: SessionDep, _admin: Admin, institution_id: UUID | None = None
) -> list[UserRead]:
    """Users, optionally of one institution (admin)."""
    found = await service.list_users(session=session, institution_id=institution_id)
    return [_read(u) for u in found]


@router.get(
    "/{user_id}",
    status_code=status.HTTP_200_OK,
    response_model=UserRead,
    responses=problem_responses(401, 403, 404),
)
async def get_user(_admin: Admin, user: ValidUser) -> UserRead:
    """One user (admin)."""
    return _read(user)


@router.patch(
    "/{user_id}",
    status_code=status.HTTP_200_OK,
    response_model=UserRead,
    responses=problem_responses(401, 403, 404, 422),
)
async def update_user(
    _admin: Admin, user: ValidUser, data: UserUpdate, uow: UnitOfWorkDep, standings: Standings
) -> UserRead:
    """Change a user's roles, institution, password or status (admin).

    Deactivating, a new password, a new institution or roles end the user's sessions within
    GATEWAY_ACCESS_CACHE_SECONDS.
    """
    async with uow:
        updated = await service.update_user(uow, user=user, data=data)
    standings.forget(updated.id)
    return _read(updated)


@router.delete(
    "/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problem_responses(401, 403, 404),
)
async def delete_user(
    _admin: Admin, user: ValidUser, uow: UnitOfWorkDep, standings: Standings
) -> Response:
    """Delete a user: their sessions and the API keys they created stop working (admin)."""
    async with uow:
        await service.delete_user(uow, user=user)
    standings.forget(user.id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
