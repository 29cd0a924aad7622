"""The session lasts while an officer works and ends within the revocation rules; what was
typed before it ended is kept through signing in; the API documentation needs no internet.

The gateway runs in this process behind a real uvicorn, so its pages call its own API over
loopback as in production (no service is needed for these pages).
"""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import jwt
from gateway_testkit import GatewayFactory, admin_headers, login, new_institution, new_user, serve
from web_factories import csrf_of

from localrights.testing.helpers import running_app
from localrights_gateway.main import create_app


@asynccontextmanager
async def _served(gateway_settings: GatewayFactory, **overrides: object) -> AsyncIterator[str]:
    app = create_app(await gateway_settings(**overrides))
    async with running_app(app), serve(app) as url:
        yield url


async def _officer(api: httpx.AsyncClient) -> tuple[str, str]:
    admin = await admin_headers(api)
    institution = await new_institution(api, admin)
    return await new_user(api, admin, "institution_officer", institution_id=institution["id"])


async def _sign_in(browser: httpx.AsyncClient, email: str, password: str) -> None:
    token = csrf_of((await browser.get("/login")).text)
    signed = await browser.post(
        "/login", data={"csrf_token": token, "email": email, "password": password}
    )
    assert signed.status_code == 303, signed.text[-1000:]


def _aged(token: str, secret: str, seconds: int) -> str:
    """The same sign-in, issued ``seconds`` earlier (its lifetime unchanged)."""
    claims = jwt.decode(token, options={"verify_signature": False})
    for name in ("iat", "nbf", "exp", "auth_time"):
        claims[name] -= seconds
    return jwt.encode(claims, secret, algorithm="HS256")


def _replace_session(browser: httpx.AsyncClient, token: str) -> None:
    """Swap the session cookie for ``token``, for the same site."""
    cookie = next(c for c in browser.cookies.jar if c.name == "lr_session")
    browser.cookies.delete("lr_session")
    browser.cookies.set("lr_session", token, domain=cookie.domain, path=cookie.path)


class TestSlidingSession:
    async def test_a_page_renews_a_session_past_half_its_life_keeping_the_sign_in_time(
        self, gateway_settings: GatewayFactory, gateway_jwt_secret: str
    ) -> None:
        async with (
            _served(gateway_settings) as url,
            httpx.AsyncClient(base_url=url, timeout=30) as api,
            httpx.AsyncClient(base_url=url, timeout=30) as browser,
        ):
            email, password = await _officer(api)
            await _sign_in(browser, email, password)
            fresh = browser.cookies["lr_session"]
            assert "lr_session=" not in (await browser.get("/help")).headers.get("set-cookie", "")
            _replace_session(browser, _aged(fresh, gateway_jwt_secret, 600))
            renewed = await browser.get("/help")
            assert "lr_session=" in renewed.headers["set-cookie"]
            claims = jwt.decode(browser.cookies["lr_session"], options={"verify_signature": False})
            first = jwt.decode(fresh, options={"verify_signature": False})
            assert claims["iat"] >= int(time.time()) - 60
            assert claims["auth_time"] == first["auth_time"] - 600

    async def test_typing_renews_it_through_the_pages_endpoint(
        self, gateway_settings: GatewayFactory, gateway_jwt_secret: str
    ) -> None:
        async with (
            _served(gateway_settings) as url,
            httpx.AsyncClient(base_url=url, timeout=30) as api,
            httpx.AsyncClient(base_url=url, timeout=30) as browser,
        ):
            email, password = await _officer(api)
            await _sign_in(browser, email, password)
            page = await browser.get("/help")
            meta = re.search(r'<meta name="csrf-token" content="([^"]+)">', page.text)
            assert meta and 'data-session-renew="/session/renew"' in page.text
            _replace_session(browser, _aged(browser.cookies["lr_session"], gateway_jwt_secret, 600))
            refused = await browser.post("/session/renew")
            assert refused.status_code == 403  # no CSRF token: another site cannot keep it alive
            renewed = await browser.post("/session/renew", headers={"x-csrf-token": meta.group(1)})
            assert renewed.status_code == 204 and "lr_session=" in renewed.headers["set-cookie"]

    async def test_a_revoked_officer_is_not_renewed(
        self, gateway_settings: GatewayFactory, gateway_jwt_secret: str
    ) -> None:
        async with (
            _served(gateway_settings) as url,
            httpx.AsyncClient(base_url=url, timeout=30) as api,
            httpx.AsyncClient(base_url=url, timeout=30) as browser,
        ):
            email, password = await _officer(api)
            await _sign_in(browser, email, password)
            _replace_session(browser, _aged(browser.cookies["lr_session"], gateway_jwt_secret, 600))
            admin = await admin_headers(api)
            me = await api.get("/api/v1/me", headers=await login(api, email, password))
            user_id = me.json()["subject"].removeprefix("user:")
            await api.patch(f"/api/v1/users/{user_id}", json={"active": False}, headers=admin)
            ended = await browser.get("/officer/inbox")
            assert ended.status_code == 303 and ended.headers["location"].startswith("/login")


class TestKeptForm:
    async def test_text_sent_after_the_session_ended_comes_back_after_signing_in(
        self, gateway_settings: GatewayFactory
    ) -> None:
        async with (
            _served(gateway_settings) as url,
            httpx.AsyncClient(base_url=url, timeout=30) as api,
            httpx.AsyncClient(base_url=url, timeout=30) as browser,
        ):
            email, password = await _officer(api)
            await _sign_in(browser, email, password)
            token = csrf_of((await browser.get("/help")).text)
            browser.cookies.delete("lr_session")  # the session ended while typing
            measures = "Two hundred homes\nunder construction, with ramps & lifts"
            form_url = (
                "/officer/exercises/00000000-0000-4000-8000-000000000001"
                "/recommendations/00000000-0000-4000-8000-000000000002"
            )
            sent = await browser.post(
                form_url,
                data={
                    "csrf_token": token,
                    "status": "in_progress",
                    "measures_taken": measures,
                    "evidence_links": "https://example.org/plan",
                },
            )
            assert sent.status_code == 401
            assert "what you wrote is kept" in sent.text
            assert 'name="resume.measures_taken"' in sent.text
            assert 'name="resume.csrf_token"' not in sent.text
            kept = dict(
                re.findall(r'<input type="hidden" name="(resume[^"]*)" value="([^"]*)"', sent.text)
            )
            signed = await browser.post(
                "/login",
                data={
                    "csrf_token": csrf_of(sent.text),
                    "email": email,
                    "password": password,
                    "next": "",
                    **{k: v.replace("&amp;", "&") for k, v in kept.items()},
                },
            )
            assert signed.status_code == 200
            assert "You are signed in again" in signed.text
            assert f'action="{form_url}"' in signed.text
            assert (
                "with ramps &amp; lifts" in signed.text and 'name="measures_taken"' in signed.text
            )
            assert "lr_session=" in signed.headers["set-cookie"]

    async def test_the_form_is_only_sent_on_within_this_site(
        self, gateway_settings: GatewayFactory
    ) -> None:
        async with (
            _served(gateway_settings) as url,
            httpx.AsyncClient(base_url=url, timeout=30) as api,
            httpx.AsyncClient(base_url=url, timeout=30) as browser,
        ):
            email, password = await _officer(api)
            token = csrf_of((await browser.get("/login")).text)
            signed = await browser.post(
                "/login",
                data={
                    "csrf_token": token,
                    "email": email,
                    "password": password,
                    "resume_to": "https://evil.example/steal",
                    "resume.measures_taken": "secret plan",
                },
            )
            assert signed.status_code == 303  # no kept form to send elsewhere: just signed in
            assert signed.headers["location"] == "/officer"


class TestApiDocumentation:
    async def test_swagger_ui_comes_from_the_platform_itself(
        self, gateway_settings: GatewayFactory
    ) -> None:
        async with (
            _served(gateway_settings) as url,
            httpx.AsyncClient(base_url=url, timeout=30) as browser,
        ):
            docs = await browser.get("/docs")
            assert docs.status_code == 200
            policy = docs.headers["content-security-policy"]
            assert "script-src 'self';" in policy and "http" not in policy
            scripts = re.findall(r'<script src="([^"]+)"', docs.text)
            styles = re.findall(r'<link rel="stylesheet" href="([^"]+)"', docs.text)
            assert scripts and all(s.startswith("/") for s in scripts + styles)
            for asset in scripts + styles:
                served = await browser.get(asset)
                assert served.status_code == 200, asset
            assert (
                "SwaggerUIBundle"
                in (await browser.get("/static/swagger-ui/swagger-ui-bundle.js")).text
            )
            redoc = await browser.get("/redoc")
            assert redoc.status_code == 308 and redoc.headers["location"] == "/docs"
