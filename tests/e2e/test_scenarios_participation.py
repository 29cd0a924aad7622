"""Field scenarios of residents taking part (issue 6: Douala 3, Gwangju).

Residents are anonymous phones calling the public API through the gateway, concurrently
(16 at a time); each has its own User-Agent, so the gateway's client key tells them apart
as it would tell apart phones behind one carrier's address.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from .platform_client import Platform, resident_headers, submit_responses

DOUALA_BUDGET = 100_000_000  # XAF
DOUALA_PROJECTS = {
    "water": ("Bornes-fontaines à Ndogbong", 40_000_000),
    "lighting": ("Éclairage public solaire à Logbaba", 30_000_000),
    "market": ("Réhabilitation du marché de Nyalla", 50_000_000),
    "latrines": ("Latrines dans les écoles publiques", 20_000_000),
    "clinic": ("Centre de santé de PK10", 45_000_000),
}
DOUALA_DISTRICTS = ("logbaba", "ndogbong", "nyalla", "pk10")


def window() -> dict[str, str]:
    now = datetime.now(UTC)
    return {
        "opens_at": (now - timedelta(minutes=1)).isoformat(),
        "closes_at": (now + timedelta(days=21)).isoformat(),
    }


def douala_allocation(n: int) -> dict[str, int]:
    """Resident ``n``'s split: 0 to 20 million per project, so never over the budget."""
    return {
        project: ((n * 7 + p * 13) % 5) * 5_000_000 for p, project in enumerate(DOUALA_PROJECTS)
    }


async def test_douala_3_participatory_budget_refuses_over_budget_and_totals_per_district(
    platform: Platform,
) -> None:
    commune = await platform.institution_with_officer(
        name="Commune d'arrondissement de Douala 3e",
        kind="municipality",
        country="CM",
        jurisdiction="CM-LT",
        municipality="Douala 3e",
    )
    consultation = await commune.call(
        "POST",
        "/api/v1/consultations",
        json={
            "title": {"fr": "Budget participatif 2027", "en": "Participatory budget 2027"},
            "jurisdiction": "CM-LT",
            "municipality": "Douala 3e",
            **window(),
            "sdg_targets": ["11.1", "6.1"],
            "questions": [
                {
                    "id": "budget",
                    "type": "budget",
                    "required": True,
                    "title": {"fr": "Répartissez 100 millions", "en": "Split 100 million"},
                    "total_budget": DOUALA_BUDGET,
                    "currency": "XAF",
                    "projects": [
                        {"id": pid, "label": {"fr": label, "en": label}, "cost": cost}
                        for pid, (label, cost) in DOUALA_PROJECTS.items()
                    ],
                },
                {
                    "id": "district",
                    "type": "single_choice",
                    "demographic": True,
                    "title": {"fr": "Votre quartier", "en": "Your neighbourhood"},
                    "options": [
                        {"id": d, "label": {"fr": d.title(), "en": d.title()}}
                        for d in DOUALA_DISTRICTS
                    ],
                },
            ],
        },
        expect=201,
    )
    cid = consultation["id"]
    await commune.call("POST", f"/api/v1/consultations/{cid}/open", expect=200)

    bodies = [
        {
            "language": "fr",
            "answers": {"budget": douala_allocation(n), "district": DOUALA_DISTRICTS[n % 4]},
        }
        for n in range(300)
    ]
    responses = await submit_responses(platform, cid, bodies)
    assert [r.status_code for r in responses] == [201] * 300, Counter(
        r.status_code for r in responses
    )

    over = await platform.anonymous(**resident_headers(300)).post(
        f"/api/v1/consultations/{cid}/responses",
        json={
            "answers": {
                "budget": {"water": 40_000_000, "lighting": 30_000_000, "market": 50_000_000}
            }
        },
    )
    assert over.status_code == 422, over.text
    problem = over.json()
    assert over.headers["content-type"].startswith("application/problem+json")
    assert (
        "the amounts add up to 120000000, more than the total budget 100000000"
        in (problem["detail"])
    )
    assert problem["errors"][0]["location"] == "answers.budget"

    await commune.call("POST", f"/api/v1/consultations/{cid}/close", expect=200)
    await commune.call("POST", f"/api/v1/consultations/{cid}/publish", expect=200)

    expected: dict[str, Counter[str]] = defaultdict(Counter)
    for body in bodies:
        expected["overall"].update(body["answers"]["budget"])
        expected[body["answers"]["district"]].update(body["answers"]["budget"])

    def totals(question: dict[str, Any]) -> dict[str, int]:
        assert question["total_budget"] == DOUALA_BUDGET and question["currency"] == "XAF"
        return {p["id"]: p["total"] for p in question["projects"]}

    resident = platform.anonymous()
    overall = (await resident.get(f"/api/v1/consultations/{cid}/results")).json()
    assert overall["response_count"] == 300  # the refused one is not counted
    questions = {q["question_id"]: q for q in overall["overall"]["questions"]}
    budget = questions["budget"]
    # The neighbourhood question shows its own spread: 75 residents each, none hidden.
    assert {o["id"]: o["count"] for o in questions["district"]["options"]} == dict.fromkeys(
        DOUALA_DISTRICTS, 75
    )
    assert totals(budget) == dict(expected["overall"])
    assert budget["total_allocated"] == sum(expected["overall"].values())

    by_district = (
        await resident.get(f"/api/v1/consultations/{cid}/results", params={"by": "district"})
    ).json()
    groups = {g["group"]: g for g in by_district["groups"]}
    assert set(groups) == set(DOUALA_DISTRICTS)  # 75 residents each: none is suppressed
    for district in DOUALA_DISTRICTS:
        assert groups[district]["responses"] == 75
        (question,) = groups[district]["questions"]
        assert totals(question) == dict(expected[district]), district


async def test_gwangju_verified_consultation_one_answer_per_code(platform: Platform) -> None:
    office = await platform.institution_with_officer(
        name="Gwangju Metropolitan City Human Rights Office",
        kind="municipality",
        country="KR",
        jurisdiction="KR-29",
        municipality="Gwangju",
    )
    consultation = await office.call(
        "POST",
        "/api/v1/consultations",
        json={
            "title": {"ko": "광주 인권 기본계획 시민 의견", "en": "Gwangju human-rights plan"},
            "jurisdiction": "KR-29",
            **window(),
            "participation_mode": "code",
            "questions": [
                {
                    "id": "priority",
                    "type": "ranking",
                    "title": {"ko": "우선순위", "en": "Rank the priorities"},
                    "options": [
                        {"id": "elderly", "label": {"ko": "노인", "en": "Older persons"}},
                        {"id": "migrants", "label": {"ko": "이주민", "en": "Migrants"}},
                        {"id": "disability", "label": {"ko": "장애인", "en": "Disability"}},
                    ],
                    "required": True,
                }
            ],
        },
        expect=201,
    )
    cid = consultation["id"]
    await office.call("POST", f"/api/v1/consultations/{cid}/open", expect=200)
    issued = await office.call(
        "POST", f"/api/v1/consultations/{cid}/codes", json={"count": 100}, expect=201
    )
    codes: list[str] = issued["codes"]
    assert len(set(codes)) == 100

    ranking = ["elderly", "migrants", "disability"]
    bodies = [
        {"code": code, "answers": {"priority": ranking[n % 3 :] + ranking[: n % 3]}}
        for n, code in enumerate(codes)
    ]
    responses = await submit_responses(platform, cid, bodies)
    assert [r.status_code for r in responses] == [201] * 100, Counter(
        r.status_code for r in responses
    )

    # Another phone with a code that was already used, one that was never issued, none at all.
    late = platform.anonymous(**resident_headers(1000))
    path = f"/api/v1/consultations/{cid}/responses"
    reused = await late.post(path, json={**bodies[0], "code": codes[0]})
    assert reused.status_code == 409, reused.text
    assert "already been used" in reused.json()["detail"]
    invented = await late.post(path, json={**bodies[0], "code": "GJ-0000-0000"})
    assert invented.status_code == 403, invented.text
    assert "not valid for this consultation" in invented.json()["detail"]
    without = await late.post(path, json={"answers": bodies[0]["answers"]})
    assert without.status_code == 403, without.text

    live = await office.call("GET", f"/api/v1/consultations/{cid}/results")
    assert live["response_count"] == 100
    (priority,) = live["overall"]["questions"]
    assert {o["id"]: o["ranked_by"] for o in priority["options"]} == dict.fromkeys(ranking, 100)
