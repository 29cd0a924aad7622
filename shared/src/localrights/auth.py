"""Identity inside the platform: the gateway's signed internal token, verified by services.

The gateway authenticates people (OAuth2 password flow) and machines (API keys), then
calls a service with a short-lived internal JWT in ``Authorization: Bearer``. Services
trust nothing else: no raw identity header from outside is ever read. HS256 is pinned, and
issuer, audience and expiry are required.

Anonymous callers (residents) get a token too, of kind ``anonymous`` with no roles, so that
services receive the gateway's pseudonymous ``client`` key (a keyed hash of the caller's
address and user agent) for rate limiting and duplicate detection without seeing either.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

import jwt
from fastapi import Depends, Request
from pydantic import BaseModel, ConfigDict

from localrights.errors import Forbidden, Unauthorized
from localrights.roles import Role as Role  # re-exported: callers name roles with identity

INTERNAL_ISSUER = "localrights-gateway"
INTERNAL_AUDIENCE = "localrights-services"
INTERNAL_ALGORITHM = "HS256"


class Principal(BaseModel):
    """Who is calling: a person or a machine, with the roles and institution they act for."""

    model_config = ConfigDict(frozen=True)

    subject: str
    kind: str = "user"  # user | api_key | anonymous
    roles: frozenset[Role] = frozenset()
    institution_id: UUID | None = None
    country: str | None = None
    jurisdiction: str | None = None
    client: str | None = None  # pseudonymous key of the calling client, set by the gateway

    @property
    def is_anonymous(self) -> bool:
        return self.kind == "anonymous"

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles


def issue_internal_token(
    principal: Principal,
    *,
    secret: str,
    ttl: timedelta = timedelta(seconds=60),
    request_id: str | None = None,
) -> str:
    """Sign a principal for one hop from the gateway to a service."""
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "iss": INTERNAL_ISSUER,
        "aud": INTERNAL_AUDIENCE,
        "sub": principal.subject,
        "iat": now,
        "exp": now + ttl,
        "kind": principal.kind,
        "roles": sorted(principal.roles),
        "inst": str(principal.institution_id) if principal.institution_id else None,
        "country": principal.country,
        "jur": principal.jurisdiction,
        "client": principal.client,
    }
    if request_id:
        claims["rid"] = request_id
    return jwt.encode(claims, secret, algorithm=INTERNAL_ALGORITHM)


def verify_internal_token(token: str, *, secret: str) -> Principal:
    """Verify an internal token or raise Unauthorized saying why."""
    return _verified(token, secret)[1]


def _verified(token: str, secret: str) -> tuple[int, Principal]:
    """The token's expiry (``exp``, POSIX seconds) and principal, or Unauthorized saying why."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[INTERNAL_ALGORITHM],
            audience=INTERNAL_AUDIENCE,
            issuer=INTERNAL_ISSUER,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("internal token expired") from None
    except jwt.InvalidTokenError as exc:
        raise Unauthorized(f"invalid internal token: {exc}") from None
    try:
        principal = Principal(
            subject=claims["sub"],
            kind=claims.get("kind", "user"),
            roles=frozenset(Role(r) for r in claims.get("roles", [])),
            institution_id=UUID(claims["inst"]) if claims.get("inst") else None,
            country=claims.get("country"),
            jurisdiction=claims.get("jur"),
            client=claims.get("client"),
        )
    except ValueError as exc:
        raise Unauthorized(f"invalid internal token claims: {exc}") from None
    return int(claims["exp"]), principal


class VerifiedTokens:
    """Principals of internal tokens already verified, by the exact token and secret.

    The gateway sends one token per principal for half its life (its ``InternalTokens``),
    so a service sees each token many times; verifying it again (HMAC, JSON, claims) cost
    tens of µs per request. A kept principal is given back only while its token's ``exp``
    is ahead (PyJWT's rule: expired from ``exp`` on); after that it is refused.
    Only tokens that verified are kept, under the exact string, so a tampered token misses
    and is refused by the full check. Revocation stays the gateway's job: it stops sending
    a token as soon as a standing changes.
    """

    def __init__(self, *, max_entries: int = 4096, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._max_entries = max_entries
        self._kept: dict[tuple[str, str], tuple[int, Principal]] = {}

    def __len__(self) -> int:
        return len(self._kept)

    def verify(self, token: str, *, secret: str) -> Principal:
        """As ``verify_internal_token``, without redoing the work for a token seen before."""
        key = (secret, token)
        kept = self._kept.get(key)
        if kept is not None:
            if self.clock() < kept[0]:
                return kept[1]
            del self._kept[key]
            raise Unauthorized("internal token expired")
        expires, principal = _verified(token, secret)
        if len(self._kept) >= self._max_entries:
            self._kept.clear()  # rare (many anonymous clients), and costs only re-verifying
        self._kept[key] = (expires, principal)
        return principal


_verified_tokens = VerifiedTokens()


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def verified_caller(request: Request) -> Principal | None:
    """The principal of the request's internal token, None without one (called directly).

    A plain function as well as a dependency, for a hot route that takes it without a
    dependency of its own (FastAPI's solving of each is a noticeable cost per request).
    """
    token = _bearer(request)
    if token is None:
        return None
    secret = request.app.state.settings.internal_jwt_secret.get_secret_value()
    return _verified_tokens.verify(token, secret=secret)


# async: FastAPI runs plain ``def`` dependencies in a thread pool, a hop per request.
async def _verified_caller(request: Request) -> Principal | None:
    return verified_caller(request)


async def optional_principal(
    caller: Annotated[Principal | None, Depends(_verified_caller)],
) -> Principal | None:
    """The signed-in caller, or None for anonymous (resident) calls."""
    return None if caller is None or caller.is_anonymous else caller


async def require_principal(
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    if principal is None:
        raise Unauthorized("authentication required")
    return principal


OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]
CurrentPrincipal = Annotated[Principal, Depends(require_principal)]


def require_roles(*roles: Role) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """Dependency factory: the caller must hold one of ``roles`` (admins always pass)."""

    async def dependency(principal: CurrentPrincipal) -> Principal:
        if principal.is_admin or principal.has_role(*roles):
            return principal
        wanted = ", ".join(r.value for r in roles)
        raise Forbidden(f"this action needs one of the roles: {wanted}")

    return dependency
