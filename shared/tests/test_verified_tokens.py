"""Internal tokens verified once, then known by their exact string until they expire."""

from __future__ import annotations

import base64
import json
import time
from datetime import timedelta

import jwt
import pytest

from localrights.auth import Principal, Role, VerifiedTokens, issue_internal_token
from localrights.errors import Unauthorized

SECRET = "a-test-secret-of-at-least-thirty-two-characters"
OFFICER = Principal(subject="user:1", roles=frozenset({Role.INSTITUTION_OFFICER}))


class Clock:
    """Wall-clock seconds that a test moves on by hand."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def token(principal: Principal = OFFICER, *, ttl: timedelta = timedelta(seconds=60)) -> str:
    return issue_internal_token(principal, secret=SECRET, ttl=ttl)


def with_roles(original: str, roles: list[str]) -> str:
    """``original`` with its payload's roles changed and its signature kept."""
    head, payload, signature = original.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["roles"] = roles
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{head}.{forged}.{signature}"


def test_a_token_seen_again_gives_the_same_principal_without_verifying_again() -> None:
    tokens = VerifiedTokens()
    signed = token()
    first = tokens.verify(signed, secret=SECRET)
    assert first == OFFICER
    assert tokens.verify(signed, secret=SECRET) is first  # kept, not decoded anew


def test_a_kept_token_is_refused_from_its_expiry_on() -> None:
    clock = Clock()
    tokens = VerifiedTokens(clock=clock)
    signed = token(ttl=timedelta(seconds=60))
    expires = jwt.decode(signed, options={"verify_signature": False})["exp"]
    assert tokens.verify(signed, secret=SECRET) == OFFICER
    clock.now = expires - 0.5
    assert tokens.verify(signed, secret=SECRET) == OFFICER
    clock.now = expires  # PyJWT's rule: expired from exp on
    with pytest.raises(Unauthorized, match="internal token expired"):
        tokens.verify(signed, secret=SECRET)
    assert len(tokens) == 0


def test_a_tampered_token_is_refused_after_the_genuine_one_was_kept() -> None:
    tokens = VerifiedTokens()
    signed = token()
    tokens.verify(signed, secret=SECRET)
    with pytest.raises(Unauthorized, match="invalid internal token"):
        tokens.verify(with_roles(signed, ["admin"]), secret=SECRET)
    assert len(tokens) == 1  # refused tokens are not kept


def test_a_token_kept_under_one_secret_is_refused_under_another() -> None:
    tokens = VerifiedTokens()
    signed = token()
    tokens.verify(signed, secret=SECRET)
    with pytest.raises(Unauthorized, match="invalid internal token"):
        tokens.verify(signed, secret="another-secret-of-at-least-thirty-two-chars")


def test_the_cache_is_bounded() -> None:
    tokens = VerifiedTokens(max_entries=3)
    for n in range(10):
        principal = Principal(subject=f"anonymous:{n}", kind="anonymous", client=f"c{n}")
        assert tokens.verify(token(principal), secret=SECRET) == principal
        assert len(tokens) <= 3
