"""Reporting exercises: opening alerts the invited, local input with versions, coverage, annex."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from localrights.consumer import EVENTS_CONSUMED
from localrights.events import CONSULTATION_EVENTS, EXERCISE_EVENTS, INSTITUTION_EVENTS, new_event
from localrights.events.catalog.consultation import ConsultationResultsPublished
from localrights.events.catalog.institutions import InstitutionRegistered
from localrights.testing.helpers import eventually, read_topic

from .conftest import SAMPLES, Actors, upload

MONTEVIDEO = uuid4()
CANELONES = uuid4()
SALTO = uuid4()  # invited by name, never answers
RIVERA = uuid4()  # not invited


@pytest.fixture
async def uruguay(client: httpx.AsyncClient, actors: Actors) -> list[dict[str, Any]]:
    """Uruguay's recommendations (CEDAW, CRC, CERD, CRPD) from the UHRI samples."""
    await upload(client, actors.ministry, (SAMPLES / "uhri_sample.csv").read_bytes())
    await upload(
        client,
        actors.ministry,
        (SAMPLES / "uhri_sample.json").read_bytes(),
        content_type="application/json",
    )
    page = (await client.get("/api/v1/recommendations", params={"country": "UY"})).json()
    assert page["total"] == 3
    items: list[dict[str, Any]] = page["items"]
    return items


async def _create(
    client: httpx.AsyncClient, actors: Actors, recommendations: list[dict[str, Any]], **extra: Any
) -> dict[str, Any]:
    body = {
        "report_type": "treaty_body_report",
        "country": "UY",
        "mechanism": "CERD",
        "title": "Local input for the periodic report",
        "deadline": "2026-05-31",
        "recommendation_ids": [r["id"] for r in recommendations],
        "invited_institution_ids": [str(SALTO)],
        "invited_jurisdictions": ["UY-MO", "UY-CA"],
        **extra,
    }
    response = await client.post("/api/v1/exercises", json=body, headers=actors.ministry)
    assert response.status_code == 201, response.text
    exercise: dict[str, Any] = response.json()
    return exercise


async def _open(client: httpx.AsyncClient, actors: Actors, exercise: dict[str, Any]) -> None:
    response = await client.post(
        f"/api/v1/exercises/{exercise['id']}/open", headers=actors.ministry
    )
    assert response.status_code == 200, response.text


async def _submit(
    client: httpx.AsyncClient,
    actors: Actors,
    exercise: dict[str, Any],
    institution: UUID,
    jurisdiction: str,
    **body: Any,
) -> httpx.Response:
    return await client.post(
        f"/api/v1/exercises/{exercise['id']}/inputs",
        json=body,
        headers=actors.institution(institution, jurisdiction),
    )


def _consumed(outcome: str) -> float:
    """Results-published events this process's recommendations consumers met, by outcome."""
    return EVENTS_CONSUMED.labels(
        "recommendations", "consultation.results_published", outcome
    )._value.get()


async def _publish(bootstrap: str, topic: str, *envelopes_bytes: bytes) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for value in envelopes_bytes:
            await producer.send_and_wait(topic, value=value, key=b"k")
    finally:
        await producer.stop()


class TestCreateAndOpen:
    async def test_opening_emits_exercise_opened_with_the_invited(
        self,
        client: httpx.AsyncClient,
        actors: Actors,
        uruguay: list[dict[str, Any]],
        kafka_bootstrap_servers: str,
        topic_prefix: str,
    ) -> None:
        exercise = await _create(client, actors, uruguay)
        assert (exercise["status"], exercise["recommendation_count"]) == ("draft", 3)
        await _open(client, actors, exercise)

        events = await read_topic(
            kafka_bootstrap_servers,
            topic_prefix + EXERCISE_EVENTS,
            until=lambda seen: any(e.type == "exercise.opened" for e in seen),
        )
        [opened] = [e for e in events if e.type == "exercise.opened"]
        assert opened.subject == exercise["id"]
        assert opened.data["invited_institution_ids"] == [str(SALTO)]
        assert opened.data["invited_jurisdictions"] == ["UY-MO", "UY-CA"]
        assert opened.data["ministry_institution_id"] == str(actors.ministry_id)
        assert (opened.data["recommendation_count"], opened.data["deadline"]) == (3, "2026-05-31")
        again = await client.post(
            f"/api/v1/exercises/{exercise['id']}/open", headers=actors.ministry
        )
        assert again.status_code == 409

    async def test_selection_by_filter_stays_within_the_country(
        self, client: httpx.AsyncClient, actors: Actors, uruguay: list[dict[str, Any]]
    ) -> None:
        exercise = await _create(
            client, actors, [], recommendation_ids=[], filter={"mechanism_type": "treaty_body"}
        )
        assert exercise["recommendation_count"] == 3
        italian = (await client.get("/api/v1/recommendations", params={"country": "IT"})).json()
        foreign = await client.post(
            "/api/v1/exercises",
            json={
                "report_type": "vlr",
                "country": "UY",
                "title": "Wrong country",
                "deadline": "2026-05-31",
                "recommendation_ids": [italian["items"][0]["id"]],
                "invited_jurisdictions": ["UY-MO"],
            },
            headers=actors.ministry,
        )
        assert foreign.status_code == 422

    async def test_only_the_ministry_that_runs_it_opens_it(
        self, client: httpx.AsyncClient, actors: Actors, uruguay: list[dict[str, Any]]
    ) -> None:
        exercise = await _create(client, actors, uruguay)
        url = f"/api/v1/exercises/{exercise['id']}/open"
        assert (await client.post(url, headers=actors.other_ministry())).status_code == 403
        local = actors.institution(MONTEVIDEO, "UY-MO")
        assert (await client.post(url, headers=local)).status_code == 403
        draft_view = await client.get(f"/api/v1/exercises/{exercise['id']}", headers=local)
        assert draft_view.status_code == 403  # invited, but drafts are the ministry's
        await _open(client, actors, exercise)
        listed = (await client.get("/api/v1/exercises", headers=local)).json()
        assert [e["id"] for e in listed] == [exercise["id"]]
        outsider = await client.get(
            "/api/v1/exercises", headers=actors.institution(RIVERA, "UY-RV")
        )
        assert outsider.json() == []

    async def test_callers_without_the_role_cannot_probe_exercise_ids(
        self, client: httpx.AsyncClient, actors: Actors, uruguay: list[dict[str, Any]]
    ) -> None:
        real = (await _create(client, actors, uruguay))["id"]
        local = actors.institution(MONTEVIDEO, "UY-MO")
        for exercise_id in (real, str(uuid4())):
            base = f"/api/v1/exercises/{exercise_id}"
            # The same answer whether the id exists or not: the role is checked first.
            assert (await client.get(base)).status_code == 401
            assert (await client.get(f"{base}/inputs")).status_code == 401
            assert (await client.get(f"{base}/coverage", headers=local)).status_code == 403
            assert (await client.post(f"{base}/open", headers=local)).status_code == 403
            assert (await client.post(f"{base}/inputs", json={})).status_code == 401


class TestLocalInput:
    async def test_an_uninvited_institution_is_refused(
        self, client: httpx.AsyncClient, actors: Actors, uruguay: list[dict[str, Any]]
    ) -> None:
        exercise = await _create(client, actors, uruguay)
        await _open(client, actors, exercise)

        response = await _submit(
            client,
            actors,
            exercise,
            RIVERA,
            "UY-RV",
            recommendation_id=uruguay[0]["id"],
            status="implemented",
        )
        assert response.status_code == 403
        assert "not invited" in response.json()["detail"]

    async def test_input_after_close_is_refused(
        self, client: httpx.AsyncClient, actors: Actors, uruguay: list[dict[str, Any]]
    ) -> None:
        exercise = await _create(client, actors, uruguay)
        before_open = await _submit(
            client,
            actors,
            exercise,
            MONTEVIDEO,
            "UY-MO",
            recommendation_id=uruguay[0]["id"],
            status="in_progress",
        )
        assert before_open.status_code == 409
        await _open(client, actors, exercise)
        ok = await _submit(
            client,
            actors,
            exercise,
            MONTEVIDEO,
            "UY-MO",
            recommendation_id=uruguay[0]["id"],
            status="in_progress",
        )
        assert ok.status_code == 201, ok.text
        closed = await client.post(
            f"/api/v1/exercises/{exercise['id']}/close", headers=actors.ministry
        )
        assert closed.json()["status"] == "closed"

        late = await _submit(
            client,
            actors,
            exercise,
            MONTEVIDEO,
            "UY-MO",
            recommendation_id=uruguay[0]["id"],
            status="implemented",
        )
        assert late.status_code == 409
        assert "closed" in late.json()["detail"]

    async def test_every_version_is_kept(
        self,
        client: httpx.AsyncClient,
        actors: Actors,
        uruguay: list[dict[str, Any]],
        kafka_bootstrap_servers: str,
        topic_prefix: str,
    ) -> None:
        exercise = await _create(client, actors, uruguay)
        await _open(client, actors, exercise)
        rec = uruguay[0]["id"]
        first = await _submit(
            client,
            actors,
            exercise,
            CANELONES,
            "UY-CA",
            recommendation_id=rec,
            status="in_progress",
            measures_taken="Draft protocol",
        )
        second = await _submit(
            client,
            actors,
            exercise,
            CANELONES,
            "UY-CA",
            recommendation_id=rec,
            status="implemented",
            measures_taken="Protocol adopted by decree 12/2026",
            evidence_links=["https://www.imcanelones.gub.uy/decreto-12-2026"],
        )
        assert (first.status_code, second.status_code) == (201, 200)
        assert second.json()["id"] == first.json()["id"]
        assert second.json()["version"] == 2

        versions = await client.get(
            f"/api/v1/exercises/{exercise['id']}/inputs/{first.json()['id']}/versions",
            headers=actors.ministry,
        )
        assert [(v["version"], v["content"]["status"]) for v in versions.json()] == [
            (1, "in_progress"),
            (2, "implemented"),
        ]
        assert versions.json()[0]["content"]["measures_taken"] == "Draft protocol"
        others = await client.get(
            f"/api/v1/exercises/{exercise['id']}/inputs/{first.json()['id']}/versions",
            headers=actors.institution(MONTEVIDEO, "UY-MO"),
        )
        assert others.status_code == 404  # another institution's input is not visible
        events = await read_topic(
            kafka_bootstrap_servers,
            topic_prefix + EXERCISE_EVENTS,
            until=lambda seen: sum(e.type == "exercise.input_submitted" for e in seen) == 2,
        )
        submitted = [e.data for e in events if e.type == "exercise.input_submitted"]
        assert [(e["version"], e["status"]) for e in submitted] == [
            (1, "in_progress"),
            (2, "implemented"),
        ]
        assert submitted[0]["institution_id"] == str(CANELONES)

    async def test_a_recommendation_outside_the_exercise_is_refused(
        self, client: httpx.AsyncClient, actors: Actors, uruguay: list[dict[str, Any]]
    ) -> None:
        exercise = await _create(client, actors, uruguay[:1])
        await _open(client, actors, exercise)
        response = await _submit(
            client,
            actors,
            exercise,
            MONTEVIDEO,
            "UY-MO",
            recommendation_id=uruguay[1]["id"],
            status="implemented",
        )
        assert response.status_code == 422


class TestConsultationResults:
    async def test_results_published_twice_are_attached_once(
        self,
        client: httpx.AsyncClient,
        actors: Actors,
        uruguay: list[dict[str, Any]],
        kafka_bootstrap_servers: str,
        topic_prefix: str,
    ) -> None:
        exercise = await _create(client, actors, uruguay)
        await _open(client, actors, exercise)
        consultation = uuid4()
        before = await _submit(
            client,
            actors,
            exercise,
            MONTEVIDEO,
            "UY-MO",
            recommendation_id=uruguay[0]["id"],
            status="in_progress",
            consultation_id=str(consultation),
        )
        assert before.json()["consultation_results"] is None
        summary = [{"question_id": "q1", "type": "rating", "responses": 212, "mean": 3.4}]
        envelope = new_event(
            ConsultationResultsPublished(
                consultation_id=consultation,
                institution_id=MONTEVIDEO,
                country="UY",
                jurisdiction="UY-MO",
                title={"es": "Vivienda en Montevideo", "en": "Housing in Montevideo"},
                published_at=datetime(2026, 4, 5, 9, 0, tzinfo=UTC),
                response_count=212,
                suppression_threshold=5,
                summary=summary,
            ),
            source="/consultation",
        )
        applied_before, duplicates_before = _consumed("applied"), _consumed("duplicate")
        await _publish(
            kafka_bootstrap_servers,
            topic_prefix + CONSULTATION_EVENTS,
            envelope.to_json_bytes(),
            envelope.to_json_bytes(),
        )
        url = f"/api/v1/exercises/{exercise['id']}/inputs"

        async def attached() -> None:
            items = (await client.get(url, headers=actors.ministry)).json()
            assert items[0]["consultation_results"] is not None

        await eventually(attached)

        async def both_seen() -> None:
            # The duplicate was recognised, not applied (this consumer applies other topics'
            # events too, so count this type's outcomes).
            assert _consumed("applied") - applied_before == 1
            assert _consumed("duplicate") - duplicates_before == 1

        await eventually(both_seen)
        [item] = (await client.get(url, headers=actors.ministry)).json()
        results = item["consultation_results"]
        assert (results["response_count"], results["summary"]) == (212, summary)
        # An input written after publication, naming the consultation, gets it too.
        later = await _submit(
            client,
            actors,
            exercise,
            MONTEVIDEO,
            "UY-MO",
            recommendation_id=uruguay[1]["id"],
            status="implemented",
            consultation_id=str(consultation),
        )
        assert later.json()["consultation_results"]["response_count"] == 212


class TestCoverageAndCompilation:
    @pytest.fixture
    async def realistic(
        self,
        client: httpx.AsyncClient,
        actors: Actors,
        uruguay: list[dict[str, Any]],
        kafka_bootstrap_servers: str,
        topic_prefix: str,
    ) -> dict[str, Any]:
        """Montevideo answers all three, Canelones one, Salto (invited by id) none."""
        registrations = [
            new_event(
                InstitutionRegistered(
                    institution_id=institution,
                    name=name,
                    kind="municipality",
                    country="UY",
                    jurisdiction=jurisdiction,
                    changed_at=datetime(2026, 1, 1, tzinfo=UTC),
                ),
                source="/gateway",
            ).to_json_bytes()
            for institution, name, jurisdiction in (
                (MONTEVIDEO, "Intendencia de Montevideo", "UY-MO"),
                (CANELONES, "Intendencia de Canelones", "UY-CA"),
                (SALTO, "Intendencia de Salto", "UY-SA"),
            )
        ]
        await _publish(kafka_bootstrap_servers, topic_prefix + INSTITUTION_EVENTS, *registrations)
        exercise = await _create(client, actors, uruguay)
        await _open(client, actors, exercise)
        cedaw, crc, cerd = (
            next(r for r in uruguay if r["mechanism"] == m) for m in ("CEDAW", "CRC", "CERD")
        )
        for rec, status in ((cedaw, "implemented"), (crc, "in_progress"), (cerd, "not_started")):
            response = await _submit(
                client,
                actors,
                exercise,
                MONTEVIDEO,
                "UY-MO",
                recommendation_id=rec["id"],
                status=status,
                measures_taken=f"=cmd|' /C calc'!A0 measures for {rec['mechanism']}",
                good_practice="<script>alert(1)</script> Afro-descendant women's legal clinic",
                indicators=[
                    {
                        "name": "Women assisted by the legal clinic",
                        "value": 340,
                        "unit": "persons",
                        "period": "2025",
                        "disaggregation": [
                            {"group": "Afro-descendant", "dimension": "ethnicity", "value": 120}
                        ],
                    }
                ],
            )
            assert response.status_code == 201, response.text
        response = await _submit(
            client,
            actors,
            exercise,
            CANELONES,
            "UY-CA",
            recommendation_id=crc["id"],
            status="implemented",
            challenges="Budget cuts in 2025",
        )
        assert response.status_code == 201

        async def projected() -> None:
            cov = (
                await client.get(
                    f"/api/v1/exercises/{exercise['id']}/coverage", headers=actors.ministry
                )
            ).json()
            assert {i["name"] for i in cov["institutions"]} == {
                "Intendencia de Montevideo",
                "Intendencia de Canelones",
                "Intendencia de Salto",
            }

        await eventually(projected)
        return {"exercise": exercise, "cedaw": cedaw, "crc": crc, "cerd": cerd}

    async def test_coverage_says_who_answered_what_and_what_is_missing(
        self, client: httpx.AsyncClient, actors: Actors, realistic: dict[str, Any]
    ) -> None:
        exercise = realistic["exercise"]
        response = await client.get(
            f"/api/v1/exercises/{exercise['id']}/coverage", headers=actors.ministry
        )
        cov = response.json()
        assert cov["figures"] == {
            "recommendations": 3,
            "institutions_invited": 3,
            "institutions_answered": 2,
            "institution_response_rate": 0.6667,
            "recommendations_with_input": 3,
            "recommendation_coverage": 1.0,
            "inputs": 4,
            "inputs_expected": 9,
            "input_completeness": 0.4444,
            "by_status": {
                "implemented": 2,
                "partially_implemented": 0,
                "in_progress": 1,
                "not_started": 1,
                "not_applicable": 0,
            },
        }
        by_name = {i["name"]: i for i in cov["institutions"]}
        assert by_name["Intendencia de Canelones"]["answered_recommendation_ids"] == [
            realistic["crc"]["id"]
        ]
        assert by_name["Intendencia de Canelones"]["invited_by"] == "jurisdiction"
        assert by_name["Intendencia de Salto"]["invited_by"] == "institution"
        assert by_name["Intendencia de Salto"]["answered"] == 0
        assert cov["missing"]["institutions_without_input"] == [str(SALTO)]
        assert cov["missing"]["jurisdictions_without_input"] == []
        crc_row = next(
            r for r in cov["recommendations"] if r["recommendation_id"] == realistic["crc"]["id"]
        )
        assert (crc_row["inputs"], crc_row["jurisdictions"]) == (2, ["UY-CA", "UY-MO"])
        local = await client.get(
            f"/api/v1/exercises/{exercise['id']}/coverage",
            headers=actors.institution(MONTEVIDEO, "UY-MO"),
        )
        assert local.status_code == 403
        other = await client.get(
            f"/api/v1/exercises/{exercise['id']}/coverage", headers=actors.other_ministry()
        )
        assert other.status_code == 403

    async def test_compilation_in_every_format(
        self, client: httpx.AsyncClient, actors: Actors, realistic: dict[str, Any]
    ) -> None:
        url = f"/api/v1/exercises/{realistic['exercise']['id']}/compilation"

        annex = (await client.get(url, headers=actors.ministry)).json()
        crc = next(s for s in annex["recommendations"] if s["recommendation"]["mechanism"] == "CRC")
        assert [g["jurisdiction"] for g in crc["jurisdictions"]] == ["UY-CA", "UY-MO"]
        assert crc["jurisdictions"][0]["inputs"][0]["institution_name"] == (
            "Intendencia de Canelones"
        )
        assert crc["by_status"]["implemented"] == 1 and crc["by_status"]["in_progress"] == 1
        assert annex["figures"]["institutions_answered"] == 2

        as_csv = await client.get(url, params={"format": "csv"}, headers=actors.ministry)
        assert as_csv.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(as_csv.text)))
        assert len(rows) == 4
        assert all(r["measures_taken"].startswith("'=") for r in rows if r["measures_taken"])
        assert {r["institution"] for r in rows} == {
            "Intendencia de Montevideo",
            "Intendencia de Canelones",
        }
        montevideo_cedaw = next(
            r
            for r in rows
            if r["institution"] == "Intendencia de Montevideo"
            and r["document_symbol"] == "CEDAW/C/URY/CO/10"
        )
        assert montevideo_cedaw["status"] == "Implemented"
        assert montevideo_cedaw["indicators"] == (
            "Women assisted by the legal clinic: 340 persons (2025; Afro-descendant 120)"
        )

        markdown = (await client.get(url, params={"format": "md"}, headers=actors.ministry)).text
        assert "## CRC CRC/C/URY/CO/6-7 31" in markdown
        assert "### Canelones" in markdown and "### UY-CA" not in markdown
        assert "\\<script\\>" in markdown and "<script>" not in markdown
        annex_md = markdown.split("## Annex: local good practices", 1)[1]
        assert "**Intendencia de Montevideo** (Montevideo)" in annex_md
        assert "legal clinic" in annex_md

        html = await client.get(url, params={"format": "html"}, headers=actors.ministry)
        assert html.headers["content-type"].startswith("text/html")
        assert "<script>alert" not in html.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html.text
        assert "@media print" in html.text
        assert html.text.count("<h3>Montevideo</h3>") == 3
        assert "Intendencia de Canelones" in html.text and "Budget cuts in 2025" in html.text
        practices = html.text.split('<h2 id="good-practices">Annex: local good practices</h2>')[1]
        assert "<td>Montevideo</td><td>Intendencia de Montevideo</td>" in practices
        assert "Afro-descendant women&#39;s legal clinic" in practices

        forbidden = await client.get(url, headers=actors.institution(MONTEVIDEO, "UY-MO"))
        assert forbidden.status_code == 403
        bad_format = await client.get(url, params={"format": "pdf"}, headers=actors.ministry)
        assert bad_format.status_code == 422

    async def test_closing_reports_who_answered(
        self,
        client: httpx.AsyncClient,
        actors: Actors,
        realistic: dict[str, Any],
        kafka_bootstrap_servers: str,
        topic_prefix: str,
    ) -> None:
        exercise = realistic["exercise"]
        await client.post(f"/api/v1/exercises/{exercise['id']}/close", headers=actors.ministry)
        events = await read_topic(
            kafka_bootstrap_servers,
            topic_prefix + EXERCISE_EVENTS,
            until=lambda seen: any(e.type == "exercise.closed" for e in seen),
        )
        [closed] = [e.data for e in events if e.type == "exercise.closed"]
        assert (closed["institutions_invited"], closed["institutions_answered"]) == (3, 2)
