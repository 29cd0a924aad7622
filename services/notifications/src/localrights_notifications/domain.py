"""Rules of alerts and deliveries that know neither HTTP nor SQL."""

from __future__ import annotations

import random
import re
import statistics
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime

import pycountry

ALERT_KINDS = ("upr_review", "treaty_body_review", "country_visit", "call_for_input", "deadline")
# What other services' events and the scheduler turn into notifications.
NOTIFICATION_KINDS = (
    *ALERT_KINDS,
    "consultation_opened",
    "input_requested",
    "reminder",
    "status_changed",
    "status_returned",
    "indicator_observed",
)
STAGES: dict[str, tuple[str, ...]] = {
    "treaty_body_review": ("list_of_issues", "dialogue", "concluding_observations", "follow_up"),
    "country_visit": ("announced", "ongoing", "end_of_visit", "report"),
}
TREATY_BODIES = ("CEDAW", "CERD", "CRC", "CAT", "CCPR", "CESCR", "CRPD", "CMW", "CED")
MECHANISM_CODES = ("UPR", *TREATY_BODIES)
# Special-procedure mandates as OHCHR names them ("SR on adequate housing", "WG on ...").
_MANDATE = re.compile(r"^(SR|WG|IE|Special Rapporteur|Working Group|Independent Expert)\s\S.{2,}$")
CHANNELS = ("webhook", "email", "inbox")
MODES = ("immediate", "daily_digest")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_THEME = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,63}$")


def check_kind_and_stage(kind: str, stage: str | None) -> None:
    """A treaty-body review or visit needs one of its stages; other kinds take none."""
    stages = STAGES.get(kind)
    if stages is None:
        if stage is not None:
            raise ValueError(f"a {kind} alert has no stage")
        return
    if stage is None:
        raise ValueError(f"a {kind} alert needs a stage: one of {', '.join(stages)}")
    if stage not in stages:
        raise ValueError(f"{stage!r} is not a {kind} stage; use one of {', '.join(stages)}")


def check_country(code: str) -> str:
    """An ISO 3166-1 alpha-2 code, upper-cased."""
    upper = code.strip().upper()
    if len(upper) != 2 or pycountry.countries.get(alpha_2=upper) is None:
        raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code")
    return upper


def check_jurisdiction(code: str) -> str:
    """An ISO 3166-1 alpha-2 country or ISO 3166-2 subdivision code."""
    upper = code.strip().upper()
    if "-" in upper:
        if pycountry.subdivisions.get(code=upper) is None:  # type: ignore[no-untyped-call]
            raise ValueError(f"{code!r} is not an ISO 3166-2 subdivision code")
        return upper
    if len(upper) != 2 or pycountry.countries.get(alpha_2=upper) is None:
        # A place field: name both standards it may come from, not only the countries'.
        raise ValueError(
            f"{code!r} is not an ISO 3166-1 country code (IT) or ISO 3166-2 subdivision "
            "code (IT-BO)"
        )
    return upper


def check_mechanism(value: str) -> str:
    """UPR, a treaty-body code, or a special-procedure mandate name."""
    stripped = value.strip()
    if stripped.upper() in MECHANISM_CODES:
        return stripped.upper()
    if _MANDATE.match(stripped):
        return stripped
    raise ValueError(
        f"{value!r} is not a mechanism: use UPR, {', '.join(TREATY_BODIES)} "
        'or a special-procedure mandate such as "SR on adequate housing"'
    )


def check_texts(texts: dict[str, str], *, required: bool) -> dict[str, str]:
    """Text by language code: codes like ``en`` or ``pt-BR``, no empty text."""
    if required and not texts:
        raise ValueError("give the text in at least one language")
    for language, text in texts.items():
        if not _LANGUAGE.match(language):
            raise ValueError(f"{language!r} is not a language code such as 'en' or 'pt-BR'")
        if not text.strip():
            raise ValueError(f"the {language!r} text is empty")
    return texts


def check_theme(theme: str) -> str:
    lowered = theme.strip().lower()
    if not _THEME.match(lowered):
        raise ValueError(f"{theme!r} is not a theme slug (lower-case letters, digits, - or _)")
    return lowered


def pick_language(texts: dict[str, str], language: str = "en") -> str:
    """The text in ``language``, else English, else any."""
    for candidate in (language, language.split("-")[0], "en"):
        if candidate in texts:
            return texts[candidate]
    return next(iter(texts.values()), "")


# -- reminders ------------------------------------------------------------------------


def due_reminder(
    *, deadline: date, published_on: date, today: date, offsets: Sequence[int]
) -> int | None:
    """Which reminder (days before the deadline) is due today, if any.

    Each offset owns the days from its date up to the next smaller offset's date, so a
    service that was down on the day still sends it late, and a deadline already closer
    than an offset skips that offset instead of sending a stale one next to a fresher one.
    A reminder whose date was not after publication is skipped: the alert itself was news.
    """
    ordered = sorted(set(offsets), reverse=True)
    for index, days in enumerate(ordered):
        starts = deadline - timedelta(days=days)
        following = ordered[index + 1] if index + 1 < len(ordered) else -1
        ends = deadline - timedelta(days=following)
        if starts <= today < ends:
            return days if starts > published_on else None
    return None


# -- retries ----------------------------------------------------------------------------

RETRYABLE_STATUS = frozenset({408, 425, 429})
# Standard Webhooks: a receiver answers 410 Gone to say "stop sending here".
ENDPOINT_GONE = 410


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to."""

    delivered: bool
    retryable: bool
    error: str | None = None
    status_code: int | None = None
    retry_after: float | None = None


def classify_status(status: int, retry_after: float | None = None) -> Outcome:
    """2xx delivered; 5xx, 408, 425 and 429 worth another try; other answers final."""
    if 200 <= status < 300:
        return Outcome(delivered=True, retryable=False, status_code=status)
    retryable = status >= 500 or status in RETRYABLE_STATUS
    return Outcome(
        delivered=False,
        retryable=retryable,
        error=f"HTTP {status}",
        status_code=status,
        retry_after=retry_after,
    )


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def backoff_delay(
    attempt: int,
    *,
    base: float,
    cap: float,
    rand: Callable[[], float] = random.random,
) -> float:
    """Exponential backoff with jitter: about base * 2^(attempt-1), between half and 1.5x."""
    raw = min(cap, base * float(2 ** max(0, attempt - 1)))
    return min(cap, raw * (0.5 + rand()))


def next_retry_delay(
    outcome: Outcome, attempt: int, *, base: float, cap: float, retry_after_max: float
) -> float:
    """Backoff, but never sooner than the receiver's Retry-After asked for."""
    delay = backoff_delay(attempt, base=base, cap=cap)
    if outcome.retry_after is not None:
        delay = max(delay, min(outcome.retry_after, retry_after_max))
    return delay


# -- circuit breaker ---------------------------------------------------------------------


@dataclass
class _Circuit:
    failures: int = 0
    open_until: float = 0.0
    trial_in_flight: bool = False


@dataclass
class CircuitBreaker:
    """Per-endpoint breaker: after ``threshold`` failures in a row, stop calling for a while.

    Closed: calls go through. Open (``cooldown`` seconds): calls are refused at once, so a
    dead endpoint costs nothing. Then half-open: one trial call; success closes, failure
    reopens.
    """

    threshold: int
    cooldown: float
    clock: Callable[[], float]
    _circuits: dict[str, _Circuit] = field(default_factory=dict)

    def allow(self, endpoint: str) -> float | None:
        """None if a call may go now, else the clock time at which to try again."""
        circuit = self._circuits.get(endpoint)
        if circuit is None or circuit.failures < self.threshold:
            return None
        now = self.clock()
        if now < circuit.open_until:
            return circuit.open_until
        if circuit.trial_in_flight:
            return now + self.cooldown
        circuit.trial_in_flight = True
        return None

    def record(self, endpoint: str, *, success: bool) -> None:
        if success:
            self._circuits.pop(endpoint, None)
            return
        circuit = self._circuits.setdefault(endpoint, _Circuit())
        circuit.failures += 1
        circuit.trial_in_flight = False
        if circuit.failures >= self.threshold:
            circuit.open_until = self.clock() + self.cooldown

    def is_open(self, endpoint: str) -> bool:
        circuit = self._circuits.get(endpoint)
        return circuit is not None and circuit.failures >= self.threshold


class SlowCallThreshold:
    """How long a webhook call may hold a place in the pool: ``factor`` times a typical call.

    Relative, so a hanging endpoint costs the pool about as much as a few healthy calls
    whether receivers answer in 20 ms or in 500 ms; never below ``floor`` nor above ``cap``.
    The typical call is the median of the last ``window`` calls that ended within ``cap``,
    whether they kept their place or not: a minority of slow endpoints does not move it,
    and a dispatcher whose receivers all answer in 200 ms learns so from the first wave of
    calls instead of moving every one of them out of the pool. Until a call ends the
    threshold is the floor: a dispatcher that starts on a queue whose head is all hanging
    endpoints must not let each wave of them hold the pool any longer than that.
    """

    def __init__(self, *, floor: float, cap: float, factor: float = 2.0, window: int = 200) -> None:
        self._floor = floor
        self._cap = cap
        self._factor = factor
        self._recent: deque[float] = deque(maxlen=window)
        # The median is taken again after this many calls (sorting the window on every
        # call would cost more than the call's own bookkeeping); at once while few are seen.
        self._every = max(1, window // 4)
        self._unsorted = 0
        self.seconds = floor

    def observe(self, took: float) -> None:
        """Count a call that ended after ``took`` seconds."""
        if took > self._cap:
            return  # hanging: not a typical call
        self._recent.append(took)
        self._unsorted += 1
        if self._unsorted < self._every and len(self._recent) > self._every:
            return
        self._unsorted = 0
        typical = statistics.median(self._recent)
        self.seconds = min(self._cap, max(self._floor, self._factor * typical))
