"""Browsers get pages for what goes wrong; programs calling the API keep problem+json."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import APIRouter
from gateway_testkit import GatewayFactory

from localrights_gateway.main import create_app
from localrights_gateway.web.client import ApiError
from localrights_gateway.web.rendering import PageRoute


@pytest.fixture
async def failing_gateway(gateway_settings: GatewayFactory) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway with one page route that fails, served as a browser would reach it."""
    app = create_app(await gateway_settings())

    async def broken() -> None:
        raise RuntimeError("a bug in a page")

    async def limited() -> None:
        raise ApiError(429, "Too many requests", "slow down", retry_after="30")

    pages = APIRouter(route_class=PageRoute)
    pages.add_api_route("/limited-page", limited)
    app.include_router(pages)
    app.add_api_route("/broken-page", broken)
    app.add_api_route("/api/v1/broken", broken)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            yield client


def in_the_site_layout(page: httpx.Response) -> None:
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert html.count("<h1>") == 1 and 'class="site-header"' in html and 'href="/help"' in html
    assert '<a href="/">' in html  # a way on


class TestUnknownPaths:
    async def test_an_unknown_page_is_an_html_page_with_a_way_on(
        self, gateway: httpx.AsyncClient
    ) -> None:
        page = await gateway.get("/no/such/page", headers={"accept-language": "fr"})
        assert page.status_code == 404
        in_the_site_layout(page)
        assert "<h1>Page introuvable</h1>" in page.text
        assert '<html lang="fr"' in page.text

    async def test_an_unknown_api_path_stays_json(self, gateway: httpx.AsyncClient) -> None:
        answer = await gateway.get("/api/v1/no-such-thing")
        assert answer.status_code == 404
        assert answer.headers["content-type"].startswith("application/problem+json")

    async def test_a_wrong_method_on_a_page_is_a_page_too(self, gateway: httpx.AsyncClient) -> None:
        page = await gateway.delete("/help")
        assert page.status_code == 405
        in_the_site_layout(page)


class TestFailures:
    async def test_a_failing_page_is_an_apology_in_the_layout(
        self, failing_gateway: httpx.AsyncClient
    ) -> None:
        page = await failing_gateway.get("/broken-page", headers={"accept-language": "es"})
        assert page.status_code == 500
        in_the_site_layout(page)
        assert "<h1>Algo salió mal</h1>" in page.text
        assert "a bug in a page" not in page.text  # no internals shown

    async def test_too_many_requests_says_when_to_come_back_in_plain_words(
        self, failing_gateway: httpx.AsyncClient
    ) -> None:
        page = await failing_gateway.get("/limited-page", headers={"accept-language": "fr"})
        assert page.status_code == 429 and page.headers["retry-after"] == "30"
        in_the_site_layout(page)
        assert "<h1>Trop de demandes</h1>" in page.text
        assert "slow down" not in page.text  # the API's English stays out of the page

    async def test_a_failing_api_route_keeps_its_plain_answer(
        self, failing_gateway: httpx.AsyncClient
    ) -> None:
        answer = await failing_gateway.get("/api/v1/broken")
        assert answer.status_code == 500
        assert not answer.headers["content-type"].startswith("text/html")
