"""Renewing a person's token (the pages' sliding session) within the revocation rules, and
finding institutions by name, kind and place for pickers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import jwt
from gateway_testkit import GatewayFactory, admin_headers, login, new_institution, new_user

from localrights.testing.helpers import running_app
from localrights_gateway.main import create_app


def claims_of(headers: dict[str, str]) -> dict[str, object]:
    token = headers["authorization"].split(" ", 1)[1]
    decoded: dict[str, object] = jwt.decode(token, options={"verify_signature": False})
    return decoded


class TestRefresh:
    async def test_a_signed_in_person_gets_a_fresh_token_that_keeps_the_sign_in_time(
        self, gateway: httpx.AsyncClient
    ) -> None:
        admin = await admin_headers(gateway)
        institution = await new_institution(gateway, admin)
        email, password = await new_user(
            gateway, admin, "institution_officer", institution_id=institution["id"]
        )
        first = await login(gateway, email, password)
        renewed = await gateway.post("/api/v1/auth/refresh", headers=first)
        assert renewed.status_code == 200, renewed.text
        second = {"authorization": f"Bearer {renewed.json()['access_token']}"}
        assert claims_of(second)["auth_time"] == claims_of(first)["auth_time"]
        assert claims_of(second)["jti"] != claims_of(first)["jti"]
        me = await gateway.get("/api/v1/me", headers=second)
        assert me.json()["institution"]["id"] == institution["id"]

    async def test_a_deactivated_person_cannot_renew(self, gateway: httpx.AsyncClient) -> None:
        admin = await admin_headers(gateway)
        email, password = await new_user(
            gateway,
            admin,
            "alert_publisher",
            institution_id=(await new_institution(gateway, admin))["id"],
        )
        token = await login(gateway, email, password)
        users = await gateway.get("/api/v1/users", headers=admin)
        user = next(u for u in users.json() if u["email"] == email)
        off = await gateway.patch(
            f"/api/v1/users/{user['id']}", json={"active": False}, headers=admin
        )
        assert off.status_code == 200
        assert (await gateway.post("/api/v1/auth/refresh", headers=token)).status_code == 401

    async def test_a_session_older_than_the_limit_ends(
        self, gateway_settings: GatewayFactory
    ) -> None:
        settings = await gateway_settings(session_max_seconds=60)
        async with running_app(create_app(settings)) as gateway:
            admin = await admin_headers(gateway)
            claims = claims_of(admin)
            # The same person, signed in with a password two minutes ago.
            old = {
                **claims,
                "auth_time": int((datetime.now(UTC) - timedelta(minutes=2)).timestamp()),
            }
            token = jwt.encode(old, settings.jwt_secret.get_secret_value(), algorithm="HS256")
            refused = await gateway.post(
                "/api/v1/auth/refresh", headers={"authorization": f"Bearer {token}"}
            )
            assert refused.status_code == 401
            assert "sign in again" in refused.json()["detail"]
            assert (await gateway.post("/api/v1/auth/refresh", headers=admin)).status_code == 200

    async def test_an_api_key_or_nobody_cannot_renew(self, gateway: httpx.AsyncClient) -> None:
        assert (await gateway.post("/api/v1/auth/refresh")).status_code == 401
        admin = await admin_headers(gateway)
        institution = await new_institution(gateway, admin)
        key = await gateway.post(
            "/api/v1/api-keys",
            json={
                "name": "importer",
                "roles": ["alert_publisher"],
                "institution_id": institution["id"],
            },
            headers=admin,
        )
        assert key.status_code == 201, key.text
        refused = await gateway.post(
            "/api/v1/auth/refresh", headers={"x-api-key": key.json()["key"]}
        )
        assert refused.status_code == 401


class TestInstitutionPicker:
    async def test_by_part_of_the_name_kind_and_place(self, gateway: httpx.AsyncClient) -> None:
        admin = await admin_headers(gateway)
        bologna = await new_institution(
            gateway,
            admin,
            name="Comune di Bologna",
            kind="municipality",
            country="IT",
            jurisdiction="IT-BO",
        )
        commission = await new_institution(
            gateway,
            admin,
            name="Bologna human-rights commission",
            kind="local_hr_commission",
            country="IT",
            jurisdiction="IT-BO",
        )
        await new_institution(
            gateway,
            admin,
            name="Comune di Torino",
            kind="municipality",
            country="IT",
            jurisdiction="IT-TO",
        )

        async def names(**params: str) -> list[str]:
            found = await gateway.get("/api/v1/institutions", params=params)
            assert found.status_code == 200, found.text
            return [i["name"] for i in found.json()]

        assert await names(q="bologna") == [commission["name"], bologna["name"]]
        assert await names(q="BOLOGNA", kind="municipality") == [bologna["name"]]
        # Emilia-Romagna (IT-45) holds the metropolitan city of Bologna (IT-BO).
        assert await names(place="IT-45", kind="municipality") == [bologna["name"]]
        assert await names(q="%") == []  # a wildcard is a character, not a pattern
        bad = await gateway.get("/api/v1/institutions", params={"kind": "club"})
        assert bad.status_code == 422
