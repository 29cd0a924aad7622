"""Who is calling the gateway, how often, and the dependencies routes use to ask.

Credentials accepted from outside: ``Authorization: Bearer <JWT>`` (from /auth/token),
``Authorization: Bearer lr_...`` or ``X-API-Key: lr_...`` (API keys). No credentials means
an anonymous resident, known to services only by a pseudonymous client key.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import timedelta
from functools import lru_cache
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer
from starlette.types import Scope

from localrights.app import API_PREFIX, app_settings
from localrights.auth import Principal, Role
from localrights.db import SessionDep
from localrights.errors import Forbidden, Unauthorized
from localrights_gateway import security, service
from localrights_gateway.config import Settings
from localrights_gateway.forwarding import VOUCHED_CLIENT_HEADER, ClientAddresses
from localrights_gateway.models import Institution, User
from localrights_gateway.ratelimit import RateLimiter
from localrights_gateway.revocation import StandingCache

# Declared for the OpenAPI document (Swagger's "Authorize" button); reading is done below.
oauth2_scheme = OAuth2PasswordBearer(tokenUrl=f"{API_PREFIX}/auth/token", auto_error=False)
api_key_scheme = APIKeyHeader(name="X-API-Key", auto_error=False)

_PRINCIPAL_STATE = "gateway_principal"
RATE_HEADERS_STATE = "rate_limit_headers"
_CLIENT_ADDRESS_SCOPE = "localrights.client_address"
_VOUCHED_RAW = VOUCHED_CLIENT_HEADER.encode()


SettingsDep = Annotated[Settings, Depends(app_settings)]


def settings_of(request: Request) -> Settings:
    """The gateway's settings, for code that holds a request rather than a route parameter."""
    settings: Settings = request.app.state.settings
    return settings


def token_config(settings: Settings) -> security.TokenConfig:
    return security.TokenConfig(
        secret=settings.jwt_secret.get_secret_value(),
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        ttl=timedelta(seconds=settings.jwt_ttl_seconds),
    )


def client_address(request: Request) -> str:
    """The caller's address: the peer, or who trusted proxies say it is (forwarding.py).

    Worked out once per request (the client key, the rate limit and the proxy all ask) and
    kept in the request's scope, which every Request object of this call shares.
    """
    scope = request.scope
    address: str | None = scope.get(_CLIENT_ADDRESS_SCOPE)
    if address is None:
        addresses: ClientAddresses = request.app.state.client_addresses
        peer = scope.get("client")
        address = addresses.resolve(
            peer[0] if peer else None,
            header_values(scope, b"x-forwarded-for"),
            header_value(scope, _VOUCHED_RAW),
        )
        scope[_CLIENT_ADDRESS_SCOPE] = address
    return address


# Headers read from the scope as Starlette's ``Headers.get``/``getlist`` read them (ASGI
# gives names in lower case), without building a Headers object and its per-call lookups.
def header_value(scope: Scope, name: bytes) -> str | None:
    """The first value of the header ``name`` (lower case), or None."""
    for key, value in scope["headers"]:
        if key == name:
            decoded: str = value.decode("latin-1")
            return decoded
    return None


def header_values(scope: Scope, name: bytes) -> list[str]:
    """Every value of the header ``name`` (lower case), in order."""
    return [value.decode("latin-1") for key, value in scope["headers"] if key == name]


def _state(request: Request) -> dict[str, Any]:
    """``request.state``'s own dict (Starlette keeps it in the scope), without the wrapper."""
    state: dict[str, Any] = request.scope.setdefault("state", {})
    return state


def vouched_client_headers(request: Request) -> dict[str, str]:
    """Headers by which the gateway's own pages call its API for the resident at hand."""
    addresses: ClientAddresses = request.app.state.client_addresses
    return {VOUCHED_CLIENT_HEADER: addresses.vouch(client_address(request))}


def anonymous_principal(request: Request) -> Principal:
    settings = settings_of(request)
    address = client_address(request)
    user_agent = header_value(request.scope, b"user-agent") or ""
    key = settings.derived_key("client-key")
    if len(user_agent) > _KEPT_USER_AGENT_LENGTH:  # not kept: an odd agent costs no memory
        return _anonymous.__wrapped__(address, user_agent, key)
    return _anonymous(address, user_agent, key)


# A resident's principal is a keyed hash of their address and agent, the same every call:
# kept for the clients seen last, so a call is neither hashed nor validated anew. The key
# is part of the cache key, so apps with other secrets never share an entry.
_KEPT_USER_AGENT_LENGTH = 512


@lru_cache(maxsize=4096)
def _anonymous(address: str, user_agent: str, key: bytes) -> Principal:
    client = security.client_key(address, user_agent, key)
    return Principal(subject=f"anonymous:{client}", kind="anonymous", client=client)


def _presented_credential(request: Request) -> tuple[str, str] | None:
    """("jwt" | "api_key", value) from the request's headers, or None.

    A header that is present counts even when empty: it is a bad credential, never a
    silent fall-back to anonymous.
    """
    header = header_value(request.scope, b"authorization")
    if header is not None:
        scheme, _, value = header.strip().partition(" ")
        value = value.strip()
        if scheme.lower() != "bearer" or not value:
            raise Unauthorized("use 'Authorization: Bearer <token or API key>'")
        return ("api_key" if value.startswith(security.API_KEY_SCHEME) else "jwt", value)
    api_key = header_value(request.scope, b"x-api-key")
    if api_key is not None:
        if not api_key.strip():
            raise Unauthorized("the X-API-Key header is empty")
        return ("api_key", api_key.strip())
    return None


async def authenticate(request: Request) -> Principal:
    """The caller (person, machine or anonymous resident); Unauthorized for bad credentials.

    The result is kept on the request, so rate limiting, routes and the proxy share it.
    """
    state = _state(request)
    cached: Principal | None = state.get(_PRINCIPAL_STATE)
    if cached is not None:
        return cached
    settings = settings_of(request)
    credential = _presented_credential(request)
    if credential is None:
        principal = anonymous_principal(request)
    elif credential[0] == "jwt":
        token = security.verify_access_token(credential[1], token_config(settings))
        await _check_standing(request, token)
        principal = token.principal
    else:
        sessions = request.app.state.runtime.sessions
        async with sessions() as session:
            principal = await service.principal_for_api_key(
                session=session, key=credential[1], hash_key=settings.derived_key("api-key")
            )
    state[_PRINCIPAL_STATE] = principal
    return principal


async def _check_standing(request: Request, token: security.AccessToken) -> None:
    """Unauthorized when the token's user was deleted, disabled or changed since it was issued."""
    standings: StandingCache = request.app.state.standings
    user_id = subject_id(token.principal)
    standing = await standings.get(user_id) if user_id is not None else None
    if standing is None or not standing.admits(token):
        raise Unauthorized(
            "this sign-in is no longer valid (the account or its access changed): sign in again"
        )


def rate_limit_key(principal: Principal, request: Request) -> str:
    """Per API key, per user, or per address for anonymous callers."""
    if principal.is_anonymous:
        return f"ip:{client_address(request)}"
    return principal.subject


async def count_request(request: Request, limit: str = "default", key: str | None = None) -> None:
    """Count a request against a named limit; its headers are added to the response."""
    limiter: RateLimiter = request.app.state.rate_limiter
    if key is None:
        key = rate_limit_key(await authenticate(request), request)
    decision = await limiter.hit(limit, key)
    if decision is not None:
        _state(request)[RATE_HEADERS_STATE] = decision.headers()


async def rate_limited(request: Request) -> None:
    """Router dependency: authenticate, then apply the default per-client limit."""
    try:
        await authenticate(request)
    except Unauthorized:
        # Bad credentials are counted against the address, so guessing keys costs the guesser.
        await count_request(request, "login", f"ip:{client_address(request)}")
        raise
    await count_request(request)


async def _caller(
    request: Request,
    _token: Annotated[str | None, Depends(oauth2_scheme)],
    _key: Annotated[str | None, Depends(api_key_scheme)],
) -> Principal:
    return await authenticate(request)


async def _signed_in(principal: Annotated[Principal, Depends(_caller)]) -> Principal:
    if principal.is_anonymous:
        raise Unauthorized(f"sign in (POST {API_PREFIX}/auth/token) or send an API key")
    return principal


Caller = Annotated[Principal, Depends(_caller)]
SignedIn = Annotated[Principal, Depends(_signed_in)]


def signed_in_with_roles(*roles: Role) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """Dependency factory: the signed-in caller must hold one of ``roles`` (admins always
    pass); the shared ``require_roles`` with this gateway's sign-in (revocation included)."""

    async def dependency(principal: SignedIn) -> Principal:
        if principal.is_admin or principal.has_role(*roles):
            return principal
        raise Forbidden("this action needs one of the roles: " + ", ".join(roles))

    return dependency


Admin = Annotated[Principal, Depends(signed_in_with_roles(Role.ADMIN))]


def subject_id(principal: Principal) -> UUID | None:
    """The user or key id inside a principal's subject ("user:<uuid>")."""
    _, _, raw = principal.subject.partition(":")
    try:
        return UUID(raw)
    except ValueError:
        return None


async def valid_institution(institution_id: UUID, session: SessionDep) -> Institution:
    return await service.get_institution_or_raise(session=session, id=institution_id)


async def valid_user(user_id: UUID, session: SessionDep) -> User:
    return await service.get_user_or_raise(session=session, id=user_id)


ValidInstitution = Annotated[Institution, Depends(valid_institution)]
ValidUser = Annotated[User, Depends(valid_user)]


async def standings_of(request: Request) -> StandingCache:  # async: no worker-thread hop
    standings: StandingCache = request.app.state.standings
    return standings


Standings = Annotated[StandingCache, Depends(standings_of)]
