"""API keys for machine clients: created (shown once), listed, revoked by administrators."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, status

from localrights.db import SessionDep
from localrights.errors import problem_responses
from localrights.uow import UnitOfWorkDep
from localrights_gateway import service
from localrights_gateway.deps import Admin, SettingsDep, subject_id
from localrights_gateway.models import ApiKey
from localrights_gateway.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyRead

router = APIRouter(prefix="/api-keys", tags=["api keys"])


def _read(api_key: ApiKey) -> ApiKeyRead:
    return ApiKeyRead.model_validate(api_key, from_attributes=True)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ApiKeyCreated,
    responses=problem_responses(401, 403, 422),
)
async def create_api_key(
    data: ApiKeyCreate, uow: UnitOfWorkDep, admin: Admin, settings: SettingsDep
) -> ApiKeyCreated:
    """Create an API key; the secret is in this answer only (admin)."""
    async with uow:
        api_key, secret = await service.create_api_key(
            uow,
            data=data,
            hash_key=settings.derived_key("api-key"),
            created_by=subject_id(admin),
        )
    return ApiKeyCreated(**_read(api_key).model_dump(), key=secret)


@router.get(
    "",
    status_code=status.HTTP_200_OK,
    response_model=list[ApiKeyRead],
    responses=problem_responses(401, 403),
)
async def list_api_keys(session: SessionDep, _admin: Admin) -> list[ApiKeyRead]:
    """Every API key, without secrets (admin)."""
    return [_read(k) for k in await service.list_api_keys(session=session)]


@router.delete(
    "/{api_key_id}",
    status_code=status.HTTP_200_OK,
    response_model=ApiKeyRead,
    responses=problem_responses(401, 403, 404),
)
async def revoke_api_key(api_key_id: UUID, uow: UnitOfWorkDep, _admin: Admin) -> ApiKeyRead:
    """Revoke an API key at once; it is kept, marked revoked, for the record (admin)."""
    async with uow:
        api_key = await service.revoke_api_key(uow, id=api_key_id)
    return _read(api_key)
