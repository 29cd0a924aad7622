"""Who an alert would reach: counted with the fan-out's own matching rule, before publishing.

A publisher checks the reach of an alert (or of each alert of an imported calendar) before
anything goes out: the number of live subscriptions that match it, the institutions behind
them, and how they would be told (inbox, e-mail, webhook).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel.ext.asyncio.session import AsyncSession

# The fan-out's own rule, so a preview can never count what the fan-out would not send.
from localrights_notifications.repository.subscriptions import reach_by_channel


@dataclass(frozen=True)
class Reach:
    subscriptions: int = 0
    institutions: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)


async def alert_reach(
    session: AsyncSession,
    *,
    kind: str,
    country: str,
    mechanism: str,
    themes: Sequence[str],
    jurisdictions: Sequence[str],
) -> Reach:
    """How many subscriptions, of how many institutions, a published alert would reach."""
    rows = await reach_by_channel(
        session,
        {
            "kinds": [kind],
            "country": country,
            "topical": True,
            "mechanism": mechanism,
            "themes": list(themes),
            "jurisdictions": list(jurisdictions) or [country],
            "institutions": None,
        },
    )
    institutions = {i for row in rows for i in row.institutions}
    return Reach(
        subscriptions=sum(int(row.subscriptions) for row in rows),
        institutions=len(institutions),
        by_channel={row.channel: int(row.subscriptions) for row in rows},
    )
