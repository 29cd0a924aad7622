"""Residents' responses: validation, windows, codes, idempotent retries, the per-client cap."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest

from localrights.testing.helpers import anonymous, running_app
from localrights_consultation.config import Settings
from localrights_consultation.main import create_app

API = "/api/v1/consultations"
Answers = Callable[..., dict[str, Any]]


async def stored_count(
    client: httpx.AsyncClient, consultation_id: str, headers: dict[str, str]
) -> int:
    results = await client.get(f"{API}/{consultation_id}/results", headers=headers)
    assert results.status_code == 200, results.text
    count: int = results.json()["response_count"]
    return count


class TestAnswerValidation:
    async def test_a_complete_response_is_stored(
        self,
        client: httpx.AsyncClient,
        make_consultation: Any,
        answers: Answers,
        resident: Callable[..., dict[str, str]],
        officer: dict[str, str],
    ) -> None:
        c = await make_consultation()
        response = await client.post(
            f"{API}/{c['id']}/responses",
            json={"answers": answers(), "language": "fr"},
            headers=resident(),
        )
        assert response.status_code == 201, response.text
        assert response.json()["consultation_id"] == c["id"]
        assert await stored_count(client, c["id"], officer) == 1

    @pytest.mark.parametrize(
        ("override", "message"),
        [
            ({"housing": "maybe"}, "question 'housing' (single_choice): 'maybe' is not one of"),
            ({"housing": None}, "question 'housing' (single_choice): is required"),
            (
                {"services": ["clinic", "library", "bus"]},
                "question 'services' (multiple_choice): pick at most 2 option(s), got 3",
            ),
            ({"services": []}, "question 'services' (multiple_choice): pick at least 1"),
            ({"safety": 6}, "question 'safety' (rating): 6 is outside the scale 1..5"),
            (
                {"comment": "x" * 201},
                "question 'comment' (free_text): the answer has 201 characters, at most 200",
            ),
            (
                {"priorities": ["water", "water"]},
                "question 'priorities' (ranking): an option is ranked more than once",
            ),
            (
                {"budget": {"park": 600, "lights": 500}},
                "question 'budget' (budget): the amounts add up to 1100, more than the total "
                "budget 1000",
            ),
            ({"age": "elder"}, "question 'age' (single_choice): 'elder' is not one of its options"),
            ({"nope": 1}, "question 'nope' is not in this consultation"),
        ],
    )
    async def test_a_bad_answer_is_refused_naming_question_and_rule(
        self,
        client: httpx.AsyncClient,
        make_consultation: Any,
        answers: Answers,
        resident: Callable[..., dict[str, str]],
        override: dict[str, Any],
        message: str,
        officer: dict[str, str],
    ) -> None:
        c = await make_consultation()
        response = await client.post(
            f"{API}/{c['id']}/responses", json={"answers": answers(**override)}, headers=resident()
        )
        assert response.status_code == 422
        assert message in response.json()["detail"]
        assert await stored_count(client, c["id"], officer) == 0

    async def test_demographic_questions_may_be_skipped(
        self,
        client: httpx.AsyncClient,
        make_consultation: Any,
        answers: Answers,
        resident: Callable[..., dict[str, str]],
    ) -> None:
        c = await make_consultation()
        response = await client.post(
            f"{API}/{c['id']}/responses", json={"answers": answers(age=None)}, headers=resident()
        )
        assert response.status_code == 201


class TestResponseWindow:
    async def test_no_response_before_opening_time(
        self,
        client: httpx.AsyncClient,
        make_consultation: Any,
        answers: Answers,
        resident: Callable[..., dict[str, str]],
    ) -> None:
        later = datetime.now(UTC) + timedelta(hours=1)
        c = await make_consultation(
            opens_at=later.isoformat(), closes_at=(later + timedelta(days=1)).isoformat()
        )
        assert not c["accepting_responses"]
        response = await client.post(
            f"{API}/{c['id']}/responses", json={"answers": answers()}, headers=resident()
        )
        assert response.status_code == 409
        assert "opens at" in response.json()["detail"]

    async def test_no_response_to_a_draft_or_after_closing(
        self,
        client: httpx.AsyncClient,
        make_consultation: Any,
        answers: Answers,
        resident: Callable[..., dict[str, str]],
        officer: dict[str, str],
    ) -> None:
        draft = await make_consultation(open_it=False)
        refused = await client.post(
            f"{API}/{draft['id']}/responses", json={"answers": answers()}, headers=resident()
        )
        assert refused.status_code == 409 and "not open yet" in refused.json()["detail"]
        c = await make_consultation()
        await client.post(f"{API}/{c['id']}/close", headers=officer)
        late = await client.post(
            f"{API}/{c['id']}/responses", json={"answers": answers()}, headers=resident()
        )
        assert late.status_code == 409 and "closed" in late.json()["detail"]

    async def test_no_response_once_closing_time_passed(
        self,
        client: httpx.AsyncClient,
        make_consultation: Any,
        answers: Answers,
        resident: Callable[..., dict[str, str]],
    ) -> None:
        c = await make_consultation(
            closes_at=(datetime.now(UTC) + timedelta(seconds=1)).isoformat()
        )
        await asyncio.sleep(1.2)
        late = await client.post(
            f"{API}/{c['id']}/responses", json={"answers": answers()}, headers=resident()
        )
        assert late.status_code == 409

    async def test_unknown_consultation_is_404(
        self,
        client: httpx.AsyncClient,
        answers: Answers,
        resident: Callable[..., dict[str, str]],
    ) -> None:
        response = await client.post(
            f"{API}/{uuid4()}/responses", json={"answers": answers()}, headers=resident()
        )
        assert response.status_code == 404


class TestCodeMode:
    async def test_a_code_answers_once_and_invented_codes_are_refused(
        self,
        client: httpx.AsyncClient,
        make_consultation: Any,
        answers: Answers,
        resident: Callable[..., dict[str, str]],
        officer: dict[str, str],
    ) -> None:
        c = await make_consultation(participation_mode="code")
        made = await client.post(f"{API}/{c['id']}/codes", json={"count": 3}, headers=officer)
        assert made.status_code == 201, made.text
        codes = made.json()["codes"]
        assert len(set(codes)) == 3
        url = f"{API}/{c['id']}/responses"
        first = await client.post(
            url, json={"answers": answers(), "code": codes[0]}, headers=resident("a")
        )
        assert first.status_code == 201
        typed = codes[0].lower().replace("-", " ")
        again = await client.post(
            url, json={"answers": answers(), "code": typed}, headers=resident("b")
        )
        assert again.status_code == 409
        assert again.json()["detail"] == "this participation code has already been used"
        invented = await client.post(
            url, json={"answers": answers(), "code": "AAAA-BBBB-CCCC"}, headers=resident("c")
        )
        assert invented.status_code == 403
        assert "not valid for this consultation" in invented.json()["detail"]
        missing = await client.post(url, json={"answers": answers()}, headers=resident("d"))
        assert missing.status_code == 403
        assert await stored_count(client, c["id"], officer) == 1

    async def test_a_refused_submission_uses_neither_its_code_nor_its_key(
        self,
        client: httpx.AsyncClient,
        make_consultation: Any,
        answers: Answers,
        resident: Callable[..., dict[str, str]],
        officer: dict[str, str],
    ) -> None:
        # The code and the key pass their guards, the window does not: the statement is
        # aborted whole, so both are still free once the consultation opens.
        c = await make_consultation(participation_mode="code", open_it=False)
        made = await client.post(f"{API}/{c['id']}/codes", json={"count": 1}, headers=officer)
        body = {"answers": answers(), "code": made.json()["codes"][0]}
        headers = {**resident(), "Idempotency-Key": "before-opening"}
        url = f"{API}/{c['id']}/responses"
        early = await client.post(url, json=body, headers=headers)
        assert early.status_code == 409, early.text
        opened = await client.post(f"{API}/{c['id']}/open", headers=officer)
        assert opened.status_code == 200, opened.text
        stored = await client.post(url, json=body, headers=headers)
        assert stored.status_code == 201, stored.text
        assert "idempotent-replayed" not in stored.headers
        assert await stored_count(client, c["id"], officer) == 1

    async def test_codes_as_csv_to_print_and_only_for_the_owner(
        self,
        client: httpx.AsyncClient,
        make_consultation: Any,
        answers: Answers,
        officer: dict[str, str],
        other_officer: dict[str, str],
    ) -> None:
        c = await make_consultation(participation_mode="code", open_it=False)
        made = await client.post(
            f"{API}/{c['id']}/codes", params={"format": "csv"}, json={"count": 2}, headers=officer
        )
        assert made.status_code == 201
        assert made.headers["content-type"].startswith("text/csv")
        assert made.headers["cache-control"] == "no-store"
        lines = made.text.strip().splitlines()
        assert lines[0] == "consultation_id,code" and len(lines) == 3
        opened = await make_consultation(participation_mode="code")
        refused = await client.post(
            f"{API}/{opened['id']}/codes", json={"count": 2}, headers=other_officer
        )
        assert refused.status_code == 403
        open_mode = await make_consultation()
        wrong_mode = await client.post(
            f"{API}/{open_mode['id']}/codes", json={"count": 2}, headers=officer
        )
        assert wrong_mode.status_code == 409


class TestIdempotency:
    async def test_a_retry_with_the_same_key_counts_once(
        self,
        client: httpx.AsyncClient,
        make_consultation: Any,
        answers: Answers,
        resident: Callable[..., dict[str, str]],
        officer: dict[str, str],
    ) -> None:
        c = await make_consultation()
        url = f"{API}/{c['id']}/responses"
        headers = {**resident(), "Idempotency-Key": "retry-1"}
        body = {"answers": answers(), "language": "en"}
        first = await client.post(url, json=body, headers=headers)
        replay = await client.post(url, json=body, headers=headers)
        assert first.status_code == replay.status_code == 201
        assert replay.json() == first.json()
        assert replay.headers["idempotent-replayed"] == "true"
        different = await client.post(url, json={"answers": answers(safety=1)}, headers=headers)
        assert different.status_code == 409
        assert (
            "Idempotency-Key was already used with a different body" in different.json()["detail"]
        )
        assert await stored_count(client, c["id"], officer) == 1

    async def test_concurrent_retries_store_one_response(
        self,
        client: httpx.AsyncClient,
        make_consultation: Any,
        answers: Answers,
        resident: Callable[..., dict[str, str]],
        officer: dict[str, str],
    ) -> None:
        c = await make_consultation()
        headers = {**resident(), "Idempotency-Key": "burst"}
        sent = await asyncio.gather(
            *(
                client.post(
                    f"{API}/{c['id']}/responses", json={"answers": answers()}, headers=headers
                )
                for _ in range(8)
            )
        )
        assert {r.status_code for r in sent} == {201}
        assert len({r.json()["id"] for r in sent}) == 1
        assert await stored_count(client, c["id"], officer) == 1

    async def test_a_code_replayed_with_its_key_gets_its_first_result(
        self,
        client: httpx.AsyncClient,
        make_consultation: Any,
        answers: Answers,
        resident: Callable[..., dict[str, str]],
        officer: dict[str, str],
    ) -> None:
        c = await make_consultation(participation_mode="code")
        code = (
            await client.post(f"{API}/{c['id']}/codes", json={"count": 1}, headers=officer)
        ).json()["codes"][0]
        headers = {**resident(), "Idempotency-Key": "k"}
        body = {"answers": answers(), "code": code}
        first = await client.post(f"{API}/{c['id']}/responses", json=body, headers=headers)
        again = await client.post(f"{API}/{c['id']}/responses", json=body, headers=headers)
        assert first.status_code == again.status_code == 201
        assert first.json() == again.json()


async def _open_for_responses(
    client: httpx.AsyncClient, officer: dict[str, str], new_body: Callable[..., dict[str, Any]]
) -> str:
    """Create and open a consultation; the URL its responses are sent to."""
    c = (await client.post(API, json=new_body(), headers=officer)).json()
    await client.post(f"{API}/{c['id']}/open", headers=officer)
    return f"{API}/{c['id']}/responses"


class TestPerClientCap:
    async def test_one_device_is_capped_others_are_not(
        self,
        settings: Settings,
        officer: dict[str, str],
        internal_jwt_secret: str,
        new_body: Callable[..., dict[str, Any]],
        answers: Answers,
    ) -> None:
        capped = settings.model_copy(update={"responses_per_client": 2})
        async with running_app(create_app(capped)) as client:
            url = await _open_for_responses(client, officer, new_body)
            library = anonymous(internal_jwt_secret, client="library-pc")
            statuses = [
                (await client.post(url, json={"answers": answers()}, headers=library)).status_code
                for _ in range(3)
            ]
            assert statuses == [201, 201, 429]
            home = anonymous(internal_jwt_secret, client="home-phone")
            assert (
                await client.post(url, json={"answers": answers()}, headers=home)
            ).status_code == 201

    async def test_a_capped_device_is_told_when_to_come_back(
        self,
        settings: Settings,
        officer: dict[str, str],
        internal_jwt_secret: str,
        new_body: Callable[..., dict[str, Any]],
        answers: Answers,
    ) -> None:
        capped = settings.model_copy(update={"responses_per_client": 1})
        window = capped.responses_per_client_window_seconds
        async with running_app(create_app(capped)) as client:
            url = await _open_for_responses(client, officer, new_body)
            phone = anonymous(internal_jwt_secret, client="phone")
            await client.post(url, json={"answers": answers()}, headers=phone)
            refused = await client.post(url, json={"answers": answers()}, headers=phone)
            assert refused.status_code == 429
            # The next quota window: at most one window away.
            assert 0 < int(refused.headers["retry-after"]) <= window
