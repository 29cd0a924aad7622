"""Administration input rules: what a partial update may clear, and where admins belong."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from gateway_testkit import admin_headers, login, new_institution, new_user


def _refused_naming(response: httpx.Response, field: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["location"] for e in response.json()["errors"]] == [field], response.text


async def _user_id(client: httpx.AsyncClient, email: str, password: str) -> str:
    me = await client.get("/api/v1/me", headers=await login(client, email, password))
    return str(me.json()["subject"]).removeprefix("user:")


async def _new_officer(client: httpx.AsyncClient, admin: dict[str, str]) -> str:
    """The id of a new institution officer (of a new institution)."""
    institution = await new_institution(client, admin)
    email, password = await new_user(
        client, admin, "institution_officer", institution_id=institution["id"]
    )
    return await _user_id(client, email, password)


class TestNullForAFieldThatCannotBeEmpty:
    @pytest.mark.parametrize("field", ["country", "jurisdiction", "name", "kind", "active"])
    async def test_institution_update_names_the_field(
        self, gateway: httpx.AsyncClient, field: str
    ) -> None:
        admin = await admin_headers(gateway)
        institution = await new_institution(gateway, admin)
        response = await gateway.patch(
            f"/api/v1/institutions/{institution['id']}", json={field: None}, headers=admin
        )
        _refused_naming(response, field)
        unchanged = await gateway.get(f"/api/v1/institutions/{institution['id']}")
        assert unchanged.json() == institution

    async def test_institution_municipality_may_be_cleared(
        self, gateway: httpx.AsyncClient
    ) -> None:
        admin = await admin_headers(gateway)
        institution = await new_institution(gateway, admin, municipality="Canelones")
        response = await gateway.patch(
            f"/api/v1/institutions/{institution['id']}", json={"municipality": None}, headers=admin
        )
        assert response.status_code == 200, response.text
        assert response.json()["municipality"] is None

    @pytest.mark.parametrize("field", ["roles", "password", "active"])
    async def test_user_update_names_the_field(
        self, gateway: httpx.AsyncClient, field: str
    ) -> None:
        admin = await admin_headers(gateway)
        user_id = await _new_officer(gateway, admin)
        response = await gateway.patch(
            f"/api/v1/users/{user_id}", json={field: None}, headers=admin
        )
        _refused_naming(response, field)

    async def test_a_bad_place_names_the_field_at_fault(self, gateway: httpx.AsyncClient) -> None:
        admin = await admin_headers(gateway)
        institution = await new_institution(gateway, admin)
        path = f"/api/v1/institutions/{institution['id']}"
        _refused_naming(await gateway.patch(path, json={"country": "XX"}, headers=admin), "country")
        body: dict[str, Any] = {
            "name": "Nowhere",
            "kind": "municipality",
            "country": "UY",
            "jurisdiction": "AR-B",
        }
        created = await gateway.post("/api/v1/institutions", json=body, headers=admin)
        _refused_naming(created, "jurisdiction")


class TestAdminIsAPlatformRole:
    async def test_an_admin_cannot_be_created_for_an_institution(
        self, gateway: httpx.AsyncClient
    ) -> None:
        admin = await admin_headers(gateway)
        institution = await new_institution(gateway, admin)
        for roles in (["admin"], ["admin", "institution_officer"]):
            response = await gateway.post(
                "/api/v1/users",
                json={
                    "email": "local-admin@example.org",
                    "password": "a-long-enough-password",
                    "roles": roles,
                    "institution_id": institution["id"],
                },
                headers=admin,
            )
            _refused_naming(response, "institution_id")
            assert "platform role" in response.json()["detail"]

    async def test_an_officer_cannot_be_made_admin(self, gateway: httpx.AsyncClient) -> None:
        admin = await admin_headers(gateway)
        user_id = await _new_officer(gateway, admin)
        response = await gateway.patch(
            f"/api/v1/users/{user_id}", json={"roles": ["admin"]}, headers=admin
        )
        _refused_naming(response, "roles")

    async def test_an_admin_cannot_be_bound_to_an_institution(
        self, gateway: httpx.AsyncClient
    ) -> None:
        admin = await admin_headers(gateway)
        institution = await new_institution(gateway, admin)
        email, password = await new_user(gateway, admin, "admin")
        user_id = await _user_id(gateway, email, password)
        response = await gateway.patch(
            f"/api/v1/users/{user_id}", json={"institution_id": institution["id"]}, headers=admin
        )
        _refused_naming(response, "institution_id")
        # Both at once: an officer of the institution, no longer an admin, is fine.
        moved = await gateway.patch(
            f"/api/v1/users/{user_id}",
            json={"institution_id": institution["id"], "roles": ["institution_officer"]},
            headers=admin,
        )
        assert moved.status_code == 200, moved.text

    async def test_an_admin_api_key_cannot_act_for_an_institution(
        self, gateway: httpx.AsyncClient
    ) -> None:
        admin = await admin_headers(gateway)
        institution = await new_institution(gateway, admin)
        response = await gateway.post(
            "/api/v1/api-keys",
            json={"name": "x", "roles": ["admin"], "institution_id": institution["id"]},
            headers=admin,
        )
        _refused_naming(response, "institution_id")
