"""Access taken away takes effect within seconds, for tokens issued before the change too.

A person's JWT lives ``GATEWAY_JWT_TTL_SECONDS`` (15 minutes): far too long to wait once an
account is disabled. So each token carries its user's ``token_version``, which every change
that takes access away bumps (deactivation, new roles, another institution, a new password;
deletion removes the row), and on each call the gateway compares the token with the user's
current *standing*: that version, whether the user and their institution are active, and
the institution's place.

Standings are read from the gateway's database at most once per ``GATEWAY_ACCESS_CACHE_SECONDS``
(5 s by default) per user and process, and concurrent calls of one user share one read. A
revocation therefore reaches every replica within that bound, and the replica that made it
at once (it forgets its copy); the cost is one small query per active user every few
seconds, not one per request.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from uuid import UUID

from localrights_gateway.security import AccessToken


@dataclass(frozen=True)
class Standing:
    """What a user's tokens must agree with to be accepted now."""

    token_version: int
    active: bool  # the user, and their institution if they have one
    institution_id: UUID | None
    country: str | None
    jurisdiction: str | None

    def admits(self, token: AccessToken) -> bool:
        """Whether a token issued earlier still stands for this user as they are now."""
        principal = token.principal
        return (
            self.active
            and token.version == self.token_version
            and principal.institution_id == self.institution_id
            and principal.country == self.country
            and principal.jurisdiction == self.jurisdiction
        )


Loader = Callable[[UUID], Awaitable[Standing | None]]


class StandingCache:
    """Users' standings, each kept for ``ttl`` seconds; None stands for "no such user".

    ``clock`` is there so tests can move time instead of sleeping.
    """

    def __init__(
        self,
        load: Loader,
        *,
        ttl: float,
        clock: Callable[[], float] = time.monotonic,
        max_entries: int = 100_000,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self._load = load
        # Told of every forget and clear (the kept internal tokens are dropped with them).
        self._on_change = on_change
        self.ttl = ttl
        self.clock = clock
        self._max_entries = max_entries
        self._entries: dict[UUID, tuple[float, Standing | None]] = {}
        self._loading: dict[UUID, asyncio.Future[Standing | None]] = {}
        # Bumped by every forget: a read that began before it must not be kept after it.
        self._epoch = 0

    async def get(self, user_id: UUID) -> Standing | None:
        """The user's standing, read from the database when the kept one is older than ttl."""
        entry = self._entries.get(user_id)
        if entry is not None and self.clock() < entry[0]:
            return entry[1]
        loading = self._loading.get(user_id)
        if loading is None:
            loading = asyncio.ensure_future(self._read(user_id, self._epoch))
            # Mark a failure seen when every caller gave up (each caller gets its own copy).
            loading.add_done_callback(lambda done: done.cancelled() or done.exception())
            self._loading[user_id] = loading
        # Shielded: one caller giving up (a client gone) must not cancel the others' read.
        return await asyncio.shield(loading)

    async def _read(self, user_id: UUID, epoch: int) -> Standing | None:
        try:
            standing = await self._load(user_id)
        finally:
            if self._loading.get(user_id) is asyncio.current_task():
                del self._loading[user_id]
        if epoch == self._epoch:
            if len(self._entries) >= self._max_entries:
                self._entries.clear()  # rare, and costs only re-reads
            self._entries[user_id] = (self.clock() + self.ttl, standing)
        return standing

    def forget(self, user_id: UUID) -> None:
        """Drop one user's standing (after changing it here): the next call reads it again."""
        self._epoch += 1
        self._entries.pop(user_id, None)
        self._loading.pop(user_id, None)
        if self._on_change is not None:
            self._on_change()

    def clear(self) -> None:
        """Drop every standing (after an institution changed: its users' standings did)."""
        self._epoch += 1
        self._entries.clear()
        self._loading.clear()
        if self._on_change is not None:
            self._on_change()
