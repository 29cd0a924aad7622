"""Internal tokens: one per caller for half its life, then signed anew; dropped on revocation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import uuid4

import jwt
import pytest

from localrights.auth import Principal, Role, verify_internal_token
from localrights_gateway import internal_tokens
from localrights_gateway.internal_tokens import InternalTokens
from localrights_gateway.revocation import StandingCache

SECRET = "internal-secret-for-these-tests-only-0123456789"
TTL = timedelta(seconds=60)
OFFICER = Principal(
    subject=f"user:{uuid4()}",
    roles=frozenset({Role.INSTITUTION_OFFICER}),
    country="UY",
    jurisdiction="UY-CA",
)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def signed(monkeypatch: pytest.MonkeyPatch) -> list[Principal]:
    """The principals a token was signed for, in order."""
    principals: list[Principal] = []
    issue = internal_tokens.issue_internal_token

    def counted(principal: Principal, **kwargs: Any) -> str:
        principals.append(principal)
        return issue(principal, **kwargs)

    monkeypatch.setattr(internal_tokens, "issue_internal_token", counted)
    return principals


def _token(authorization: str) -> str:
    scheme, _, token = authorization.partition(" ")
    assert scheme == "Bearer"
    return token


class TestInternalTokens:
    def test_the_token_names_the_principal_and_lives_the_ttl(self) -> None:
        token = _token(InternalTokens(SECRET, TTL).authorization(OFFICER))
        assert verify_internal_token(token, secret=SECRET) == OFFICER
        claims = jwt.decode(token, options={"verify_signature": False})
        assert claims["exp"] - claims["iat"] == TTL.total_seconds()

    def test_one_callers_calls_share_a_token_for_half_its_life(
        self, signed: list[Principal]
    ) -> None:
        clock = Clock()
        tokens = InternalTokens(SECRET, TTL, clock=clock)
        first = tokens.authorization(OFFICER)
        clock.now += TTL.total_seconds() / 2 - 0.01
        assert tokens.authorization(OFFICER) == first
        assert signed == [OFFICER]
        clock.now += 0.01
        tokens.authorization(OFFICER)
        assert signed == [OFFICER, OFFICER]

    def test_another_role_or_institution_gets_its_own_token(self) -> None:
        tokens = InternalTokens(SECRET, TTL)
        changed = [
            OFFICER.model_copy(update={"roles": frozenset({Role.ADMIN})}),
            OFFICER.model_copy(update={"institution_id": uuid4()}),
            OFFICER.model_copy(update={"jurisdiction": "UY-MO"}),
        ]
        kept = tokens.authorization(OFFICER)
        for principal in changed:
            token = _token(tokens.authorization(principal))
            assert verify_internal_token(token, secret=SECRET) == principal
        assert tokens.authorization(OFFICER) == kept

    def test_too_many_callers_drop_the_kept_tokens(self, signed: list[Principal]) -> None:
        tokens = InternalTokens(SECRET, TTL, max_entries=2)
        callers = [
            Principal(subject=f"anonymous:{n}", kind="anonymous", client=str(n)) for n in range(3)
        ]
        for caller in callers:
            tokens.authorization(caller)
        tokens.authorization(callers[0])
        assert signed == [*callers, callers[0]]

    async def test_access_taken_away_here_drops_the_kept_tokens(
        self, signed: list[Principal]
    ) -> None:
        tokens = InternalTokens(SECRET, TTL)

        async def load(_user_id: Any) -> None:
            return None

        standings = StandingCache(load, ttl=5, on_change=tokens.clear)
        tokens.authorization(OFFICER)
        standings.forget(uuid4())
        tokens.authorization(OFFICER)
        standings.clear()
        tokens.authorization(OFFICER)
        assert signed == [OFFICER, OFFICER, OFFICER]
