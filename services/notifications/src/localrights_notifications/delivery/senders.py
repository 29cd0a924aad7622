"""Senders: one attempt on one channel, turned into an Outcome. Never raise."""

from __future__ import annotations

import base64
import hmac
from datetime import UTC, datetime
from email.message import EmailMessage
from functools import lru_cache

import aiohttp
import aiosmtplib
from standardwebhooks import Webhook
from yarl import URL

from localrights_notifications.domain import Outcome, classify_status, parse_retry_after
from localrights_notifications.ssrf import ForbiddenAddress

CONTENT_TYPE = "application/cloudevents+json; charset=utf-8"
USER_AGENT = "Localrights-Webhooks/1.0"


@lru_cache(maxsize=65536)
def _signing_key(secret: str) -> bytes:
    # The library decodes the ``whsec_`` secret; the HMAC itself is done here in one C call
    # over bytes, since Webhook.sign decodes and re-encodes the body on every delivery.
    return Webhook(secret)._whsecret


@lru_cache(maxsize=64)
def _timeout(seconds: float) -> aiohttp.ClientTimeout:
    return aiohttp.ClientTimeout(total=seconds)


def signed_headers(*, secret: str, message_id: str, body: bytes, now: datetime) -> dict[str, str]:
    """Standard Webhooks headers: id, timestamp and ``v1,`` HMAC-SHA256 signature."""
    timestamp = str(int(now.timestamp()))
    signed = b"%s.%s.%s" % (message_id.encode(), timestamp.encode(), body)
    digest = hmac.digest(_signing_key(secret), signed, "sha256")
    return {
        "content-type": CONTENT_TYPE,
        "user-agent": USER_AGENT,
        "webhook-id": message_id,
        "webhook-timestamp": timestamp,
        "webhook-signature": "v1," + base64.b64encode(digest).decode(),
    }


async def send_webhook(
    client: aiohttp.ClientSession,
    *,
    url: str | URL,
    secret: str,
    message_id: str,
    body: bytes,
    timeout: float,
) -> Outcome:
    """POST a signed body; redirects are not followed (they could lead anywhere)."""
    headers = signed_headers(secret=secret, message_id=message_id, body=body, now=datetime.now(UTC))
    try:
        async with client.post(
            url,
            data=body,
            headers=headers,
            allow_redirects=False,
            timeout=_timeout(timeout),
        ) as response:
            await response.content.read(4096)
            return classify_status(
                response.status, parse_retry_after(response.headers.get("Retry-After"))
            )
    except TimeoutError:
        return Outcome(delivered=False, retryable=True, error=f"timed out after {timeout:g}s")
    except aiohttp.ClientConnectorError as exc:
        if isinstance(exc.os_error, ForbiddenAddress):
            # Final, like an IP literal refused before the call: retrying cannot help.
            return Outcome(
                delivered=False, retryable=False, error=f"forbidden address: {exc.os_error}"
            )
        return Outcome(delivered=False, retryable=True, error=f"{type(exc).__name__}: {exc}"[:500])
    except (aiohttp.ClientError, OSError) as exc:
        return Outcome(delivered=False, retryable=True, error=f"{type(exc).__name__}: {exc}"[:500])


async def send_email(
    *,
    host: str,
    port: int,
    sender: str,
    recipient: str,
    subject: str,
    text: str,
    html: str,
    timeout: float,
    username: str | None = None,
    password: str | None = None,
    start_tls: bool = False,
) -> Outcome:
    """Send a plain-text + HTML message; SMTP 5xx answers are final, the rest retried."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    try:
        await aiosmtplib.send(
            message,
            hostname=host,
            port=port,
            timeout=timeout,
            username=username,
            password=password,
            start_tls=start_tls,
        )
        return Outcome(delivered=True, retryable=False)
    except aiosmtplib.SMTPRecipientsRefused as exc:
        return Outcome(delivered=False, retryable=False, error=f"recipient refused: {exc}"[:500])
    except aiosmtplib.SMTPResponseException as exc:
        return Outcome(
            delivered=False,
            retryable=exc.code < 500,
            error=f"SMTP {exc.code}: {exc.message}"[:500],
            status_code=exc.code,
        )
    except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
        return Outcome(delivered=False, retryable=True, error=f"{type(exc).__name__}: {exc}"[:500])
