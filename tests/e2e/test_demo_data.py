"""The demo data of `make up`, loaded into the running platform as the launcher loads it.

What a new user would look at first must be there: the demo officers can sign in, the open
consultation (every question type, three languages) is listed for residents, the published
one shows its results, the ministry's exercise is open with Bologna's input and its
consultation attached, and the subscribed institutions find the alerts in their inboxes.
Residents find Bologna's published follow-up: statuses (one validated), an indicator observed
three times by sex, and a third-cycle recommendation whose timeline continues from the
second cycle. A second load on the same database adds nothing.
"""

from __future__ import annotations

from typing import Any

from demo_data import load_demo_data
from launch import Stack

from .platform_client import Actor, Platform, eventually


async def test_demo_data_gives_a_new_user_something_to_look_at(
    stack: Stack, platform: Platform
) -> None:
    credentials = await load_demo_data(stack.gateway_url, admin=stack.admin)
    roles = {role for role, _, _ in credentials}
    assert roles == {"ministry_officer", "alert_publisher", "institution_officer"}
    officers: dict[str, Actor] = {
        email.split("@")[0]: await platform.login(email, password)
        for _, email, password in credentials
    }

    resident = platform.anonymous()
    listed = (
        await resident.get("/api/v1/consultations", params={"status": "open", "country": "UY"})
    ).json()["items"]
    (open_one,) = [c for c in listed if c["title"]["en"] == "Human-rights priorities in Canelones"]
    assert open_one["languages"] == ["en", "es", "fr"]
    assert {q["type"] for q in open_one["questions"]} == {
        "single_choice",
        "multiple_choice",
        "rating",
        "free_text",
        "ranking",
        "budget",
    }
    assert open_one["accepting_responses"] is True

    published = (
        await resident.get("/api/v1/consultations", params={"status": "published", "country": "IT"})
    ).json()["items"]
    (bologna_consultation,) = [
        c for c in published if c["title"]["en"] == "Living in camps and micro-areas"
    ]
    results = (
        await resident.get(
            f"/api/v1/consultations/{bologna_consultation['id']}/results", params={"by": "age"}
        )
    ).json()
    assert results["response_count"] == 48
    assert {g["group"]: g["responses"] for g in results["groups"]} == {
        "under_30": 20,
        "over_30": 28,
    }
    assert bologna_consultation["what_happens_next"]["en"].startswith("The city council")
    by_district = (
        await resident.get(
            f"/api/v1/consultations/{bologna_consultation['id']}/results",
            params={"by": "district"},
        )
    ).json()
    # Borgo Panigale's 4 residents are counted with the next-smallest district, never alone.
    assert {g["group"]: g["responses"] for g in by_district["groups"]} == {
        "navile": 24,
        "suppressed": 24,
    }

    ministry = officers["ministry"]
    (exercise,) = await ministry.call("GET", "/api/v1/exercises", params={"status": "open"})
    assert exercise["report_type"] == "upr_midterm_report"

    async def input_with_results() -> dict[str, Any]:
        (item,) = await ministry.call("GET", f"/api/v1/exercises/{exercise['id']}/inputs")
        assert item["consultation_results"] is not None, item
        return dict(item)

    item = await eventually(input_with_results)
    assert item["consultation_results"]["response_count"] == 48

    async def inbox_kinds(officer: Actor) -> set[str]:
        page = await officer.call("GET", "/api/v1/inbox")
        return {i["kind"] for i in page["items"]}

    async def alerts_arrived() -> None:
        assert "treaty_body_review" in await inbox_kinds(officers["canelones"])
        assert "country_visit" in await inbox_kinds(officers["minneapolis"])
        assert "call_for_input" in await inbox_kinds(officers["bologna"])

    await eventually(alerts_arrived)

    # The back office has its day's work: a draft exercise to open, a calendar imported.
    drafts = await ministry.call("GET", "/api/v1/exercises", params={"status": "draft"})
    assert [e["report_type"] for e in drafts] == ["vnr"]
    sessions = (
        await resident.get("/api/v1/alerts", params={"country": "UY", "kind": "upr_review"})
    ).json()["items"]
    assert any(a["title"]["en"].endswith("(48th session)") for a in sessions)

    async def bologna_follow_up() -> dict[str, Any]:
        response = await resident.get("/api/v1/follow-up/places/IT-BO")
        assert response.status_code == 200, response.text
        board = dict(response.json())
        demo = [i for i in board["institutions"] if i["name"] == "Comune di Bologna"]
        assert demo and demo[0]["published"], board["institutions"]
        assert board["figures"]["validated"] >= 1, board["figures"]
        return board

    board = await eventually(bologna_follow_up)
    (housing,) = [
        s for s in board["indicators"]
        if s["indicator"]["source"] == "Comune di Bologna, housing register"
    ]  # fmt: skip
    assert [o["value"] for o in housing["observations"]] == [4800, 4410, 4120]
    assert {b["group"] for b in housing["observations"][-1]["breakdown"]} == {"women", "men"}
    roma = await ministry.call(
        "GET", "/api/v1/recommendations",
        params={"country": "IT", "q": "End forced evictions of Roma", "page_size": 50},
    )  # fmt: skip
    (roma_id,) = [r["id"] for r in roma["items"] if r["document_symbol"] == "A/HRC/43/4"]

    async def timeline_continues() -> None:
        timeline = (await resident.get(f"/api/v1/follow-up/recommendations/{roma_id}")).json()
        assert [e["session"] for e in timeline["earlier"]] == ["20"], timeline["earlier"]
        (place,) = [
            p for p in timeline["places"]
            if p["jurisdiction"] == "IT-BO" and p["institution_name"] == "Comune di Bologna"
        ]  # fmt: skip
        statuses = [e["status"] for e in place["entries"]]
        assert statuses[:2] == ["in_progress", "partially_implemented"], statuses

    await eventually(timeline_continues)

    # Loaded once per database: a second run adds nothing and gives the same credentials.
    admin = await platform.as_admin()
    before = await admin.call("GET", "/api/v1/institutions")
    assert await load_demo_data(stack.gateway_url, admin=stack.admin) == credentials
    assert await admin.call("GET", "/api/v1/institutions") == before
