"""Editing a draft: checked as a whole, only by its owner, never once opened."""

from __future__ import annotations

from typing import Any

import httpx

from .conftest import Factory, good_answers

API = "/api/v1/consultations"


class TestEditDraft:
    async def test_the_owner_changes_texts_and_questions_of_a_draft(
        self, client: httpx.AsyncClient, officer: dict[str, str], make_consultation: Factory
    ) -> None:
        draft = await make_consultation(open_it=False)
        questions = draft["questions"][:1] + [
            {
                "id": "about",
                "type": "free_text",
                "max_length": 300,
                "title": {"en": "Anything else?", "fr": "Autre chose ?"},
            }
        ]
        edited = await client.patch(
            f"{API}/{draft['id']}",
            json={
                "title": {"en": "Housing and water in Wonosobo", "fr": "Logement et eau"},
                "description": {"en": "Two questions", "fr": "Deux questions"},
                "municipality": None,
                "topics": ["housing", "water_sanitation"],
                "questions": questions,
            },
            headers=officer,
        )
        assert edited.status_code == 200, edited.text
        body = edited.json()
        assert body["title"]["en"] == "Housing and water in Wonosobo"
        assert body["municipality"] is None and body["topics"] == ["housing", "water_sanitation"]
        assert [q["id"] for q in body["questions"]] == [questions[0]["id"], "about"]
        assert body["status"] == "draft"
        assert (await client.get(f"{API}/{draft['id']}", headers=officer)).json() == body

    async def test_an_edit_that_breaks_a_rule_is_a_422_and_changes_nothing(
        self, client: httpx.AsyncClient, officer: dict[str, str], make_consultation: Factory
    ) -> None:
        draft = await make_consultation(open_it=False)
        refused = await client.patch(
            f"{API}/{draft['id']}",
            json={"title": {"en": "English only now"}},  # the description is in en and fr
            headers=officer,
        )
        assert refused.status_code == 422
        assert "description: must have the same languages as the title" in refused.text
        nulled = await client.patch(f"{API}/{draft['id']}", json={"title": None}, headers=officer)
        assert nulled.status_code == 422
        assert (await client.get(f"{API}/{draft['id']}", headers=officer)).json() == draft

    async def test_an_opened_consultation_cannot_be_edited(
        self, client: httpx.AsyncClient, officer: dict[str, str], make_consultation: Factory
    ) -> None:
        opened = await make_consultation()
        refused = await client.patch(
            f"{API}/{opened['id']}", json={"topics": ["housing"]}, headers=officer
        )
        assert refused.status_code == 409

    async def test_another_institution_cannot_edit_it(
        self,
        client: httpx.AsyncClient,
        other_officer: dict[str, str],
        make_consultation: Factory,
    ) -> None:
        draft = await make_consultation(open_it=False)
        refused = await client.patch(
            f"{API}/{draft['id']}", json={"topics": ["housing"]}, headers=other_officer
        )
        assert refused.status_code == 404  # a draft exists only for its owner

    async def test_answers_follow_the_edited_questions_once_opened(
        self,
        client: httpx.AsyncClient,
        officer: dict[str, str],
        make_consultation: Factory,
        resident: Any,
    ) -> None:
        draft = await make_consultation(open_it=False)
        # A resident trying the draft must not leave its questions cached for later.
        early = await client.post(
            f"{API}/{draft['id']}/responses",
            json={"answers": good_answers()},
            headers=resident("early"),
        )
        assert early.status_code in (404, 409)
        only = {
            "id": "only",
            "type": "rating",
            "title": {"en": "How is it?", "fr": "Comment est-ce ?"},
        }
        edited = await client.patch(
            f"{API}/{draft['id']}", json={"questions": [only]}, headers=officer
        )
        assert edited.status_code == 200, edited.text
        await client.post(f"{API}/{draft['id']}/open", headers=officer)
        answered = await client.post(
            f"{API}/{draft['id']}/responses",
            json={"answers": {"only": 4}},
            headers=resident("later"),
        )
        assert answered.status_code == 201, answered.text
