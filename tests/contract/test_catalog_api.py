"""The gateway serves the catalogue: AsyncAPI JSON and page, webhook event types."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import jsonschema
import pytest
from contract_kit import ROOT, migrations_of

from localrights.embedded import free_port
from localrights.events.asyncapi import build_asyncapi
from localrights.events.registry import WEBHOOK_EVENT_TYPES, all_event_types, all_topics
from localrights.testing.helpers import running_app
from localrights_gateway.config import Settings
from localrights_gateway.main import create_app

MigratedDatabase = Callable[[str | Path], Awaitable[str]]
ASYNCAPI_SCHEMA = ROOT / "shared/tests/data/asyncapi/asyncapi-3.0.0.schema.json"


@pytest.fixture
async def gateway(
    migrated_database: MigratedDatabase,
    kafka_bootstrap_servers: str,
    internal_jwt_secret: str,
    topic_prefix: str,
) -> AsyncIterator[httpx.AsyncClient]:
    nowhere = f"http://127.0.0.1:{free_port()}"  # the catalogue needs no service behind it
    settings = Settings(
        database_url=await migrated_database(migrations_of("gateway")),
        kafka_bootstrap_servers=kafka_bootstrap_servers,
        kafka_topic_prefix=topic_prefix,
        internal_jwt_secret=internal_jwt_secret,
        jwt_secret=secrets.token_urlsafe(48),
        log_json=False,
        consultation_url=nowhere,
        notifications_url=nowhere,
        recommendations_url=nowhere,
    )
    async with running_app(create_app(settings)) as client:
        yield client


class TestAsyncAPIThroughTheGateway:
    async def test_the_document_describes_this_deployment_and_is_valid(
        self, gateway: httpx.AsyncClient, kafka_bootstrap_servers: str, topic_prefix: str
    ) -> None:
        response = await gateway.get("/api/v1/asyncapi.json")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/json")
        document = response.json()
        assert document == build_asyncapi(
            bootstrap_servers=kafka_bootstrap_servers, topic_prefix=topic_prefix
        )
        validator = jsonschema.Draft7Validator(json.loads(ASYNCAPI_SCHEMA.read_text()))
        assert list(validator.iter_errors(document)) == []
        addresses = {channel["address"] for channel in document["channels"].values()}
        assert addresses == {topic_prefix + topic for topic in all_topics()}

    async def test_the_page_is_linked_from_the_api_docs(self, gateway: httpx.AsyncClient) -> None:
        docs = await gateway.get("/docs")
        assert docs.status_code == 200
        assert 'data-openapi-url="/api/v1/openapi.json"' in docs.text  # what /docs shows
        description = (await gateway.get("/api/v1/openapi.json")).json()["info"]["description"]
        links = re.findall(r"\]\((/[^)]+)\)", description)
        assert "/api/v1/asyncapi.html" in links
        for link in links:
            assert (await gateway.get(link)).status_code == 200, link

    async def test_the_page_lists_every_topic_and_event_without_outside_assets(
        self, gateway: httpx.AsyncClient, topic_prefix: str
    ) -> None:
        response = await gateway.get("/api/v1/asyncapi.html")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        page = response.text
        for topic in all_topics():
            assert f"<code>{topic_prefix}{topic}</code>" in page
        for et in all_event_types():
            assert f'id="{et.type.replace(".", "_")}"' in page
            assert et.dataschema in page
        assert 'href="/api/v1/asyncapi.json"' in page
        assert "http://" not in page.replace('"http://asyncapi.com', "")
        assert "<script" not in page
        css = await gateway.get("/api/v1/asyncapi.css")
        assert css.status_code == 200
        assert css.headers["content-type"].startswith("text/css")

    async def test_the_page_escapes_what_it_shows(self, gateway: httpx.AsyncClient) -> None:
        page = (await gateway.get("/api/v1/asyncapi.html")).text
        assert "&#34;specversion&#34;" in page or "&quot;specversion&quot;" in page


class TestWebhookEventTypes:
    async def test_each_type_has_a_schema_its_example_body_satisfies(
        self, gateway: httpx.AsyncClient
    ) -> None:
        response = await gateway.get("/api/v1/webhooks/event-types")
        assert response.status_code == 200
        entries = response.json()
        assert [e["name"] for e in entries] == sorted(WEBHOOK_EVENT_TYPES)
        for entry in entries:
            assert entry["description"]
            assert entry["example"]["type"] == entry["name"]
            assert entry["example"]["dataschema"] == entry["dataschema"]
            jsonschema.Draft202012Validator(
                entry["schema"], format_checker=jsonschema.FormatChecker()
            ).validate(entry["example"])

    async def test_one_type_by_name_and_a_problem_for_an_unknown_one(
        self, gateway: httpx.AsyncClient
    ) -> None:
        one = await gateway.get("/api/v1/webhooks/event-types/alert.published")
        assert one.status_code == 200
        assert one.json()["name"] == "alert.published"
        missing = await gateway.get("/api/v1/webhooks/event-types/consultation.closed")
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("application/problem+json")
        assert "alert.published" in missing.json()["detail"]

    async def test_the_routes_are_in_the_gateways_openapi(self, gateway: httpx.AsyncClient) -> None:
        own = (await gateway.get("/api/v1/openapi.json")).json()
        for path in (
            "/api/v1/asyncapi.json",
            "/api/v1/asyncapi.html",
            "/api/v1/webhooks/event-types",
        ):
            assert path in own["paths"], path
