"""Defining, listing and the lifecycle of consultations, with who may do what."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from localrights.auth import Role
from localrights.testing.helpers import bearer, eventually

API = "/api/v1/consultations"


class TestCreateConsultation:
    async def test_an_officer_creates_a_draft_of_their_institution(
        self,
        client: httpx.AsyncClient,
        officer: dict[str, str],
        institution_id: Any,
        new_body: Callable[..., dict[str, Any]],
    ) -> None:
        created = await client.post(API, json=new_body(), headers=officer)
        assert created.status_code == 201, created.text
        body = created.json()
        assert body["status"] == "draft" and body["institution_id"] == str(institution_id)
        assert body["country"] == "ID" and body["languages"] == ["en", "fr"]
        assert [q["type"] for q in body["questions"]] == [
            "single_choice",
            "multiple_choice",
            "rating",
            "free_text",
            "ranking",
            "budget",
            "single_choice",
        ]
        read = await client.get(f"{API}/{body['id']}", headers=officer)
        assert read.json() == body

    @pytest.mark.parametrize(
        ("overrides", "message"),
        [
            ({"jurisdiction": "XX"}, "'XX' is not an ISO 3166-1 alpha-2 country code"),
            ({"jurisdiction": "FR-ZZZ"}, "not an ISO 3166-2 subdivision code"),
            ({"sdg_targets": ["18.1"]}, "'18.1' is not an SDG target"),
            ({"country": "FR"}, "country: FR is not the country of ID-JT"),
        ],
    )
    async def test_bad_place_or_link_is_refused(
        self,
        client: httpx.AsyncClient,
        officer: dict[str, str],
        new_body: Callable[..., dict[str, Any]],
        overrides: dict[str, Any],
        message: str,
    ) -> None:
        response = await client.post(API, json=new_body(**overrides), headers=officer)
        assert response.status_code == 422
        assert message in response.json()["detail"]

    async def test_each_broken_question_rule_is_named(
        self,
        client: httpx.AsyncClient,
        officer: dict[str, str],
        new_body: Callable[..., dict[str, Any]],
    ) -> None:
        body = new_body()
        body["questions"][1]["min_picks"] = 3  # services: max_picks is 2
        body["questions"][2]["min"] = 9  # safety: max is 5
        body["questions"][4]["options"].append(body["questions"][4]["options"][0])  # ranking
        body["questions"][5]["total_budget"] = 100  # budget: cheapest project costs 500
        body["questions"][6]["required"] = True  # age is demographic
        del body["questions"][0]["title"]["fr"]
        response = await client.post(API, json=body, headers=officer)
        assert response.status_code == 422
        messages = [e["message"] for e in response.json()["errors"]]
        assert messages == [
            "question 'housing' (single_choice): title lacks the language(s) fr",
            "question 'services' (multiple_choice): min_picks 3 is greater than max_picks 2",
            "question 'safety' (rating): scale min 9 must be below max 5",
            "question 'priorities' (ranking): option ids must be unique; repeated: water",
            "question 'budget' (budget): no project fits in the total budget 100",
            "question 'age' (single_choice): a demographic question is always skippable, "
            "not required",
        ]

    async def test_a_structural_rule_points_at_the_question(
        self,
        client: httpx.AsyncClient,
        officer: dict[str, str],
        new_body: Callable[..., dict[str, Any]],
    ) -> None:
        body = new_body()
        body["questions"][3]["max_length"] = 0  # comment: free text needs room for 1 character
        response = await client.post(API, json=body, headers=officer)
        assert response.status_code == 422
        assert response.json()["errors"] == [
            {
                "location": "questions.3.free_text.max_length",
                "message": "Input should be greater than or equal to 1",
            }
        ]

    async def test_closing_before_opening_is_refused(
        self,
        client: httpx.AsyncClient,
        officer: dict[str, str],
        new_body: Callable[..., dict[str, Any]],
    ) -> None:
        now = datetime.now(UTC)
        body = new_body(opens_at=now.isoformat(), closes_at=(now - timedelta(hours=1)).isoformat())
        response = await client.post(API, json=body, headers=officer)
        assert response.status_code == 422
        assert "closes_at must be after opens_at" in response.json()["detail"]

    async def test_residents_and_other_roles_cannot_create(
        self,
        client: httpx.AsyncClient,
        resident: Callable[..., dict[str, str]],
        internal_jwt_secret: str,
        new_body: Callable[..., dict[str, Any]],
    ) -> None:
        assert (await client.post(API, json=new_body(), headers=resident())).status_code == 401
        publisher = bearer(internal_jwt_secret, Role.ALERT_PUBLISHER)
        assert (await client.post(API, json=new_body(), headers=publisher)).status_code == 403


class TestListConsultations:
    async def test_filters_pagination_and_draft_visibility(
        self,
        client: httpx.AsyncClient,
        officer: dict[str, str],
        other_officer: dict[str, str],
        make_consultation: Any,
    ) -> None:
        draft = await make_consultation(open_it=False)
        opened = await make_consultation(jurisdiction="FR-75C", municipality=None)
        english = await make_consultation(
            title={"en": "English only"},
            description={},
            questions=[{"id": "q", "type": "rating", "title": {"en": "Rate"}}],
        )

        async def ids(headers: dict[str, str] | None = None, **params: Any) -> list[str]:
            response = await client.get(API, params=params, headers=headers or {})
            assert response.status_code == 200, response.text
            return [c["id"] for c in response.json()["items"]]

        assert draft["id"] not in await ids()
        assert draft["id"] not in await ids(other_officer)
        assert draft["id"] in await ids(officer, status="draft")
        assert await ids(country="FR") == [opened["id"]]
        assert await ids(jurisdiction="FR-75C") == [opened["id"]]
        assert set(await ids(language="fr")) == {opened["id"]}
        assert english["id"] in await ids(language="en")
        assert set(await ids(officer, institution_id=draft["institution_id"])) == {
            draft["id"],
            opened["id"],
            english["id"],
        }
        page = (await client.get(API, params={"limit": 1, "offset": 1})).json()
        assert page["total"] == 2 and page["limit"] == 1 and len(page["items"]) == 1
        hidden = await client.get(f"{API}/{draft['id']}", headers=other_officer)
        assert hidden.status_code == 404


class TestLifecycle:
    async def test_draft_open_closed_published_and_409s(
        self,
        client: httpx.AsyncClient,
        officer: dict[str, str],
        make_consultation: Any,
    ) -> None:
        c = await make_consultation(open_it=False)
        url = f"{API}/{c['id']}"
        for step in ("close", "publish"):
            refused = await client.post(f"{url}/{step}", headers=officer)
            assert refused.status_code == 409
            assert "a draft consultation cannot be" in refused.json()["detail"]
        opened = await client.post(f"{url}/open", headers=officer)
        assert opened.json()["status"] == "open" and opened.json()["accepting_responses"]
        assert (await client.post(f"{url}/open", headers=officer)).status_code == 409
        assert (await client.post(f"{url}/publish", headers=officer)).status_code == 409
        closed = await client.post(f"{url}/close", headers=officer)
        assert closed.json()["status"] == "closed" and closed.json()["closed_at"]
        assert (await client.post(f"{url}/close", headers=officer)).status_code == 409
        assert (await client.post(f"{url}/open", headers=officer)).status_code == 409
        published = await client.post(f"{url}/publish", headers=officer)
        assert published.json()["status"] == "published"
        for step in ("open", "close", "publish"):
            assert (await client.post(f"{url}/{step}", headers=officer)).status_code == 409

    async def test_another_institution_cannot_run_it(
        self,
        client: httpx.AsyncClient,
        other_officer: dict[str, str],
        make_consultation: Any,
        internal_jwt_secret: str,
    ) -> None:
        draft = await make_consultation(open_it=False)
        opened = await make_consultation()
        hidden = await client.post(f"{API}/{draft['id']}/open", headers=other_officer)
        assert hidden.status_code == 404  # someone else's draft does not exist for them
        refused = await client.post(f"{API}/{opened['id']}/close", headers=other_officer)
        assert refused.status_code == 403
        resident = await client.post(f"{API}/{opened['id']}/close")
        assert resident.status_code == 401

    async def test_it_closes_by_itself_at_its_closing_time(
        self,
        client: httpx.AsyncClient,
        officer: dict[str, str],
        make_consultation: Any,
    ) -> None:
        soon = datetime.now(UTC) + timedelta(seconds=1.5)
        c = await make_consultation(closes_at=soon.isoformat())

        async def closed() -> None:
            body = (await client.get(f"{API}/{c['id']}")).json()
            assert body["status"] == "closed", body["status"]
            assert datetime.fromisoformat(body["closed_at"]) == soon

        await eventually(closed, timeout=15)
