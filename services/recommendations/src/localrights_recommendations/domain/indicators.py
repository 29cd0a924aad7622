"""Rules of local human-rights indicators: their kinds, breakdowns, due dates and progress.

Kinds follow OHCHR's human-rights indicator framework: structural (a law, a policy, an
institution in place), process (what is done: budgets, services, cases handled), outcome
(what people enjoy: the share of households waiting for social housing). An observation's
breakdown gives a value per group of the dimensions the indicator declares (sex, age,
disability, urban or rural area ...), never of others.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Sequence

KINDS = ("structural", "process", "outcome")
# Dimensions recommendations and the SDGs ask data to be broken down by (SDG 17.18).
KNOWN_BREAKDOWNS = (
    "sex",
    "age",
    "disability",
    "urban_rural",
    "migratory_status",
    "ethnicity",
    "income",
    "district",
)
BREAKDOWN_NAME = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
SDG_INDICATOR = re.compile(r"^(?:[1-9]|1[0-7])\.(?:[1-9][0-9]?|[a-z])\.[1-9][0-9]?$")


def breakdown_errors(declared: Sequence[str], values: Sequence[tuple[str, str]]) -> list[str]:
    """What is wrong with an observation's breakdown ((dimension, group) pairs), if anything."""
    errors = []
    seen: set[tuple[str, str]] = set()
    for dimension, group in values:
        if dimension not in declared:
            allowed = ", ".join(declared) or "none"
            errors.append(
                f"breakdown by {dimension!r} is not declared by this indicator (declared: "
                f"{allowed})"
            )
        elif (dimension, group) in seen:
            errors.append(f"the group {group!r} of {dimension!r} is given twice")
        seen.add((dimension, group))
    return errors


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it has no such day)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_due(last_observed_on: dt.date, every_months: int) -> dt.date:
    """When the next value of an indicator updated every ``every_months`` falls due."""
    return add_months(last_observed_on, every_months)


def is_due(*, due_on: dt.date, today: dt.date, lead_days: int) -> bool:
    """A reminder goes out from ``lead_days`` before the due day (and stays due after it)."""
    return today >= due_on - dt.timedelta(days=lead_days)


def progress(*, baseline: float | None, target: float | None, value: float) -> float | None:
    """How far a value has gone from the baseline to the target: 0 at the baseline, 1 at the
    target (more past it, less if it went the wrong way); None without both ends."""
    if baseline is None or target is None or target == baseline:
        return None
    return round((value - baseline) / (target - baseline), 4)
