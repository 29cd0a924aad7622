"""Internal tokens, signed once per caller and reused for the first half of their life.

Signing a JWT (HMAC over JSON with dates) cost the gateway a twentieth of its time per
proxied call. A token names only the verified principal, so one caller's calls can share
it: each principal's token is kept for half its ``ttl``, so a service always receives a
token with at least half its life left (more than any upstream timeout), and is signed
anew after that. The key is the whole principal (every claim the token carries): new
roles or another institution give a new token at once. Access taken away is checked
before any token is used (``deps.authenticate`` against ``revocation.StandingCache``),
and ``clear`` drops every kept token when standings change here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

from localrights.auth import Principal, issue_internal_token


class InternalTokens:
    """``Authorization`` header values carrying internal tokens, kept per principal."""

    def __init__(
        self,
        secret: str,
        ttl: timedelta,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_entries: int = 10_000,
    ) -> None:
        self._secret = secret
        self._ttl = ttl
        self._reuse = ttl.total_seconds() / 2
        self.clock = clock
        self._max_entries = max_entries
        self._kept: dict[Principal, tuple[float, str]] = {}

    def authorization(self, principal: Principal) -> str:
        """``Bearer <internal token>`` for ``principal``, with at least half its life left."""
        now = self.clock()
        kept = self._kept.get(principal)
        if kept is not None and now < kept[0]:
            return kept[1]
        value = f"Bearer {issue_internal_token(principal, secret=self._secret, ttl=self._ttl)}"
        if len(self._kept) >= self._max_entries:
            self._kept.clear()  # rare (many anonymous clients), and costs only re-signing
        self._kept[principal] = (now + self._reuse, value)
        return value

    def clear(self) -> None:
        self._kept.clear()
