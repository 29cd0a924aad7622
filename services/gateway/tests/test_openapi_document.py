"""The merged OpenAPI document says what the gateway serves (the full check: tests/e2e)."""

from __future__ import annotations

from typing import Any

import httpx
from gateway_testkit import admin_headers, new_institution

from localrights.openapi_problems import operations
from localrights_gateway.upstreams import service_for

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


async def _document(gateway: httpx.AsyncClient) -> dict[str, Any]:
    response = await gateway.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


class TestTheDocument:
    async def test_every_error_response_is_a_problem(self, gateway: httpx.AsyncClient) -> None:
        document = await _document(gateway)
        for path, method, operation in operations(document):
            if service_for(path) is not None:
                continue  # stand-in services here; the real ones are checked in tests/e2e
            for code, response in operation["responses"].items():
                if int(code) >= 400:
                    assert response["content"] == PROBLEM, (method, path, code)
        assert "Problem" in document["components"]["schemas"]

    async def test_the_gateways_own_answers_are_documented_everywhere(
        self, gateway: httpx.AsyncClient
    ) -> None:
        document = await _document(gateway)
        for path, method, operation in operations(document):
            responses = operation["responses"]
            assert {"401", "429", "503"} <= responses.keys(), (method, path)
            assert responses["429"]["headers"]["Retry-After"]["required"] is True
            if "requestBody" in operation:
                assert {"400", "413"} <= responses.keys(), (method, path)
        proxied = document["paths"]["/api/v1/consultations/things/{thing_id}"]["get"]
        assert {"502", "504"} <= proxied["responses"].keys()

    async def test_me_may_be_called_without_credentials(self, gateway: httpx.AsyncClient) -> None:
        document = await _document(gateway)
        assert {} in document["paths"]["/api/v1/me"]["get"]["security"]
        assert (await gateway.get("/api/v1/me")).status_code == 200


class TestWhatIsServed:
    async def test_malformed_json_is_a_400_problem_and_a_wrong_shape_a_422(
        self, gateway: httpx.AsyncClient
    ) -> None:
        admin = await admin_headers(gateway)
        headers = {**admin, "content-type": "application/json"}
        broken = await gateway.post("/api/v1/institutions", content=b'{"name": ', headers=headers)
        assert broken.status_code == 400, broken.text
        assert broken.headers["content-type"] == "application/problem+json"
        assert broken.json()["errors"][0]["location"] == "body"
        wrong = await gateway.post("/api/v1/institutions", json={"name": 3}, headers=admin)
        assert wrong.status_code == 422

    async def test_an_unsupported_method_lists_every_method_of_the_path(
        self, gateway: httpx.AsyncClient
    ) -> None:
        admin = await admin_headers(gateway)
        institution = await new_institution(gateway, admin)
        for method in ("OPTIONS", "PUT", "TRACE"):
            response = await gateway.request(
                method, f"/api/v1/institutions/{institution['id']}", headers=admin
            )
            assert response.status_code == 405, (method, response.text)
            assert response.headers["allow"] == "GET, PATCH"
        users = await gateway.request("OPTIONS", "/api/v1/users/x", headers=admin)
        assert users.headers["allow"] == "DELETE, GET, PATCH"

    async def test_an_empty_credential_header_is_refused_not_ignored(
        self, gateway: httpx.AsyncClient
    ) -> None:
        for headers in ({"x-api-key": ""}, {"authorization": ""}, {"authorization": "Bearer "}):
            response = await gateway.get("/api/v1/me", headers=headers)
            assert response.status_code == 401, headers
