"""Dashboards of a place, a country and a recommendation; exports; the feed of changes; and the
national report's view of follow-up since the last cycle."""

from __future__ import annotations

import csv
import io
from typing import Any

import feedparser  # type: ignore[import-untyped]
import httpx
import pytest

from localrights.testing.helpers import anonymous

from .follow_up_kit import Italy, import_italy, report, suggestions
from .test_indicators import by_sex, define, observe


@pytest.fixture
async def italy(client: httpx.AsyncClient, internal_jwt_secret: str) -> Italy:
    """Bologna (which publishes) and Torino (which does not) report on Italy's recommendations."""
    found = await import_italy(client, internal_jwt_secret)
    for headers, key, status, day in (
        (found.bologna, "housing_20", "in_progress", "2025-02-01"),
        (found.bologna, "housing_20", "partially_implemented", "2026-02-01"),
        (found.bologna, "nhri_20", "not_local_competence", "2026-02-01"),
        (found.torino, "housing_20", "not_started", "2026-03-01"),
        (found.torino, "roma_7", "implemented", "2025-06-01"),
    ):
        response = await report(client, headers, found.rec(key), status=status, as_of=day,
                                measures="=HYPERLINK(\"http://evil\")")  # fmt: skip
        assert response.status_code == 201, response.text
    await client.put(
        "/api/v1/follow-up/publication", json={"published": True}, headers=found.bologna
    )
    return found


class TestPlaceDashboard:
    async def test_counts_by_status_theme_and_over_time_with_its_indicators(
        self, client: httpx.AsyncClient, italy: Italy
    ) -> None:
        indicator = await define(client, italy)
        for day, value in (("2024-12-31", 4800), ("2025-12-31", 4410)):
            await observe(client, italy.bologna, indicator, observed_on=day, value=value,
                          breakdown=by_sex(value * 0.6, value * 0.4))  # fmt: skip
        board = (await client.get("/api/v1/follow-up/places/IT-BO")).json()
        assert board["public_only"] is True
        assert [i["name"] for i in board["institutions"]] == [None]  # not in the projection
        assert board["counts"]["partially_implemented"] == 1
        assert board["counts"]["not_local_competence"] == 1
        assert board["figures"]["statuses"] == 2 and board["figures"]["pending"] == 2
        themes = {b["key"]: b["counts"] for b in board["by_theme"]}
        assert themes["Right to housing"]["partially_implemented"] == 1
        assert board["by_mechanism"] == [
            {"key": "UPR", "counts": {**dict.fromkeys(board["counts"], 0),
                                      "partially_implemented": 1, "not_local_competence": 1}}
        ]  # fmt: skip
        by_year = {p["as_of"][:4]: p["counts"] for p in board["over_time"]}
        assert by_year["2025"]["in_progress"] == 1
        assert by_year["2026"]["partially_implemented"] == 1
        [series] = board["indicators"]
        assert [o["value"] for o in series["observations"]] == [4800, 4410]

    async def test_a_region_includes_its_provinces_and_a_ministry_sees_the_unpublished(
        self, client: httpx.AsyncClient, italy: Italy
    ) -> None:
        public = (await client.get("/api/v1/follow-up/places/IT-21")).json()  # Piemonte
        assert public["figures"]["statuses"] == 0
        ministry = (
            await client.get("/api/v1/follow-up/places/IT-21", headers=italy.ministry)
        ).json()
        assert ministry["public_only"] is False and ministry["figures"]["statuses"] == 2
        unknown = await client.get("/api/v1/follow-up/places/Italy")
        assert unknown.status_code == 422


class TestCountryDashboard:
    async def test_places_by_status_coverage_and_recurring(
        self, client: httpx.AsyncClient, italy: Italy
    ) -> None:
        await suggestions(client)
        board = (await client.get("/api/v1/follow-up/countries/IT", headers=italy.ministry)).json()
        assert board["recommendations"] == 8
        assert board["recommendations_with_status"] == 3
        assert board["coverage"] == 0.375
        places = {p["jurisdiction"]: p for p in board["places"]}
        assert places["IT-BO"]["recommendations"] == 2 and places["IT-BO"]["coverage"] == 0.25
        assert places["IT-TO"]["counts"]["implemented"] == 1
        assert board["recurring"]["suggested"] == 3
        second_cycle = (
            await client.get(
                "/api/v1/follow-up/countries/IT", params={"cycle": 2}, headers=italy.ministry
            )
        ).json()
        assert (second_cycle["recommendations"], second_cycle["figures"]["statuses"]) == (4, 3)
        public = (await client.get("/api/v1/follow-up/countries/IT")).json()
        assert [p["jurisdiction"] for p in public["places"]] == ["IT-BO"]


class TestExportsAndFeed:
    async def test_csv_is_safe_for_spreadsheets_and_json_has_the_same_rows(
        self, client: httpx.AsyncClient, italy: Italy
    ) -> None:
        response = await client.get(
            "/api/v1/follow-up/export",
            params={"what": "timeline", "country": "IT", "format": "csv"},
            headers=italy.ministry,
        )
        assert response.status_code == 200
        assert "attachment" in response.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert len(rows) == 5
        assert {r["measures"] for r in rows} == {'\'=HYPERLINK("http://evil")'}
        as_json = (
            await client.get(
                "/api/v1/follow-up/export",
                params={"what": "statuses", "place": "IT-BO", "format": "json"},
            )
        ).json()
        assert {(r["jurisdiction"], r["reported_status"]) for r in as_json} == {
            ("IT-BO", "partially_implemented"),
            ("IT-BO", "not_local_competence"),
        }

    async def test_the_feed_lists_what_is_published_only(
        self, client: httpx.AsyncClient, italy: Italy, internal_jwt_secret: str
    ) -> None:
        response = await client.get(
            "/api/v1/follow-up/feed.atom",
            params={"place": "IT", "lang": "fr"},
            headers=anonymous(internal_jwt_secret),
        )
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/atom+xml")
        feed = feedparser.parse(response.content)
        assert feed.feed.title == "Suivi des recommandations de l'ONU\u00a0: Italie"
        titles = [entry.title for entry in feed.entries]
        assert len(titles) == 3  # Bologna's three entries; Torino publishes nothing
        assert any("partiellement mis en œuvre" in t for t in titles)
        assert all("/follow-up/recommendations/" in e.link for e in feed.entries)
        missing = await client.get("/api/v1/follow-up/feed.atom")
        assert missing.status_code == 422 and "place" in missing.text


class TestNationalReport:
    async def test_the_annex_shows_each_place_status_and_the_indicators_behind_it(
        self, client: httpx.AsyncClient, italy: Italy
    ) -> None:
        indicator = await define(client, italy)
        await observe(client, italy.bologna, indicator, observed_on="2025-12-31", value=4410)
        exercise = (
            await client.post(
                "/api/v1/exercises",
                json={
                    "report_type": "upr_national_report", "country": "IT", "mechanism": "UPR",
                    "title": "Italy: UPR national report, third cycle", "deadline": "2027-09-30",
                    "recommendation_ids": [italy.rec("housing_20")],
                    "invited_jurisdictions": ["IT-BO"],
                },
                headers=italy.ministry,
            )
        ).json()  # fmt: skip
        url = f"/api/v1/exercises/{exercise['id']}/compilation"
        annex = (await client.get(url, headers=italy.ministry)).json()
        [section] = annex["recommendations"]
        follow_up: dict[str, Any] = section["follow_up"]
        places = {p["jurisdiction"]: p for p in follow_up["places"]}
        assert [m["status"] for m in places["IT-BO"]["trajectory"]] == [
            "in_progress",
            "partially_implemented",
        ]
        assert places["IT-TO"]["reported_status"] == "not_started"  # the ministry sees all
        [measured] = follow_up["indicators"]
        assert measured["latest"] == [
            {"jurisdiction": "IT-BO", "value": 4410, "period": "2025-12-31",
             "progress": pytest.approx(0.2167, abs=1e-4)}
        ]  # fmt: skip
        html = (await client.get(url, params={"format": "html"}, headers=italy.ministry)).text
        assert "Follow-up since the last cycle" in html
        assert "In progress (2025-02-01) → Partially implemented (2026-02-01)" in html
        # Places by name, as a reader of the national report knows them, not by ISO code.
        assert "<td>Bologna</td>" in html and "<td>IT-BO</td>" not in html
        markdown = (await client.get(url, params={"format": "md"}, headers=italy.ministry)).text
        assert "### Follow-up since the last cycle" in markdown
        assert "Bologna 4410 (2025-12-31)" in markdown and "IT-BO" not in markdown
