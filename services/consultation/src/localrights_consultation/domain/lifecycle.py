"""Lifecycle of a consultation: draft -> open -> closed -> published, and its response window."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum


class Status(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"


class Transition(StrEnum):
    OPEN = "open"
    CLOSE = "close"
    PUBLISH = "publish"


# What each transition needs and leads to; anything else is refused.
TRANSITIONS: dict[Transition, tuple[Status, Status]] = {
    Transition.OPEN: (Status.DRAFT, Status.OPEN),
    Transition.CLOSE: (Status.OPEN, Status.CLOSED),
    Transition.PUBLISH: (Status.CLOSED, Status.PUBLISHED),
}

PAST = {Transition.OPEN: "opened", Transition.CLOSE: "closed", Transition.PUBLISH: "published"}


def transition_error(current: str, transition: Transition) -> str | None:
    """Why a consultation in ``current`` cannot take ``transition``, or None."""
    before, _after = TRANSITIONS[transition]
    if current != before:
        return f"a {current} consultation cannot be {PAST[transition]}; it must be {before}"
    return None


def window_error(
    *, status: str, opens_at: datetime, closes_at: datetime, now: datetime
) -> str | None:
    """Why a response at ``now`` is refused, or None when the consultation takes it."""
    if status == Status.DRAFT:
        return "this consultation is not open yet"
    if status != Status.OPEN or now >= closes_at:
        return f"this consultation closed at {closes_at.isoformat()}"
    if now < opens_at:
        return f"this consultation opens at {opens_at.isoformat()}"
    return None


def schedule_error(*, opens_at: datetime, closes_at: datetime) -> str | None:
    """Why an opening/closing schedule is unsound, or None."""
    if opens_at.tzinfo is None or closes_at.tzinfo is None:
        return "opens_at and closes_at need a time zone (e.g. 2026-03-01T08:00:00Z)"
    if closes_at <= opens_at:
        return "closes_at must be after opens_at"
    return None
