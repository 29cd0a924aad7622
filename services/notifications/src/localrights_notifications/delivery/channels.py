"""One object per channel: the endpoint its breaker counts, the body it sends, the send.

The webhook channel also times its calls: the pool's slow lane asks it how long a call may
take, and which endpoints were slow lately.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

import aiohttp
from yarl import URL

from localrights_notifications import messages
from localrights_notifications.config import Settings
from localrights_notifications.delivery.senders import send_email, send_webhook
from localrights_notifications.domain import Outcome, SlowCallThreshold
from localrights_notifications.repository.claims import Job
from localrights_notifications.ssrf import forbidden_host

# How long an endpoint stays known as slow without being called again, and how many are kept.
_REMEMBER_SLOW = 600.0
_REMEMBER_AT_MOST = 50_000


class Channel(Protocol):
    """Sends one delivery's attempt; never raises for the receiver's faults."""

    def endpoint(self, job: Job) -> str:
        """What the circuit breaker counts failures of."""
        ...

    async def send(self, job: Job) -> Outcome: ...


class WebhookChannel:
    """Signed POSTs to the subscription's URL, its address checked before every call."""

    def __init__(
        self, client: aiohttp.ClientSession, settings: Settings, clock: Callable[[], float]
    ) -> None:
        self._client = client
        self._timeout = settings.webhook_timeout
        self._slow_call_after = settings.slow_call_after
        self._allowed = frozenset(h.lower() for h in settings.webhook_allowed_hosts)
        self._clock = clock
        self.slow_after = SlowCallThreshold(
            floor=settings.slow_call_floor, cap=settings.slow_call_after
        )
        self._known_slow: dict[str, float] = {}  # endpoint URL -> remembered until (clock)

    def endpoint(self, job: Job) -> str:
        return f"webhook:{job.url}"

    def body(self, job: Job) -> bytes:
        """The notification's CloudEvent, or a digest's batch of them."""
        if job.digest_day is None:
            return (job.envelope or "").encode()
        return messages.digest_body(
            day=str(job.digest_day),
            subscription_id=str(job.subscription_id),
            envelopes=job.envelopes,
        )

    async def send(self, job: Job) -> Outcome:
        if not job.url or not job.secret:
            return Outcome(delivered=False, retryable=False, error="webhook without url or secret")
        # Parsed once here (aiohttp takes the URL object as it is); the address check is
        # cached per host, which a fan-out to one receiver's many paths asks again and again.
        url = URL(job.url)
        if forbidden_host(url.host or "", self._allowed):
            return Outcome(delivered=False, retryable=False, error="forbidden address")
        started = time.monotonic()
        outcome = await send_webhook(
            self._client,
            url=url,
            secret=job.secret,
            message_id=str(job.id),
            body=self.body(job),
            timeout=self._timeout,
        )
        # Only calls made count: a delivery the breaker or the address check refused took
        # no time, and would drag the typical call down or make a slow endpoint forgotten.
        took = time.monotonic() - started
        self._remember_how_long(job.url, took)
        self.slow_after.observe(took)
        return outcome

    def known_slow(self, url: str | None) -> bool:
        """Whether the last call to ``url`` took longer than the cap, not too long ago."""
        if url not in self._known_slow:
            return False
        if self._known_slow[url] < self._clock():
            del self._known_slow[url]
            return False
        return True

    def _remember_how_long(self, url: str, took: float) -> None:
        """Keep an endpoint known as slow while its calls take longer than the cap."""
        if took > self._slow_call_after:
            if len(self._known_slow) >= _REMEMBER_AT_MOST:
                self._known_slow.clear()  # rare; forgetting costs a few pool places
            self._known_slow[url] = self._clock() + _REMEMBER_SLOW
        else:
            self._known_slow.pop(url, None)


class EmailChannel:
    """One message per delivery (a digest's items in one), through the SMTP relay."""

    def __init__(self, settings: Settings) -> None:
        self._s = settings

    def endpoint(self, job: Job) -> str:  # noqa: ARG002  (one relay for every message)
        return f"smtp:{self._s.smtp_host}:{self._s.smtp_port}"

    def body(self, job: Job) -> tuple[str, str, str]:
        """Subject, plain text and HTML."""
        digest_day = str(job.digest_day) if job.digest_day is not None else None
        return (
            messages.subject_of(job.items, digest_day=digest_day),
            messages.render_text(job.items),
            messages.render_html(job.items),
        )

    async def send(self, job: Job) -> Outcome:
        if not job.email or not job.items:
            return Outcome(delivered=False, retryable=False, error="email without address or items")
        subject, text, html = self.body(job)
        return await send_email(
            host=self._s.smtp_host,
            port=self._s.smtp_port,
            sender=self._s.smtp_from,
            recipient=job.email,
            subject=subject,
            text=text,
            html=html,
            timeout=self._s.smtp_timeout,
            username=self._s.smtp_username,
            password=self._s.smtp_password,
            start_tls=self._s.smtp_starttls,
        )


class InboxChannel:
    """Inbox items are written at fan-out: their deliveries need no call."""

    def __init__(self, settings: Settings) -> None:
        # Counted with the SMTP relay's breaker, as every channel but the webhook is.
        self._endpoint = f"smtp:{settings.smtp_host}:{settings.smtp_port}"

    def endpoint(self, job: Job) -> str:  # noqa: ARG002  (one relay for every message)
        return self._endpoint

    async def send(self, job: Job) -> Outcome:  # noqa: ARG002  (nothing to send)
        return Outcome(delivered=True, retryable=False)
