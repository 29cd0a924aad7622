"""Signing in (OAuth2 password flow) and asking who one is."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from fastapi.security import OAuth2PasswordRequestForm

from localrights.db import SessionDep
from localrights.errors import problem_responses
from localrights_gateway import security, service
from localrights_gateway.deps import (
    Caller,
    client_address,
    count_request,
    settings_of,
    subject_id,
    token_config,
)
from localrights_gateway.models import Institution, User
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
    session: SessionDep,
) -> Token:
    """Exchange an e-mail address and password for a short-lived access token."""
    # Two counters: one address cannot try many accounts, nor many addresses one account.
    await count_request(request, "login", f"ip:{client_address(request)}")
    await count_request(request, "login", f"login:{form.username.strip().lower()}")
    user = await service.authenticate_user(
        session=session, email=form.username, password=form.password
    )
    principal = await service.principal_for_user(session=session, user=user)
    settings = settings_of(request)
    return Token(
        access_token=security.issue_access_token(
            principal, token_config(settings), version=user.token_version
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
        await session.get(Institution, principal.institution_id)
        if principal.institution_id
        else None
    )
    email = None
    identifier = subject_id(principal)
    if principal.kind == "user" and identifier is not None:
        user = await session.get(User, identifier)
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
