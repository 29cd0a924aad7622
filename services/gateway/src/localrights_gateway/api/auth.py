"""Signing in (OAuth2 password flow) and asking who one is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from fastapi.security import OAuth2PasswordRequestForm

from localrights.db import SessionDep
from localrights.errors import Unauthorized, problem_responses
from localrights.uow import UnitOfWorkDep
from localrights_gateway import security, service
from localrights_gateway.deps import (
    Caller,
    SettingsDep,
    SignedIn,
    client_address,
    count_request,
    subject_id,
    token_config,
)
from localrights_gateway.schemas import InstitutionRead, Me, Token

router = APIRouter(tags=["identity"])
me_router = APIRouter(tags=["identity"])


@router.post(
    "/auth/token",
    status_code=status.HTTP_200_OK,
    response_model=Token,
    responses=problem_responses(401, 422, 429),
)
async def issue_token(
    request: Request,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    uow: UnitOfWorkDep,
    settings: SettingsDep,
) -> Token:
    """Exchange an e-mail address and password for a short-lived access token."""
    # Two counters: one address cannot try many accounts, nor many addresses one account.
    await count_request(request, "login", f"ip:{client_address(request)}")
    await count_request(request, "login", f"login:{form.username.strip().lower()}")
    async with uow:
        user = await service.authenticate_user(uow, email=form.username, password=form.password)
    principal = await service.principal_for_user(session=uow.session, user=user)
    return Token(
        access_token=security.issue_access_token(
            principal, token_config(settings), version=user.token_version
        ),
        expires_in=settings.jwt_ttl_seconds,
    )


@router.post(
    "/auth/refresh",
    status_code=status.HTTP_200_OK,
    response_model=Token,
    responses=problem_responses(401, 429),
)
async def refresh_token(
    request: Request, session: SessionDep, principal: SignedIn, settings: SettingsDep
) -> Token:
    """A fresh token for a person signed in with a password, with their access as it is now.

    Refused (401) to API keys, to a token no longer valid (revoked, expired), and once
    GATEWAY_SESSION_MAX_SECONDS have passed since the password was given.
    """
    await count_request(request)
    config = token_config(settings)
    header = request.headers.get("authorization", "")
    if principal.kind != "user" or not header.lower().startswith("bearer "):
        raise Unauthorized("only a person's access token can be renewed")
    presented = security.verify_access_token(header.split(" ", 1)[1].strip(), config)
    signed_in = presented.auth_time or datetime.now(UTC)
    if datetime.now(UTC) - signed_in > timedelta(seconds=settings.session_max_seconds):
        raise Unauthorized("this session is too old to renew: sign in again")
    user_id = subject_id(principal)
    user = await service.find_user(session, user_id=user_id) if user_id is not None else None
    if user is None or not user.active:
        raise Unauthorized("this account can no longer sign in")
    return Token(
        access_token=security.issue_access_token(
            await service.principal_for_user(session=session, user=user),
            config,
            version=user.token_version,
            auth_time=signed_in,
        ),
        expires_in=settings.jwt_ttl_seconds,
    )


@me_router.get(
    "/me",
    status_code=status.HTTP_200_OK,
    response_model=Me,
    # Credentials are optional here (appended to the schemes FastAPI lists): without any,
    # the answer describes an anonymous caller.
    openapi_extra={"security": [{}]},
)
async def read_me(principal: Caller, session: SessionDep) -> Me:
    """Who the gateway takes the caller to be (anonymous callers included)."""
    institution = (
        await service.find_institution(session, institution_id=principal.institution_id)
        if principal.institution_id
        else None
    )
    email = None
    identifier = subject_id(principal)
    if principal.kind == "user" and identifier is not None:
        user = await service.find_user(session, user_id=identifier)
        email = user.email if user else None
    return Me(
        subject=principal.subject,
        kind=principal.kind,
        roles=sorted(principal.roles),
        institution=InstitutionRead.model_validate(institution, from_attributes=True)
        if institution
        else None,
        email=email,
    )
