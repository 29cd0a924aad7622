"""Rules without infrastructure: stages, reminders, retries, circuit breaking, addresses."""

from __future__ import annotations

import ipaddress
from datetime import UTC, date, datetime, timedelta

import pytest

from localrights_notifications import domain
from localrights_notifications.ssrf import is_forbidden_address


class TestStages:
    def test_each_kind_takes_its_own_stages(self) -> None:
        domain.check_kind_and_stage("treaty_body_review", "list_of_issues")
        domain.check_kind_and_stage("country_visit", "end_of_visit")
        domain.check_kind_and_stage("upr_review", None)
        for kind, stage in (
            ("treaty_body_review", None),
            ("treaty_body_review", "announced"),
            ("country_visit", "dialogue"),
            ("call_for_input", "report"),
        ):
            with pytest.raises(ValueError):
                domain.check_kind_and_stage(kind, stage)

    def test_only_un_mechanisms_are_accepted_in_their_usual_spelling(self) -> None:
        assert domain.check_mechanism("cedaw") == "CEDAW"
        assert domain.check_mechanism("WG on arbitrary detention") == "WG on arbitrary detention"
        with pytest.raises(ValueError):
            domain.check_mechanism("SR")
        with pytest.raises(ValueError):
            domain.check_mechanism("Amnesty")


class TestReminderDates:
    deadline = date(2030, 6, 30)
    published = date(2030, 1, 1)

    def due(self, days_before: int, published: date | None = None) -> int | None:
        return domain.due_reminder(
            deadline=self.deadline,
            published_on=published or self.published,
            today=self.deadline - timedelta(days=days_before),
            offsets=[30, 7],
        )

    def test_the_reminder_due_is_the_latest_offset_reached_until_the_deadline(self) -> None:
        assert self.due(31) is None
        assert self.due(30) == 30
        assert self.due(8) == 30  # late (service was down): still the 30-day one
        assert self.due(7) == 7
        assert self.due(0) == 7
        assert self.due(-1) is None

    def test_a_reminder_dated_before_publication_is_skipped(self) -> None:
        published_late = self.deadline - timedelta(days=20)
        assert self.due(20, published_late) is None
        assert self.due(7, published_late) == 7


class TestRetries:
    def test_backoff_grows_with_jitter_and_a_cap(self) -> None:
        assert domain.backoff_delay(1, base=1, cap=100, rand=lambda: 0.0) == 0.5
        assert domain.backoff_delay(3, base=1, cap=100, rand=lambda: 1.0) == 6.0
        assert domain.backoff_delay(30, base=1, cap=100, rand=lambda: 1.0) == 100

    def test_retry_after_wins_over_a_shorter_backoff(self) -> None:
        outcome = domain.classify_status(429, retry_after=120)
        assert outcome.retryable
        delay = domain.next_retry_delay(outcome, 1, base=1, cap=10, retry_after_max=3600)
        assert delay == 120

    def test_retry_after_forms(self) -> None:
        now = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
        assert domain.parse_retry_after("7") == 7
        assert domain.parse_retry_after("Tue, 01 Jan 2030 12:01:00 GMT", now=now) == 60
        assert domain.parse_retry_after("soon") is None

    @pytest.mark.parametrize(
        ("status", "delivered", "retryable"),
        [
            (200, True, False),
            (204, True, False),
            (500, False, True),
            (503, False, True),
            (429, False, True),
            (408, False, True),
            (400, False, False),
            (410, False, False),
        ],
    )
    def test_which_answers_are_retried(self, status: int, delivered: bool, retryable: bool) -> None:
        outcome = domain.classify_status(status)
        assert (outcome.delivered, outcome.retryable) == (delivered, retryable)


class TestCircuitBreaker:
    def test_opens_after_failures_then_half_opens(self) -> None:
        now = [0.0]
        breaker = domain.CircuitBreaker(threshold=3, cooldown=10, clock=lambda: now[0])
        for _ in range(3):
            assert breaker.allow("a") is None
            breaker.record("a", success=False)
        assert breaker.allow("a") == 10.0
        assert breaker.allow("b") is None  # other endpoints are not affected
        now[0] = 10.0
        assert breaker.allow("a") is None  # one trial call
        assert breaker.allow("a") is not None  # and only one
        breaker.record("a", success=True)
        assert breaker.allow("a") is None and not breaker.is_open("a")


class TestSlowCallThreshold:
    def test_before_any_call_ends_it_is_the_floor(self) -> None:
        # Not twice the floor: on a queue whose head is all hanging endpoints, each wave of
        # them would hold the whole pool that much longer.
        assert domain.SlowCallThreshold(floor=0.025, cap=1.0).seconds == 0.025

    def test_it_is_twice_the_median_call_between_floor_and_cap(self) -> None:
        threshold = domain.SlowCallThreshold(floor=0.025, cap=1.0, window=100)
        for _ in range(100):
            threshold.observe(0.1)
        assert threshold.seconds == pytest.approx(0.2)
        for _ in range(100):
            threshold.observe(0.002)
        assert threshold.seconds == 0.025
        for _ in range(100):
            threshold.observe(0.8)
        assert threshold.seconds == 1.0

    def test_the_first_calls_teach_it_at_once(self) -> None:
        # Receivers that all answer in 200 ms: the first wave of calls sets the threshold,
        # instead of every call being judged slow against the floor for a while.
        threshold = domain.SlowCallThreshold(floor=0.025, cap=1.0)
        for _ in range(3):
            threshold.observe(0.2)
        assert threshold.seconds == pytest.approx(0.4)

    def test_a_minority_of_slow_calls_does_not_move_it(self) -> None:
        threshold = domain.SlowCallThreshold(floor=0.025, cap=1.0, window=100)
        for i in range(400):
            threshold.observe(0.9 if i % 5 == 0 else 0.05)
        assert threshold.seconds == pytest.approx(0.1)

    def test_calls_beyond_the_cap_are_not_typical(self) -> None:
        threshold = domain.SlowCallThreshold(floor=0.025, cap=1.0, window=100)
        for _ in range(50):
            threshold.observe(0.05)
        for _ in range(500):
            threshold.observe(10.0)  # hanging until the timeout
        assert threshold.seconds == pytest.approx(0.1)


@pytest.mark.parametrize(
    ("address", "forbidden"),
    [
        ("10.0.0.1", True),
        ("172.16.5.4", True),
        ("192.168.1.1", True),
        ("127.0.0.1", True),
        ("169.254.169.254", True),
        ("::1", True),
        ("fe80::1", True),
        ("::ffff:10.0.0.1", True),
        ("0.0.0.0", True),
        ("93.184.216.34", False),
        ("2606:4700::1111", False),
    ],
)
def test_private_and_reserved_addresses_are_forbidden_as_webhooks(
    address: str, forbidden: bool
) -> None:
    assert is_forbidden_address(ipaddress.ip_address(address)) is forbidden
