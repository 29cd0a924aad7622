"""Credentials: argon2 passwords, people's JWTs, API keys and pseudonymous client keys.

API keys are hashed with HMAC-SHA256 under a server-side key, not with argon2: a key holds
256 random bits, so no hash speed makes guessing it feasible, while a memory-hard hash
would cost every machine request tens of milliseconds and megabytes. The HMAC key (kept
out of the database) also means a stolen table alone cannot even test a guess.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from localrights.auth import Principal, Role
from localrights.errors import Unauthorized

ACCESS_ALGORITHM = "HS256"
API_KEY_SCHEME = "lr_"
_PREFIX_BYTES = 6
_SECRET_BYTES = 32

_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so a miss takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """An argon2id hash with the library's current parameters."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; always spends one argon2 verification."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


# -- people's access tokens ------------------------------------------------------------


@dataclass(frozen=True)
class TokenConfig:
    secret: str
    issuer: str
    audience: str
    ttl: timedelta


@dataclass(frozen=True)
class AccessToken:
    """A verified access token: who it names, and the user's token version it was issued at."""

    principal: Principal
    version: int
    # When the person last gave their password: renewals keep it, so a session has an end.
    auth_time: datetime | None = None


def issue_access_token(
    principal: Principal,
    config: TokenConfig,
    *,
    version: int = 0,
    auth_time: datetime | None = None,
) -> str:
    """A short-lived JWT for a person, carrying what the gateway needs on each call.

    ``auth_time`` is when they signed in (now, unless the token renews an earlier one).
    """
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "auth_time": int((auth_time or now).timestamp()),
        "iss": config.issuer,
        "aud": config.audience,
        "sub": principal.subject,
        "iat": now,
        "nbf": now,
        "exp": now + config.ttl,
        "jti": uuid4().hex,
        "roles": sorted(principal.roles),
        "inst": str(principal.institution_id) if principal.institution_id else None,
        "country": principal.country,
        "jur": principal.jurisdiction,
        "ver": version,
    }
    return jwt.encode(claims, config.secret, algorithm=ACCESS_ALGORITHM)


def verify_access_token(token: str, config: TokenConfig) -> AccessToken:
    """The person an access token names, or Unauthorized (expired, forged, wrong audience...).

    Only the signature and claims are checked here; whether the person still has this access
    is ``revocation.Standing.admits``'s question.
    """
    try:
        claims = jwt.decode(
            token,
            config.secret,
            # Pinned: "none" and every asymmetric algorithm (key confusion) are refused.
            algorithms=[ACCESS_ALGORITHM],
            audience=config.audience,
            issuer=config.issuer,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("access token expired") from None
    except jwt.InvalidTokenError as exc:
        raise Unauthorized(f"invalid access token: {exc}") from None
    try:
        principal = Principal(
            subject=str(claims["sub"]),
            kind="user",
            roles=frozenset(Role(r) for r in claims.get("roles") or []),
            institution_id=UUID(claims["inst"]) if claims.get("inst") else None,
            country=claims.get("country"),
            jurisdiction=claims.get("jur"),
        )
        # Tokens from before versions were carried count as version 0, the column's default.
        version = claims.get("ver", 0)
        if type(version) is not int:
            raise TypeError("ver must be an integer")
        signed_in = claims.get("auth_time", claims["iat"])
        if type(signed_in) is not int:
            raise TypeError("auth_time must be an integer")
        return AccessToken(
            principal=principal,
            version=version,
            auth_time=datetime.fromtimestamp(signed_in, UTC),
        )
    except (ValueError, TypeError) as exc:
        raise Unauthorized(f"invalid access token claims: {exc}") from None


# -- API keys --------------------------------------------------------------------------


@dataclass(frozen=True)
class NewApiKey:
    key: str  # shown once to whoever created it
    prefix: str
    key_hash: str


def new_api_key(hash_key: bytes) -> NewApiKey:
    """``lr_<prefix>_<secret>``: the prefix finds the row, the keyed hash proves the secret."""
    prefix = secrets.token_hex(_PREFIX_BYTES)
    key = f"{API_KEY_SCHEME}{prefix}_{secrets.token_urlsafe(_SECRET_BYTES)}"
    return NewApiKey(key=key, prefix=prefix, key_hash=hash_api_key(key, hash_key))


def hash_api_key(key: str, hash_key: bytes) -> str:
    return hmac.new(hash_key, key.encode(), hashlib.sha256).hexdigest()


def api_key_prefix(key: str) -> str | None:
    """The lookup prefix of a presented key, or None when it is not shaped like ours."""
    if not key.startswith(API_KEY_SCHEME):
        return None
    prefix, sep, secret = key[len(API_KEY_SCHEME) :].partition("_")
    if not sep or len(prefix) != 2 * _PREFIX_BYTES or not secret:
        return None
    return prefix


def api_key_matches(key: str, stored_hash: str, hash_key: bytes) -> bool:
    return hmac.compare_digest(hash_api_key(key, hash_key), stored_hash)


# -- anonymous callers -----------------------------------------------------------------


def client_key(address: str, user_agent: str, key: bytes) -> str:
    """A pseudonymous, stable key of one client; services never see the address itself."""
    message = f"{address}\n{user_agent}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]
