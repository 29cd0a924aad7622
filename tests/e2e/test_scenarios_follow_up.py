"""Field scenario of follow-up between reviews (issue 20), on real data, through the gateway.

Italy's recommendations of its first two UPR reviews (sessions 7 and 20) come from UPR Info's
real export; the platform suggests which of the second review repeat the first and the
ministry confirms some and rejects one; in two reporting exercises a year apart Bologna and
Torino say where a housing recommendation stands; the ministry validates one status and
returns another; Bologna observes an indicator three times, broken down by sex. The place's
dashboard, the recommendation's timeline, the export and the national report's annex all show
it, and a commission's webhook receives the status changes Bologna publishes.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from .platform_client import Actor, Platform, eventually
from .webhook_sink import WebhookSink

UPR_INFO = Path(__file__).resolve().parents[3] / "shared" / "data" / "upr-info"
HOUSING = "Develop credit mechanisms and programmes to facilitate the acquisition of housing"
NHRI_7 = "Establish an independent national human rights institution in accordance with the Paris"
NHRI_20 = "Establish a national human rights institution in accordance with the Paris Principles"


def italy_rows() -> bytes:
    """The header and Italy's rows of the two real files (CR line ends and bytes kept)."""
    kept: list[bytes] = []
    for name in ("sessions-6-9.csv", "sessions-17-20.csv"):
        lines = (UPR_INFO / name).read_bytes().split(b"\r")
        if not kept:
            kept.append(lines[0])
        kept += [line for line in lines[1:] if line.startswith(b"Italy,")]
    return b"\r".join(kept) + b"\r"


async def find(actor: Actor, text: str, session: str, by: str) -> dict[str, Any]:
    """The one recommendation of the real file (the demo data may hold a look-alike)."""
    page = await actor.call(
        "GET",
        "/api/v1/recommendations",
        params={"country": "IT", "session": session, "q": text, "page_size": 50},
    )
    [found] = [
        r for r in page["items"] if r["text"].startswith(text) and r["recommending_states"] == [by]
    ]
    return dict(found)


async def exercise(
    ministry: Actor, title: str, deadline: str, recommendations: list[str], invited: list[str]
) -> str:
    created = await ministry.call(
        "POST",
        "/api/v1/exercises",
        json={
            "report_type": "upr_midterm_report", "country": "IT", "mechanism": "UPR",
            "title": title, "deadline": deadline, "recommendation_ids": recommendations,
            "invited_institution_ids": invited,
        },
        expect=201,
    )  # fmt: skip
    await ministry.call("POST", f"/api/v1/exercises/{created['id']}/open", expect=200)
    return str(created["id"])


async def test_italy_follows_up_upr_recommendations_in_bologna_and_torino_across_two_cycles(
    platform: Platform, webhook_sink: WebhookSink
) -> None:
    ministry = await platform.institution_with_officer(
        name="Comitato interministeriale per i diritti umani", kind="ministry", country="IT",
        jurisdiction="IT", roles=("ministry_officer",),
    )  # fmt: skip
    bologna = await platform.institution_with_officer(
        name="Comune di Bologna", kind="municipality", country="IT", jurisdiction="IT-BO",
        municipality="Bologna",
    )  # fmt: skip
    torino = await platform.institution_with_officer(
        name="Città di Torino", kind="municipality", country="IT", jurisdiction="IT-TO",
        municipality="Torino",
    )  # fmt: skip
    commission = await platform.institution_with_officer(
        name="Garante regionale dei diritti delle persone, Emilia-Romagna",
        kind="local_hr_commission", country="IT", jurisdiction="IT-45",
    )  # fmt: skip
    hook = await commission.call(
        "POST",
        "/api/v1/subscriptions",
        json={"channel": "webhook", "url": webhook_sink.url("garante"), "countries": ["IT"],
              "kinds": ["status_changed"]},
        expect=201,
    )  # fmt: skip
    webhook_sink.expect("garante", hook["secret"])
    await bologna.call("PUT", "/api/v1/follow-up/publication", json={"published": True})

    # Two cycles of the real file: 157 recommendations of session 7, 199 of session 20.
    report = await ministry.call(
        "POST",
        "/api/v1/recommendations/import",
        content=italy_rows(),
        headers={"content-type": "text/csv"},
        expect=200,
    )
    assert (report["rows"], report["rejected"]) == (356, 0), report
    housing = await find(ministry, HOUSING, "20", by="MX")
    nhri_7 = await find(ministry, NHRI_7, "7", by="AZ")
    nhri_20 = await find(ministry, NHRI_20, "20", by="PK")
    assert (nhri_7["cycle"], nhri_20["cycle"], housing["cycle"]) == (1, 2, 2)

    # The recurring ones are suggested; the ministry confirms the NHRI repeat, rejects one.
    async def suggested() -> list[dict[str, Any]]:
        """Every suggestion, page after page (Italy's two real reviews give over 200)."""
        links: list[dict[str, Any]] = []
        while True:
            page = await ministry.call(
                "GET",
                "/api/v1/recurrences",
                params={
                    "country": "IT",
                    "status": "suggested",
                    "page_size": 200,
                    "page": len(links) // 200 + 1,
                },
            )
            links += page["items"]
            if not page["items"] or len(links) >= page["total"]:
                break
        assert any(link["later"]["id"] == nhri_20["id"] for link in links), len(links)
        return links

    links = await eventually(suggested, timeout=90)
    [nhri_link] = [
        link
        for link in links
        if link["earlier"]["id"] == nhri_7["id"] and link["later"]["id"] == nhri_20["id"]
    ]
    await ministry.call("POST", f"/api/v1/recurrences/{nhri_link['id']}/confirm", expect=200)
    other = next(
        link
        for link in links
        if link["later"]["session"] == "20" and link["later"]["id"] != nhri_20["id"]
    )
    await ministry.call("POST", f"/api/v1/recurrences/{other['id']}/reject", expect=200)
    # Bologna had reported on the first-cycle recommendation: its timeline now continues.
    await bologna.call(
        "POST",
        "/api/v1/follow-up/statuses",
        json={"recommendation_id": nhri_7["id"], "status": "not_local_competence",
              "as_of": "2012-06-01", "measures": "A municipal ombudsperson since 2010"},
        expect=201,
    )  # fmt: skip

    # Two exercises a year apart; Bologna and Torino report on the housing recommendation,
    # each time as of the report's reference date.
    this_year = date.today() - timedelta(days=7)
    last_year = this_year.replace(year=this_year.year - 1)
    invited = [str(bologna.institution_id), str(torino.institution_id)]
    first = await exercise(ministry, f"UPR mid-term report {last_year.year}: local input",
                           (last_year + timedelta(days=30)).isoformat(),
                           [housing["id"], nhri_20["id"]], invited)  # fmt: skip
    second = await exercise(ministry, f"UPR mid-term report {this_year.year}: local input",
                            (this_year + timedelta(days=30)).isoformat(),
                            [housing["id"]], invited)  # fmt: skip
    for exercise_id, day, bologna_status, torino_status in (
        (first, last_year, "in_progress", "not_started"),
        (second, this_year, "partially_implemented", "implemented"),
    ):
        as_of = day.isoformat()
        await bologna.call(
            "POST",
            f"/api/v1/exercises/{exercise_id}/inputs",
            json={"recommendation_id": housing["id"], "status": bologna_status, "as_of": as_of,
                  "measures_taken": f"Housing plan, {as_of[:4]}: social rent guarantees"},
            expect=201,
        )  # fmt: skip
        await torino.call(
            "POST",
            f"/api/v1/exercises/{exercise_id}/inputs",
            json={"recommendation_id": housing["id"], "status": torino_status, "as_of": as_of},
            expect=201,
        )
    await ministry.call("POST", f"/api/v1/exercises/{first}/close", expect=200)

    # The inputs reach the timeline through their events; the ministry then reviews.
    async def four_reported() -> list[dict[str, Any]]:
        page = await ministry.call(
            "GET", "/api/v1/follow-up/reviews", params={"country": "IT", "page_size": 200}
        )
        mine = [e for e in page["items"] if e["recommendation_id"] == housing["id"]]
        assert len(mine) == 4, mine
        return mine

    pending = await eventually(four_reported, timeout=60)
    latest = {e["jurisdiction"]: e for e in pending if e["as_of"] == this_year.isoformat()}
    await ministry.call(
        "POST",
        f"/api/v1/follow-up/statuses/{latest['IT-BO']['id']}/validate",
        json={"comment": "Matches the regional housing data"},
        expect=200,
    )
    await ministry.call(
        "POST",
        f"/api/v1/follow-up/statuses/{latest['IT-TO']['id']}/return",
        json={"comment": "Only the northern districts have the scheme: report it as partial"},
        expect=200,
    )

    # An indicator observed three times in Bologna, by sex of the head of household.
    indicator = await bologna.call(
        "POST",
        "/api/v1/indicators",
        json={
            "name": {"en": "Households waiting for social housing",
                     "it": "Nuclei familiari in attesa di un alloggio popolare"},
            "unit": "households", "kind": "outcome", "sdg_target": "11.1",
            "sdg_indicator": "11.1.1", "breakdowns": ["sex"], "baseline_value": 4800,
            "baseline_year": 2023, "target_value": 3000, "target_year": 2030,
            "source": "Comune di Bologna, housing register", "update_every_months": 12,
            "recommendation_ids": [housing["id"]],
        },
        expect=201,
    )  # fmt: skip
    values = ((730, 4800, 2910, 1890), (365, 4410, 2650, 1760), (0, 4120, 2470, 1650))
    for days_ago, total, women, men in values:
        observed_on = (this_year - timedelta(days=days_ago)).isoformat()
        by_sex = [
            {"dimension": "sex", "group": "women", "value": women},
            {"dimension": "sex", "group": "men", "value": men},
        ]
        await bologna.call(
            "POST",
            f"/api/v1/indicators/{indicator['id']}/observations",
            json={"observed_on": observed_on, "value": total, "breakdown": by_sex},
            expect=201,
        )

    resident = platform.anonymous()
    # The place's dashboard (what Bologna publishes; the stack may hold other places' data
    # from other tests, so this looks at this scenario's institution and indicator).
    board = (await resident.get("/api/v1/follow-up/places/IT-BO")).json()
    assert str(bologna.institution_id) in {i["id"] for i in board["institutions"]}
    assert board["counts"]["partially_implemented"] >= 1 and board["figures"]["validated"] >= 1
    [series] = [s for s in board["indicators"] if s["indicator"]["id"] == indicator["id"]]
    assert [o["value"] for o in series["observations"]] == [4800, 4410, 4120]
    assert series["observations"][2]["breakdown"][0] == {
        "dimension": "sex",
        "group": "women",
        "value": 2470,
    }
    page = await resident.get("/places/IT-BO/follow-up", params={"lang": "en"})
    assert page.status_code == 200
    assert "Households waiting for social housing" in page.text and "Comune di Bologna" in page.text

    # The recommendation's timeline: both exercises, the validation; Torino's return is seen
    # by the ministry (Torino does not publish).
    timeline = await ministry.call("GET", f"/api/v1/follow-up/recommendations/{housing['id']}")
    places = {p["jurisdiction"]: p for p in timeline["places"]}
    assert [(e["as_of"], e["status"], e["origin"]) for e in places["IT-BO"]["entries"]] == [
        (last_year.isoformat(), "in_progress", "exercise_input"),
        (this_year.isoformat(), "partially_implemented", "exercise_input"),
        (places["IT-BO"]["entries"][2]["as_of"], "partially_implemented", "ministry_validation"),
    ]
    assert places["IT-BO"]["current"]["validated_status"] == "partially_implemented"
    assert [(e["status"], e["review"]) for e in places["IT-TO"]["entries"]][-1] == (
        "implemented",
        "returned",
    )
    public = (await resident.get(f"/api/v1/follow-up/recommendations/{housing['id']}")).json()
    assert [p["jurisdiction"] for p in public["places"]] == ["IT-BO"]
    nhri = (await resident.get(f"/api/v1/follow-up/recommendations/{nhri_20['id']}")).json()
    assert [r["id"] for r in nhri["earlier"]] == [nhri_7["id"]]
    [bologna_nhri] = nhri["places"]
    assert bologna_nhri["current"]["carried_from"] == nhri_7["id"]
    assert bologna_nhri["entries"][0]["measures"] == "A municipal ombudsperson since 2010"

    # The export.
    exported = await resident.get(
        "/api/v1/follow-up/export", params={"what": "timeline", "place": "IT-BO"}
    )
    rows = [
        r
        for r in csv.DictReader(io.StringIO(exported.text))
        if r["institution_id"] == str(bologna.institution_id)
    ]
    assert {r["origin"] for r in rows} == {
        "exercise_input",
        "ministry_validation",
        "institution_update",
    }

    # The national report's annex: each place's path since the last cycle, the indicator.
    annex = await ministry.call(
        "GET", f"/api/v1/exercises/{second}/compilation", params={"format": "json"}
    )
    [section] = annex["recommendations"]
    view = {p["jurisdiction"]: p for p in section["follow_up"]["places"]}
    assert [m["status"] for m in view["IT-BO"]["trajectory"]] == [
        "in_progress",
        "partially_implemented",
    ]
    assert view["IT-TO"]["review"] == "returned"
    [measured] = section["follow_up"]["indicators"]
    assert measured["latest"][0]["value"] == 4120
    html = await ministry.call(
        "GET", f"/api/v1/exercises/{second}/compilation", params={"format": "html"}
    )
    assert "Follow-up since the last cycle" in html

    # The commission's webhook received Bologna's published status changes, signed.
    async def delivered() -> list[Any]:
        deliveries = webhook_sink.deliveries("garante")
        statuses = [
            (d.data["jurisdiction"], d.data["status"], d.data["origin"]) for d in deliveries
        ]
        assert ("IT-BO", "partially_implemented", "ministry_validation") in statuses, statuses
        return deliveries

    deliveries = await eventually(delivered, timeout=60)
    assert {d.type for d in deliveries} == {"follow_up.status_changed"}
    assert all(d.data["published"] for d in deliveries)  # Torino's never left the ministry
    assert webhook_sink.rejected == []
