"""A page session ends when its access is taken away; the sign-in limit says when to return.

The gateway runs in this process behind a real uvicorn, so its pages call its API over
loopback as in production.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from gateway_testkit import GatewayFactory, admin_headers, login, new_institution, new_user, serve
from web_factories import csrf_of

from localrights.testing.helpers import running_app
from localrights_gateway.main import create_app


@asynccontextmanager
async def _served(gateway_settings: GatewayFactory, **overrides: object) -> AsyncIterator[str]:
    app = create_app(await gateway_settings(**overrides))
    async with running_app(app), serve(app) as url:
        yield url


async def _sign_in(browser: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    token = csrf_of((await browser.get("/login")).text)
    return await browser.post(
        "/login", data={"csrf_token": token, "email": email, "password": password}
    )


async def test_a_deactivated_officers_page_session_ends(gateway_settings: GatewayFactory) -> None:
    async with (
        _served(gateway_settings) as url,
        httpx.AsyncClient(base_url=url, timeout=30) as api,
        httpx.AsyncClient(base_url=url, timeout=30) as browser,
    ):
        admin = await admin_headers(api)
        institution = await new_institution(api, admin)
        email, password = await new_user(
            api, admin, "institution_officer", institution_id=institution["id"]
        )
        assert (await _sign_in(browser, email, password)).status_code == 303
        assert (await browser.get("/officer/inbox")).status_code == 200
        me = await api.get("/api/v1/me", headers=await login(api, email, password))
        user_id = me.json()["subject"].removeprefix("user:")
        patched = await api.patch(f"/api/v1/users/{user_id}", json={"active": False}, headers=admin)
        assert patched.status_code == 200
        ended = await browser.get("/officer/inbox")
        assert ended.status_code == 303
        assert ended.headers["location"].startswith("/login?next=%2Fofficer%2Finbox")
        assert "lr_session" not in browser.cookies


async def test_the_sign_in_limit_is_a_429_page_saying_when_to_return(
    gateway_settings: GatewayFactory,
) -> None:
    async with (
        _served(gateway_settings, rate_limit_login="2/minute") as url,
        httpx.AsyncClient(base_url=url, timeout=30) as browser,
    ):
        statuses = [
            (await _sign_in(browser, "someone@example.org", "not-the-password")).status_code
            for _ in range(3)
        ]
        assert statuses == [422, 422, 429]
        refused = await _sign_in(browser, "someone@example.org", "not-the-password")
        assert refused.status_code == 429
        assert 0 < int(refused.headers["retry-after"]) <= 60
        assert "Too many attempts" in refused.text
        assert 'id="email"' in refused.text  # the form, to try again later
