"""Field scenarios of local input to national reports (issue 6: Canelones, Italy, Wonosobo).

Each test is one situation that cities, commissions and ministries reported to the Human
Rights Council, played end to end through the gateway only: a ministry imports a real-shaped
UHRI export, opens a reporting exercise, local institutions answer, and the ministry reads
coverage and the compiled annex. Alerts arrive by signed webhook (verified with the
standardwebhooks library, counted by webhook-id) and in the in-app inbox.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from .platform_client import (
    Actor,
    Platform,
    eventually,
    import_recommendations,
    recommendations_of,
    submit_responses,
)
from .webhook_sink import Delivery, WebhookSink

DATA = Path(__file__).resolve().parent.parent / "data"


async def ministry_of(platform: Platform, *, name: str, country: str) -> Actor:
    return await platform.institution_with_officer(
        name=name,
        kind="ministry",
        country=country,
        jurisdiction=country,
        roles=("ministry_officer", "alert_publisher"),
    )


async def open_exercise(ministry: Actor, **fields: Any) -> dict[str, Any]:
    """Create a reporting exercise and open it (the invited institutions are alerted)."""
    exercise = await ministry.call("POST", "/api/v1/exercises", json=fields, expect=201)
    opened = await ministry.call("POST", f"/api/v1/exercises/{exercise['id']}/open", expect=200)
    assert opened["status"] == "open"
    return dict(opened)


async def test_canelones_uruguay_cerd_review_reaches_division_and_compilation(
    platform: Platform, webhook_sink: WebhookSink
) -> None:
    division = await platform.institution_with_officer(
        name="División de Derechos Humanos, Intendencia de Canelones",
        kind="regional_government",
        country="UY",
        jurisdiction="UY-CA",
    )
    cerd_uy = {"countries": ["UY"], "mechanisms": ["CERD"], "kinds": ["treaty_body_review"]}
    hook = await division.call(
        "POST",
        "/api/v1/subscriptions",
        json={**cerd_uy, "channel": "webhook", "url": webhook_sink.url("canelones")},
        expect=201,
    )
    assert hook["secret"].startswith("whsec_")
    webhook_sink.expect("canelones", hook["secret"])
    await division.call("POST", "/api/v1/subscriptions", json={**cerd_uy, "channel": "inbox"})

    ministry = await ministry_of(
        platform, name="Ministerio de Relaciones Exteriores del Uruguay", country="UY"
    )
    alert = await ministry.call(
        "POST",
        "/api/v1/alerts",
        json={
            "kind": "treaty_body_review",
            "stage": "dialogue",
            "country": "UY",
            "mechanism": "CERD",
            "title": {
                "en": "CERD reviews Uruguay (combined 26th-27th reports)",
                "es": "El CERD examina a Uruguay (informes 26º y 27º combinados)",
            },
            "starts_on": "2027-04-20",
            "ends_on": "2027-04-21",
            "themes": ["racial-discrimination"],
            "how_to_take_part": {"en": "Send local data on people of African descent."},
            "source_url": "https://www.ohchr.org/en/treaty-bodies/cerd",
        },
        expect=201,
    )

    async def delivered() -> list[Delivery]:
        deliveries = webhook_sink.deliveries("canelones")
        assert len(deliveries) == 1, deliveries
        return deliveries

    (delivery,) = await eventually(delivered, timeout=60)
    assert delivery.type == "alert.published"
    assert delivery.data["alert_id"] == alert["id"]
    assert (delivery.data["country"], delivery.data["mechanism"]) == ("UY", "CERD")
    assert webhook_sink.rejected == []

    async def in_inbox() -> dict[str, Any]:
        page = await division.call("GET", "/api/v1/inbox")
        items = [i for i in page["items"] if i["alert_id"] == alert["id"]]
        assert len(items) == 1, page
        return dict(items[0])

    item = await eventually(in_inbox)
    assert item["kind"] == "treaty_body_review"
    assert item["title"]["es"].startswith("El CERD examina a Uruguay")

    report = await import_recommendations(ministry, DATA / "uhri_uruguay_cerd.csv")
    assert report["rejected"] == 0 and report["rows"] == 3, report
    recs = await recommendations_of(
        ministry, document_symbol="CERD/C/URY/CO/24-25", country="UY", mechanism="CERD"
    )
    assert set(recs) == {"11", "19", "23"}, recs
    exercise = await open_exercise(
        ministry,
        report_type="treaty_body_report",
        country="UY",
        mechanism="CERD",
        title="Uruguay: 26th-27th periodic report to CERD, local input",
        deadline=(date.today() + timedelta(days=60)).isoformat(),
        recommendation_ids=[r["id"] for r in recs.values()],
        invited_institution_ids=[division.institution_id],
    )

    async def invited() -> dict[str, Any]:
        page = await division.call("GET", "/api/v1/inbox", params={"limit": 200})
        items = [i for i in page["items"] if i["facts"].get("exercise_id") == exercise["id"]]
        assert len(items) == 1, page
        return dict(items[0])

    invitation = await eventually(invited)  # the division learns of the exercise by itself
    assert invitation["kind"] == "input_requested"
    assert invitation["facts"]["deadline"] == exercise["deadline"]

    indicator = {
        "name": "Afro-descendant staff of the departmental government",
        "value": 7.5,
        "unit": "%",
        "period": "2025",
        "disaggregation": [
            {"group": "Afro-descendant women", "dimension": "sex", "value": 4.25},
            {"group": "Afro-descendant men", "dimension": "sex", "value": 3.25},
        ],
    }
    submitted = await division.call(
        "POST",
        f"/api/v1/exercises/{exercise['id']}/inputs",
        json={
            "recommendation_id": recs["11"]["id"],
            "status": "in_progress",
            "measures_taken": "Ethnic-racial self-identification added to the 2025 staff census.",
            "indicators": [indicator],
        },
        expect=201,
    )
    assert submitted["jurisdiction"] == "UY-CA"

    annex = await ministry.call(
        "GET", f"/api/v1/exercises/{exercise['id']}/compilation", params={"format": "json"}
    )
    section = next(
        s for s in annex["recommendations"] if s["recommendation"]["id"] == recs["11"]["id"]
    )
    (group,) = section["jurisdictions"]
    assert group["jurisdiction"] == "UY-CA"
    (entry,) = group["inputs"]
    assert entry["institution_id"] == division.institution_id
    (compiled,) = entry["indicators"]
    assert compiled["disaggregation"] == [
        {"group": "Afro-descendant women", "dimension": "sex", "value": 4.25},
        {"group": "Afro-descendant men", "dimension": "sex", "value": 3.25},
    ]
    assert annex["figures"]["institutions_answered"] == 1
    html = await ministry.call(
        "GET", f"/api/v1/exercises/{exercise['id']}/compilation", params={"format": "html"}
    )
    assert (
        "Afro-descendant staff of the departmental government: 7.5 %"
        " (2025; Afro-descendant women 4.25; Afro-descendant men 3.25)"
    ) in html


ITALIAN_CITIES = (
    ("Comune di Roma", "IT-RM"),
    ("Comune di Bologna", "IT-BO"),
    ("Comune di Torino", "IT-TO"),
)


async def test_italy_upr_midterm_report_with_three_municipalities_and_good_practices_annex(
    platform: Platform,
) -> None:
    ministry = await ministry_of(
        platform, name="Comitato interministeriale per i diritti umani (CIDU)", country="IT"
    )
    report = await import_recommendations(ministry, DATA / "uhri_italy_upr.csv")
    assert report["rows"] == 6 and report["rejected"] == 0, report
    assert report["countries"] == ["IT"] and report["mechanisms"] == ["UPR"]
    recs = await recommendations_of(ministry, document_symbol="A/HRC/43/4", country="IT")
    # The same document may hold paragraphs other imports brought (a re-import updates them).
    assert {"148.12", "148.41", "148.75", "148.98", "148.120", "148.160"} <= set(recs)

    cities = [
        await platform.institution_with_officer(
            name=name, kind="municipality", country="IT", jurisdiction=code
        )
        for name, code in ITALIAN_CITIES
    ]
    local = ["148.41", "148.98", "148.160"]
    for paragraph in local:
        updated = await ministry.call(
            "PATCH",
            f"/api/v1/recommendations/{recs[paragraph]['id']}",
            json={"owner_level": "local", "jurisdictions": [code for _, code in ITALIAN_CITIES]},
            expect=200,
        )
        assert updated["owner_level"] == "local"
    found = await recommendations_of(
        platform.anonymous(),
        document_symbol="A/HRC/43/4",
        country="IT",
        owner_level="local",
        jurisdiction="IT-BO",
    )
    assert sorted(found) == sorted(local)

    exercise = await open_exercise(
        ministry,
        report_type="upr_midterm_report",
        country="IT",
        mechanism="UPR",
        title="Italy: UPR mid-term report (4th cycle), local implementation",
        deadline=(date.today() + timedelta(days=45)).isoformat(),
        recommendation_ids=[recs[p]["id"] for p in local],
        invited_institution_ids=[c.institution_id for c in cities],
    )
    practices = {
        cities[0].institution_id: (
            "148.41",
            "Roma Capitale trained 1,200 municipal police officers on hate-crime reporting.",
        ),
        cities[1].institution_id: (
            "148.98",
            "Bologna replaced two Roma camps with micro-areas of social housing.",
        ),
    }
    for city in cities[:2]:
        paragraph, practice = practices[str(city.institution_id)]
        await city.call(
            "POST",
            f"/api/v1/exercises/{exercise['id']}/inputs",
            json={
                "recommendation_id": recs[paragraph]["id"],
                "status": "implemented",
                "good_practice": practice,
                "evidence_links": ["https://www.comune.example.it/diritti-umani"],
            },
            expect=201,
        )

    async def coverage_known() -> dict[str, Any]:
        # Names come from the recommendations service's projection of institution events.
        coverage = await ministry.call("GET", f"/api/v1/exercises/{exercise['id']}/coverage")
        assert all(i["name"] for i in coverage["institutions"]), coverage["institutions"]
        return dict(coverage)

    coverage = await eventually(coverage_known)
    assert coverage["missing"]["institutions_without_input"] == [cities[2].institution_id]
    figures = coverage["figures"]
    assert (figures["institutions_invited"], figures["institutions_answered"]) == (3, 2)
    assert figures["recommendations_with_input"] == 2
    assert coverage["missing"]["recommendations_without_input"] == [recs["148.160"]["id"]]
    torino = next(
        i for i in coverage["institutions"] if i["institution_id"] == cities[2].institution_id
    )
    assert (torino["name"], torino["answered"]) == ("Comune di Torino", 0)

    html = await ministry.call(
        "GET", f"/api/v1/exercises/{exercise['id']}/compilation", params={"format": "html"}
    )
    assert html.startswith("<!doctype html>")
    for paragraph, practice in practices.values():
        assert f"<dt>Good practice</dt><dd>{practice}</dd>" in html
        assert f"para. {paragraph}" in html
    assert "Comune di Roma" in html and "Comune di Bologna" in html
    annex = html.split('<h2 id="good-practices">Annex: local good practices</h2>', 1)[1]
    for paragraph, practice in practices.values():
        assert f"para. {paragraph}</td><td>{practice}</td>" in annex
    # No input, so no entry in the annex (the follow-up tables may list any Torino's status).
    assert "<strong>Comune di Torino</strong>" not in html
    assert "No local input." in html  # 148.160: nobody answered it


def wonosobo_consultation(exercise_id: str, recommendation_id: str) -> dict[str, Any]:
    now = datetime.now(UTC)

    def text(en: str, id_: str) -> dict[str, str]:
        return {"en": en, "id": id_}

    def options(*pairs: tuple[str, str, str]) -> list[dict[str, Any]]:
        return [{"id": i, "label": text(en, id_)} for i, en, id_ in pairs]

    return {
        "title": text("Housing and participation in Wonosobo", "Perumahan dan partisipasi"),
        "jurisdiction": "ID-JT",
        "municipality": "Kabupaten Wonosobo",
        "opens_at": (now - timedelta(minutes=1)).isoformat(),
        "closes_at": (now + timedelta(days=30)).isoformat(),
        "sdg_targets": ["11.1", "16.7"],
        "recommendation_ids": [recommendation_id],
        "exercise_id": exercise_id,
        "questions": [
            {
                "id": "housing",
                "type": "single_choice",
                "required": True,
                "title": text("Is your housing adequate?", "Apakah rumah Anda layak?"),
                "options": options(("yes", "Yes", "Ya"), ("no", "No", "Tidak")),
            },
            {
                "id": "heard",
                "type": "rating",
                "title": text("Are you heard in village planning?", "Apakah Anda didengar?"),
                "min": 1,
                "max": 5,
            },
            {
                "id": "age",
                "type": "single_choice",
                "demographic": True,
                "title": text("Age band", "Kelompok umur"),
                "options": options(
                    ("a15_24", "15-24", "15-24"),
                    ("a25_44", "25-44", "25-44"),
                    ("a45_64", "45-64", "45-64"),
                    ("a65", "65 and over", "65 ke atas"),
                ),
            },
            {
                "id": "gender",
                "type": "single_choice",
                "demographic": True,
                "title": text("Gender", "Jenis kelamin"),
                "options": options(("f", "Woman", "Perempuan"), ("m", "Man", "Laki-laki")),
            },
        ],
    }


def wonosobo_answers(n: int) -> dict[str, Any]:
    """Resident ``n`` of 200: 60 aged 15-24, 80 aged 25-44, 57 aged 45-64, 3 over 65."""
    age = "a15_24" if n < 60 else "a25_44" if n < 140 else "a45_64" if n < 197 else "a65"
    return {
        "language": "id" if n % 3 else "en",
        "answers": {
            "housing": "no" if n % 4 == 0 else "yes",
            "heard": 1 + n % 5,
            "age": age,
            "gender": "f" if n % 2 else "m",
        },
    }


async def test_wonosobo_sdg_consultation_summary_attached_to_district_input(
    platform: Platform,
) -> None:
    ministry = await ministry_of(
        platform, name="Kementerian Hak Asasi Manusia Republik Indonesia", country="ID"
    )
    report = await import_recommendations(ministry, DATA / "uhri_indonesia_upr.csv")
    assert report["rows"] == 2 and report["rejected"] == 0, report
    recs = await recommendations_of(ministry, document_symbol="A/HRC/52/8", country="ID")
    assert recs["119.88"]["sdg_targets"] == ["11.1"]
    assert recs["119.132"]["sdg_targets"] == ["16.7"]
    district = await platform.institution_with_officer(
        name="Pemerintah Kabupaten Wonosobo",
        kind="municipality",
        country="ID",
        jurisdiction="ID-JT",
        municipality="Kabupaten Wonosobo",
    )
    exercise = await open_exercise(
        ministry,
        report_type="vlr",
        country="ID",
        title="Wonosobo voluntary local review: SDG 11 and 16",
        deadline=(date.today() + timedelta(days=90)).isoformat(),
        recommendation_ids=[recs["119.88"]["id"], recs["119.132"]["id"]],
        invited_institution_ids=[district.institution_id],
    )
    linked = recs["119.132"]["id"]
    consultation = await district.call(
        "POST",
        "/api/v1/consultations",
        json=wonosobo_consultation(exercise["id"], linked),
        expect=201,
    )
    assert consultation["sdg_targets"] == ["11.1", "16.7"]
    assert consultation["languages"] == ["en", "id"]
    cid = consultation["id"]
    await district.call("POST", f"/api/v1/consultations/{cid}/open", expect=200)
    # The district names the consultation in its input before anyone has answered.
    await district.call(
        "POST",
        f"/api/v1/exercises/{exercise['id']}/inputs",
        json={
            "recommendation_id": linked,
            "status": "in_progress",
            "measures_taken": "Village deliberation forums (musrenbang) open to every resident.",
            "consultation_id": cid,
        },
        expect=201,
    )

    responses = await submit_responses(platform, cid, [wonosobo_answers(n) for n in range(200)])
    assert [r.status_code for r in responses] == [201] * 200, {
        r.status_code: r.text for r in responses if r.status_code != 201
    }
    anonymous = platform.anonymous()
    unpublished = await anonymous.get(f"/api/v1/consultations/{cid}/results")
    assert unpublished.status_code == 403
    await district.call("POST", f"/api/v1/consultations/{cid}/close", expect=200)
    await district.call("POST", f"/api/v1/consultations/{cid}/publish", expect=200)

    public = await anonymous.get(f"/api/v1/consultations/{cid}/results", params={"by": "age"})
    assert public.status_code == 200, public.text
    results = public.json()
    assert (results["response_count"], results["suppression_threshold"]) == (200, 5)
    groups = {g["group"]: g for g in results["groups"]}
    # Three residents over 65 would stand out: their group is merged with the next smallest
    # (45-64) so that neither can be recovered from the overall figures.
    assert set(groups) == {"a15_24", "a25_44", "suppressed"}
    assert (groups["a15_24"]["responses"], groups["a25_44"]["responses"]) == (60, 80)
    assert groups["suppressed"]["responses"] == 60
    housing = {
        q["question_id"]: q for q in groups["a15_24"]["questions"] if q["question_id"] == "housing"
    }["housing"]
    assert {o["id"]: o["count"] for o in housing["options"]} == {"no": 15, "yes": 45}

    async def attached() -> dict[str, Any]:
        (item,) = await district.call(
            "GET",
            f"/api/v1/exercises/{exercise['id']}/inputs",
            params={"recommendation_id": linked},
        )
        assert item["consultation_results"] is not None, item
        return dict(item)

    item = await eventually(attached)
    summary = item["consultation_results"]
    assert summary["consultation_id"] == cid
    assert (summary["response_count"], summary["jurisdiction"]) == (200, "ID-JT")
    assert item["version"] == 1  # attached by the platform, not resubmitted by the district
    annex = await ministry.call(
        "GET", f"/api/v1/exercises/{exercise['id']}/compilation", params={"format": "md"}
    )
    assert "Housing and participation in Wonosobo: 200 responses" in annex
