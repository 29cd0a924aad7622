"""What one source row becomes: zero or more recommendation records, or a reason to reject it."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any


class RowRejected(ValueError):
    """This row cannot be imported; the message is the reason reported to the user."""

    def __init__(self, reason: str, *, unknown_countries: list[str] | None = None) -> None:
        super().__init__(reason)
        self.unknown_countries = unknown_countries or []


@dataclass(frozen=True, slots=True)
class RecommendationRecord:
    """A recommendation as read from a source, before it has a database id."""

    source: str  # uhri | upr_info
    natural_key: str
    mechanism_type: str  # upr | treaty_body | special_procedure
    mechanism: str  # UPR, CEDAW, "SR on adequate housing" ...
    country: str
    text: str
    cycle: int | None = None
    session: str | None = None
    recommending_states: tuple[str, ...] = ()
    response: str | None = None  # supported | supported_in_part | noted
    action_category: int | None = None
    document_symbol: str | None = None
    paragraph: str | None = None
    date: dt.date | None = None
    themes: tuple[str, ...] = ()
    affected_groups: tuple[str, ...] = ()
    sdg_targets: tuple[str, ...] = ()

    def as_row(self) -> dict[str, Any]:
        """JSON-ready mapping of the columns (for ``jsonb_to_recordset``)."""
        row = asdict(self)
        for name in ("recommending_states", "themes", "affected_groups", "sdg_targets"):
            row[name] = list(row[name])
        row["date"] = self.date.isoformat() if self.date else None
        return row


@dataclass(slots=True)
class ParsedRow:
    """The records of one row and what was noticed without rejecting it."""

    records: list[RecommendationRecord]
    warnings: list[str] = field(default_factory=list)
    unknown_countries: list[str] = field(default_factory=list)
