"""A real webhook receiver on 127.0.0.1 that checks every call's Standard Webhooks signature.

It runs in the test process (aiohttp), as an institution's own endpoint would: each
subscription gets a path, the test hands the sink the signing secret that the platform showed
once when the subscription was made, and the sink verifies each POST with the
``standardwebhooks`` library before keeping it. A call that does not verify is recorded
apart (``rejected``) and answered 401, so a test can assert that none arrived.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from standardwebhooks import Webhook, WebhookVerificationError

from localrights.embedded import free_port


@dataclass(frozen=True)
class Delivery:
    """One verified POST: its webhook-id and the CloudEvent it carried."""

    webhook_id: str
    event: dict[str, Any]

    @property
    def type(self) -> str:
        return str(self.event.get("type"))

    @property
    def data(self) -> dict[str, Any]:
        data = self.event.get("data") or {}
        return data if isinstance(data, dict) else {}


class WebhookSink:
    """An aiohttp server keeping verified webhook calls by path."""

    def __init__(self) -> None:
        self.port = free_port()
        self._secrets: dict[str, str] = {}
        self._verified: dict[str, list[Delivery]] = defaultdict(list)
        self.rejected: list[tuple[str, str]] = []
        self._runner: web.AppRunner | None = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/{path}"

    def expect(self, path: str, secret: str) -> None:
        """Verify calls to ``path`` with ``secret`` (the subscription's ``whsec_...``)."""
        self._secrets[path] = secret

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hooks/{path}", self._receive)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _receive(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        body = await request.text()
        secret = self._secrets.get(path)
        if secret is None:
            self.rejected.append((path, "no secret registered for this path"))
            return web.Response(status=404)
        try:
            # verify() checks the HMAC over id.timestamp.body and the timestamp's freshness.
            Webhook(secret).verify(body, dict(request.headers))
        except WebhookVerificationError as exc:
            self.rejected.append((path, str(exc)))
            return web.Response(status=401)
        self._verified[path].append(
            Delivery(webhook_id=request.headers["webhook-id"], event=json.loads(body))
        )
        return web.Response(status=204)

    def deliveries(self, path: str) -> list[Delivery]:
        """Verified calls to ``path``, each webhook-id once (delivery is at least once)."""
        seen: dict[str, Delivery] = {}
        for delivery in self._verified.get(path, ()):
            seen.setdefault(delivery.webhook_id, delivery)
        return list(seen.values())
