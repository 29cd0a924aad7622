"""Signing in, tokens, API keys, administration routes and institution events."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import jwt
import pytest
from gateway_testkit import ADMIN, GatewayFactory, admin_headers, login, new_institution, new_user

from localrights.auth import Principal, Role, issue_internal_token
from localrights.db import asyncpg_dsn
from localrights.testing.helpers import read_topic, running_app
from localrights_gateway.main import create_app


def _claims(**overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "iss": "localrights",
        "aud": "localrights-api",
        "sub": "user:00000000-0000-0000-0000-000000000001",
        "iat": now,
        "exp": now + timedelta(minutes=5),
        "roles": ["admin"],
    }
    claims.update(overrides)
    return claims


class TestSignIn:
    async def test_bootstrap_admin_signs_in_and_is_admin(self, gateway: httpx.AsyncClient) -> None:
        headers = await admin_headers(gateway)
        me = await gateway.get("/api/v1/me", headers=headers)
        assert me.status_code == 200
        assert me.json()["email"] == ADMIN[0]
        assert me.json()["roles"] == ["admin"]
        assert me.json()["kind"] == "user"

    async def test_token_is_short_lived_hs256_with_issuer_and_audience(
        self, gateway: httpx.AsyncClient
    ) -> None:
        response = await gateway.post(
            "/api/v1/auth/token", data={"username": ADMIN[0], "password": ADMIN[1]}
        )
        token = response.json()["access_token"]
        assert response.json()["token_type"] == "bearer"
        assert response.json()["expires_in"] == 900
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
        assert header["alg"] == "HS256"
        assert (claims["iss"], claims["aud"]) == ("localrights", "localrights-api")
        assert claims["exp"] - claims["iat"] == 900

    async def test_wrong_password_and_unknown_email_are_refused_alike(
        self, gateway: httpx.AsyncClient
    ) -> None:
        wrong = await gateway.post(
            "/api/v1/auth/token", data={"username": ADMIN[0], "password": "not-the-password"}
        )
        unknown = await gateway.post(
            "/api/v1/auth/token", data={"username": "nobody@example.org", "password": "x" * 12}
        )
        assert wrong.status_code == unknown.status_code == 401
        assert wrong.json()["detail"] == unknown.json()["detail"]
        assert wrong.headers["content-type"] == "application/problem+json"

    async def test_e_mail_is_case_insensitive(self, gateway: httpx.AsyncClient) -> None:
        await login(gateway, ADMIN[0].upper(), ADMIN[1])

    async def test_deactivated_user_cannot_sign_in(self, gateway: httpx.AsyncClient) -> None:
        admin = await admin_headers(gateway)
        email, password = await new_user(gateway, admin, "admin")
        users = (await gateway.get("/api/v1/users", headers=admin)).json()
        user_id = next(u["id"] for u in users if u["email"] == email)
        patched = await gateway.patch(
            f"/api/v1/users/{user_id}", json={"active": False}, headers=admin
        )
        assert patched.status_code == 200
        refused = await gateway.post(
            "/api/v1/auth/token", data={"username": email, "password": password}
        )
        assert refused.status_code == 401

    async def test_bootstrap_does_nothing_when_users_exist(
        self, gateway_settings: GatewayFactory
    ) -> None:
        settings = await gateway_settings()
        async with running_app(create_app(settings)) as client:
            await admin_headers(client)
        changed = settings.model_copy(update={"bootstrap_admin_email": "second@example.org"})
        async with running_app(create_app(changed)) as client:
            refused = await client.post(
                "/api/v1/auth/token",
                data={"username": "second@example.org", "password": ADMIN[1]},
            )
            assert refused.status_code == 401


class TestTokensRefused:
    @pytest.fixture
    def secret(self, gateway_jwt_secret: str) -> str:
        return gateway_jwt_secret

    async def _me(self, client: httpx.AsyncClient, token: str) -> httpx.Response:
        return await client.get("/api/v1/me", headers={"authorization": f"Bearer {token}"})

    async def test_a_valid_forged_looking_token_works_as_control(
        self, gateway: httpx.AsyncClient, secret: str
    ) -> None:
        # A token must name a user who exists (revocation.py): the bootstrap administrator.
        me = await gateway.get("/api/v1/me", headers=await admin_headers(gateway))
        claims = _claims(sub=me.json()["subject"])
        response = await self._me(gateway, jwt.encode(claims, secret, algorithm="HS256"))
        assert response.status_code == 200
        assert response.json()["roles"] == ["admin"]

    async def test_expired_token(self, gateway: httpx.AsyncClient, secret: str) -> None:
        past = datetime.now(UTC) - timedelta(minutes=20)
        token = jwt.encode(
            _claims(iat=past, exp=past + timedelta(minutes=15)), secret, algorithm="HS256"
        )
        response = await self._me(gateway, token)
        assert response.status_code == 401
        assert "expired" in response.json()["detail"]

    async def test_wrong_signature(self, gateway: httpx.AsyncClient) -> None:
        token = jwt.encode(_claims(), "another-secret-of-at-least-32-characters!", "HS256")
        assert (await self._me(gateway, token)).status_code == 401

    async def test_tampered_payload(self, gateway: httpx.AsyncClient, secret: str) -> None:
        token = jwt.encode(_claims(roles=["institution_officer"]), secret, algorithm="HS256")
        head, payload, signature = token.split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
        claims["roles"] = ["admin"]
        forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        assert (await self._me(gateway, f"{head}.{forged}.{signature}")).status_code == 401

    async def test_alg_none(self, gateway: httpx.AsyncClient) -> None:
        token = jwt.encode(_claims(), None, algorithm="none")  # type: ignore[arg-type]
        assert (await self._me(gateway, token)).status_code == 401

    async def test_wrong_audience(self, gateway: httpx.AsyncClient, secret: str) -> None:
        token = jwt.encode(_claims(aud="someone-else"), secret, algorithm="HS256")
        assert (await self._me(gateway, token)).status_code == 401

    async def test_wrong_issuer(self, gateway: httpx.AsyncClient, secret: str) -> None:
        token = jwt.encode(_claims(iss="elsewhere"), secret, algorithm="HS256")
        assert (await self._me(gateway, token)).status_code == 401

    async def test_internal_token_is_not_accepted_from_outside(
        self, gateway: httpx.AsyncClient, internal_jwt_secret: str
    ) -> None:
        principal = Principal(subject="user:x", roles=frozenset({Role.ADMIN}))
        token = issue_internal_token(principal, secret=internal_jwt_secret)
        assert (await self._me(gateway, token)).status_code == 401

    async def test_missing_expiry(self, gateway: httpx.AsyncClient, secret: str) -> None:
        claims = _claims()
        del claims["exp"]
        assert (await self._me(gateway, jwt.encode(claims, secret, "HS256"))).status_code == 401

    async def test_other_hmac_algorithm_with_the_right_key(
        self, gateway: httpx.AsyncClient, secret: str
    ) -> None:
        # The algorithm is pinned: the token's own header never chooses how it is checked.
        token = jwt.encode(_claims(), secret, algorithm="HS512")
        assert (await self._me(gateway, token)).status_code == 401

    async def test_not_yet_valid(self, gateway: httpx.AsyncClient, secret: str) -> None:
        later = datetime.now(UTC) + timedelta(minutes=10)
        token = jwt.encode(_claims(nbf=later), secret, algorithm="HS256")
        assert (await self._me(gateway, token)).status_code == 401

    async def test_unknown_role_claim(self, gateway: httpx.AsyncClient, secret: str) -> None:
        token = jwt.encode(_claims(roles=["superuser"]), secret, algorithm="HS256")
        assert (await self._me(gateway, token)).status_code == 401

    async def test_refused_tokens_never_reach_a_service(
        self, gateway: httpx.AsyncClient, secret: str
    ) -> None:
        past = datetime.now(UTC) - timedelta(minutes=20)
        expired = jwt.encode(
            _claims(iat=past, exp=past + timedelta(minutes=15)), secret, algorithm="HS256"
        )
        forged = jwt.encode(_claims(), "another-secret-of-at-least-32-characters!", "HS256")
        for token in (expired, forged, jwt.encode(_claims(), None, algorithm="none")):  # type: ignore[arg-type]
            response = await gateway.post(
                "/api/v1/consultations", json={}, headers={"authorization": f"Bearer {token}"}
            )
            assert response.status_code == 401, response.text
            # The echo service would have answered 200 with what reached it.
            assert "service" not in response.json()

    async def test_other_schemes_are_refused(self, gateway: httpx.AsyncClient) -> None:
        response = await gateway.get("/api/v1/me", headers={"authorization": "Basic YTpi"})
        assert response.status_code == 401


class TestApiKeys:
    async def _create(self, client: httpx.AsyncClient, admin: dict[str, str]) -> dict[str, Any]:
        institution = await new_institution(client, admin)
        response = await client.post(
            "/api/v1/api-keys",
            json={
                "name": "alert importer",
                "roles": ["alert_publisher"],
                "institution_id": institution["id"],
            },
            headers=admin,
        )
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    async def test_key_is_shown_once_and_stored_hashed(
        self, gateway_settings: GatewayFactory
    ) -> None:
        settings = await gateway_settings()
        async with running_app(create_app(settings)) as client:
            admin = await admin_headers(client)
            created = await self._create(client, admin)
            key = created["key"]
            assert key.startswith(f"lr_{created['prefix']}_")
            listed = (await client.get("/api/v1/api-keys", headers=admin)).json()
            assert [k["id"] for k in listed] == [created["id"]]
            assert "key" not in listed[0]
            assert key not in json.dumps(listed)
        conn = await asyncpg.connect(asyncpg_dsn(settings.database_url))
        try:
            row = await conn.fetchrow("SELECT * FROM api_keys")
        finally:
            await conn.close()
        assert row is not None
        stored = json.dumps({k: str(v) for k, v in dict(row).items()})
        assert key not in stored
        secret_part = key.split("_", 2)[2]
        assert secret_part not in stored
        assert len(row["key_hash"]) == 64 and row["key_hash"] != key

    async def test_key_authenticates_in_both_headers_then_revocation_stops_it(
        self, gateway: httpx.AsyncClient
    ) -> None:
        admin = await admin_headers(gateway)
        created = await self._create(gateway, admin)
        for headers in (
            {"authorization": f"Bearer {created['key']}"},
            {"x-api-key": created["key"]},
        ):
            me = await gateway.get("/api/v1/me", headers=headers)
            assert me.status_code == 200
            assert me.json()["kind"] == "api_key"
            assert me.json()["roles"] == ["alert_publisher"]
            assert me.json()["institution"]["id"] == created["institution_id"]
        revoked = await gateway.delete(f"/api/v1/api-keys/{created['id']}", headers=admin)
        assert revoked.status_code == 200
        assert revoked.json()["revoked_at"] is not None
        refused = await gateway.get("/api/v1/me", headers={"x-api-key": created["key"]})
        assert refused.status_code == 401
        assert "revoked" in refused.json()["detail"]

    async def test_guessed_secret_with_a_real_prefix_is_refused(
        self, gateway: httpx.AsyncClient
    ) -> None:
        admin = await admin_headers(gateway)
        created = await self._create(gateway, admin)
        guess = f"lr_{created['prefix']}_{'A' * 43}"
        response = await gateway.get("/api/v1/me", headers={"x-api-key": guess})
        assert response.status_code == 401

    async def test_non_admin_role_needs_an_institution(self, gateway: httpx.AsyncClient) -> None:
        admin = await admin_headers(gateway)
        response = await gateway.post(
            "/api/v1/api-keys", json={"name": "x", "roles": ["alert_publisher"]}, headers=admin
        )
        assert response.status_code == 422


class TestAdministrationNeedsAdmin:
    ROUTES = (
        ("POST", "/api/v1/institutions"),
        ("PATCH", "/api/v1/institutions/{institution}"),
        ("POST", "/api/v1/users"),
        ("GET", "/api/v1/users"),
        ("POST", "/api/v1/api-keys"),
        ("GET", "/api/v1/api-keys"),
        ("DELETE", "/api/v1/api-keys/00000000-0000-0000-0000-000000000000"),
        # Unknown ids: who is not an admin must not learn whether a user or institution exists.
        ("GET", "/api/v1/users/00000000-0000-0000-0000-000000000000"),
        ("PATCH", "/api/v1/users/00000000-0000-0000-0000-000000000000"),
        ("PATCH", "/api/v1/institutions/00000000-0000-0000-0000-000000000000"),
    )

    async def test_each_admin_route_refuses_other_roles_and_anonymous(
        self, gateway: httpx.AsyncClient
    ) -> None:
        admin = await admin_headers(gateway)
        institution = await new_institution(gateway, admin)
        callers: dict[str, dict[str, str]] = {"anonymous": {}}
        for role in ("institution_officer", "ministry_officer", "alert_publisher"):
            email, password = await new_user(gateway, admin, role, institution_id=institution["id"])
            callers[role] = await login(gateway, email, password)
        for method, template in self.ROUTES:
            path = template.format(institution=institution["id"])
            for name, headers in callers.items():
                response = await gateway.request(method, path, json={}, headers=headers)
                expected = 401 if name == "anonymous" else 403
                assert response.status_code == expected, (method, path, name, response.text)
        # Control: the admin gets past authorisation (to validation or success).
        for method, template in self.ROUTES:
            path = template.format(institution=institution["id"])
            response = await gateway.request(method, path, json={}, headers=admin)
            assert response.status_code in (200, 404, 422), (method, path, response.text)

    async def test_institutions_are_public_to_read(self, gateway: httpx.AsyncClient) -> None:
        admin = await admin_headers(gateway)
        institution = await new_institution(gateway, admin)
        one = await gateway.get(f"/api/v1/institutions/{institution['id']}")
        assert one.status_code == 200
        listed = await gateway.get("/api/v1/institutions", params={"country": "uy"})
        assert [i["id"] for i in listed.json()] == [institution["id"]]

    async def test_officer_token_carries_the_institution_place(
        self, gateway: httpx.AsyncClient
    ) -> None:
        admin = await admin_headers(gateway)
        institution = await new_institution(gateway, admin)
        email, password = await new_user(
            gateway, admin, "institution_officer", institution_id=institution["id"]
        )
        headers = await login(gateway, email, password)
        token = headers["authorization"].removeprefix("Bearer ")
        claims = jwt.decode(token, options={"verify_signature": False})
        assert claims["inst"] == institution["id"]
        assert (claims["country"], claims["jur"]) == ("UY", "UY-CA")

    async def test_duplicate_e_mail_is_a_conflict(self, gateway: httpx.AsyncClient) -> None:
        admin = await admin_headers(gateway)
        body = {"email": ADMIN[0], "password": "another-long-password", "roles": ["admin"]}
        response = await gateway.post("/api/v1/users", json=body, headers=admin)
        assert response.status_code == 409


class TestInstitutions:
    async def test_registration_and_update_land_on_the_topic(
        self,
        gateway: httpx.AsyncClient,
        kafka_bootstrap_servers: str,
        topic_prefix: str,
    ) -> None:
        admin = await admin_headers(gateway)
        institution = await new_institution(gateway, admin, municipality="Canelones")
        patched = await gateway.patch(
            f"/api/v1/institutions/{institution['id']}",
            json={"name": "Gobierno de Canelones"},
            headers=admin,
        )
        assert patched.status_code == 200
        events = await read_topic(
            kafka_bootstrap_servers,
            f"{topic_prefix}institution.events",
            until=lambda seen: len(seen) >= 2,
        )
        assert [e.type for e in events] == ["institution.registered", "institution.updated"]
        assert events[0].subject == institution["id"]
        assert events[0].data["jurisdiction"] == "UY-CA"
        assert events[0].data["municipality"] == "Canelones"
        assert events[1].data["name"] == "Gobierno de Canelones"

    @pytest.mark.parametrize(
        ("country", "jurisdiction"),
        [("XX", "XX"), ("UY", "AR-B"), ("UY", "UY-ZZ")],
    )
    async def test_place_must_be_iso_3166(
        self, gateway: httpx.AsyncClient, country: str, jurisdiction: str
    ) -> None:
        admin = await admin_headers(gateway)
        body = {"name": "X Y", "kind": "municipality", "country": country}
        body["jurisdiction"] = jurisdiction
        response = await gateway.post("/api/v1/institutions", json=body, headers=admin)
        assert response.status_code == 422

    async def test_update_to_a_subdivision_of_another_country_is_refused(
        self, gateway: httpx.AsyncClient
    ) -> None:
        admin = await admin_headers(gateway)
        institution = await new_institution(gateway, admin)
        response = await gateway.patch(
            f"/api/v1/institutions/{institution['id']}",
            json={"jurisdiction": "FR-75C"},
            headers=admin,
        )
        assert response.status_code == 422
