"""Rules of a recommendation's implementation status in a place, over time.

A place's institution reports a status (directly, or in its input to a reporting exercise);
the country's ministry validates it or returns it with a comment. The timeline keeps every
entry: what was reported and what was validated stay apart, and a returned report stays
visible as returned.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from uuid import UUID

NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
PARTIALLY_IMPLEMENTED = "partially_implemented"
IMPLEMENTED = "implemented"
NOT_LOCAL_COMPETENCE = "not_local_competence"
# From least to most done; "not a local competence" stands apart, last.
STATUSES = (
    NOT_STARTED,
    IN_PROGRESS,
    PARTIALLY_IMPLEMENTED,
    IMPLEMENTED,
    NOT_LOCAL_COMPETENCE,
)

EXERCISE_INPUT = "exercise_input"
INSTITUTION_UPDATE = "institution_update"
MINISTRY_VALIDATION = "ministry_validation"
REPORTED_ORIGINS = (EXERCISE_INPUT, INSTITUTION_UPDATE)
ORIGINS = (*REPORTED_ORIGINS, MINISTRY_VALIDATION)

PENDING = "pending"
VALIDATED = "validated"
RETURNED = "returned"

# An exercise's input says "not applicable" where follow-up says "not a local competence".
_FROM_INPUT = {
    "not_started": NOT_STARTED,
    "in_progress": IN_PROGRESS,
    "partially_implemented": PARTIALLY_IMPLEMENTED,
    "implemented": IMPLEMENTED,
    "not_applicable": NOT_LOCAL_COMPETENCE,
}


def from_input_status(status: str) -> str:
    """The follow-up status an exercise input's status means."""
    try:
        return _FROM_INPUT[status]
    except KeyError:
        raise ValueError(f"{status!r} is not a status of local input") from None


def review_refusal(*, origin: str, review: str | None) -> str | None:
    """Why an entry cannot be validated or returned now, or None when it can."""
    if origin not in REPORTED_ORIGINS:
        return "only a status an institution reported can be validated or returned"
    if review == VALIDATED:
        return "this status was validated already"
    if review == RETURNED:
        return "this status was returned already: the institution reports it again"
    return None


def is_reported(origin: str) -> bool:
    return origin in REPORTED_ORIGINS


@dataclass(frozen=True)
class Reported:
    """A reported entry, as the time series of a place needs it."""

    recommendation_id: UUID
    institution_id: UUID
    as_of: dt.date
    status: str


def counts(statuses: Iterable[str | None]) -> dict[str, int]:
    """How many of each status, every status named (zero included), unknown ones dropped."""
    found = Counter(s for s in statuses if s is not None)
    return {status: found.get(status, 0) for status in STATUSES}


def status_over_time(entries: Sequence[Reported], ends: Sequence[dt.date]) -> list[dict[str, int]]:
    """For each day in ``ends``, how many (recommendation, institution) pairs stood at each
    status: the last entry reported on or before that day counts."""
    ordered = sorted(entries, key=lambda e: e.as_of)
    latest: dict[tuple[UUID, UUID], str] = {}
    series = []
    position = 0
    for end in sorted(ends):
        while position < len(ordered) and ordered[position].as_of <= end:
            entry = ordered[position]
            latest[(entry.recommendation_id, entry.institution_id)] = entry.status
            position += 1
        series.append(counts(latest.values()))
    return series


def year_ends(first: dt.date | None, today: dt.date) -> list[dt.date]:
    """The last day of each year from ``first``'s to the year before today's, then today."""
    if first is None:
        return [today]
    ends = [dt.date(year, 12, 31) for year in range(first.year, today.year)]
    return [*ends, today]
