"""Institutions' and ministry's pages over HTTP: results, inbox, exercises, coverage, annex."""

from __future__ import annotations

import re
import secrets
import time
import uuid
from typing import Any

import httpx
import pytest
from web_factories import (
    Officer,
    bearer,
    csrf_of,
    every_question_type,
    make_officer,
    open_consultation,
    sign_in,
    uhri_csv,
)

pytestmark = pytest.mark.stack


def wait_for(read: Any, *, timeout: float = 30) -> Any:
    """Read until it returns something truthy (events cross the broker asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        found = read()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.3)


@pytest.fixture(scope="module")
def ministry(api: httpx.Client, admin_token: str) -> Officer:
    return make_officer(
        api, admin_token, role="ministry_officer", kind="ministry", jurisdiction="UY"
    )


@pytest.fixture(scope="module")
def municipality(api: httpx.Client, admin_token: str) -> Officer:
    """The only institution of Canelones: its inbox and the coverage hold this module's only."""
    return make_officer(api, admin_token, jurisdiction="UY-CA", name="Intendencia de Canelones")


def cookie_client(base_url: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, timeout=30, headers={"Accept-Language": "en"})


class TestPublishedResults:
    def test_results_are_charts_with_their_tables_and_groups_side_by_side(
        self, browser: httpx.Client, api: httpx.Client, officer: Officer
    ) -> None:
        consultation = open_consultation(api, officer, every_question_type())
        cid = consultation["id"]
        answers = {
            "safety": "o1",
            "services": ["o1"],
            "housing": 4,
            "ideas": "More trees",
            "order": ["o2", "o1"],
            "budget": {"park": 600, "lights": 400},
            "age": "young",
        }
        for n in range(5):
            sent = api.post(
                f"/api/v1/consultations/{cid}/responses",
                json={"answers": answers, "language": "en"},
                headers={"User-Agent": f"resident-{n}", "Idempotency-Key": uuid.uuid4().hex},
            )
            assert sent.status_code in (200, 201), sent.text
        before = browser.get(f"/consultations/{cid}/results").text
        assert "The results of this consultation are not published yet." in before
        for step in ("close", "publish"):
            done = api.post(f"/api/v1/consultations/{cid}/{step}", headers=bearer(officer.token))
            assert done.status_code == 200, done.text
        page = browser.get(f"/consultations/{cid}/results")
        assert page.status_code == 200
        html = page.text
        assert re.search(r"<dt>Responses</dt><dd>5</dd>", html)
        # Each question: a chart (an image named by the question) and its table.
        assert '<svg class="chart chart-bars" id="chart-safety"' in html and 'role="img"' in html
        assert '<table class="results-table">' in html and '<th scope="col">Share</th>' in html
        # Everyone chose "Yes": a full bar, its value as text beside the picture.
        assert re.search(r'<th scope="row">Yes</th><td>5</td><td>100%</td>', html)
        assert 'width="100.00%"' in html and ">100% (5)</text>" in html
        assert "Total given by everyone: 5,000 UYU." in html
        assert "The rule is about groups of people" not in html  # the page's own words:
        assert "This rule is about groups of people, not about answers" in html
        # By age: one group of five is shown; nobody said "30 or more", so nothing is singled out.
        by_age = browser.get(f"/consultations/{cid}/results", params={"by": "age"}).text
        assert '<th scope="col">Under 30 (5 people)</th>' in by_age
        assert "30 or more" not in by_age.split("<main")[1].split('<select id="by"')[0]
        # The residents' own language.
        french = browser.get(f"/consultations/{cid}/results", params={"lang": "fr"}).text
        assert "Résultats" in french and "Les priorités du quartier" in french


class TestExercises:
    """The ministry imports, opens an exercise; the municipality is told and gives input."""

    def test_import_exercise_inbox_input_coverage_and_compilation(
        self, web_stack: Any, ministry: Officer, municipality: Officer
    ) -> None:
        marker = f"zx{secrets.token_hex(4)}"
        texts = [
            f"Guarantee accessible social housing in every municipality {marker}",
            f"Publish disaggregated data on evictions {marker}",
        ]
        with cookie_client(web_stack.gateway_url) as desk:
            token = sign_in(desk, ministry)
            form = desk.get("/ministry/import")
            assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.text
            started = desk.post(
                "/ministry/import",
                data={"csrf_token": token, "source_format": "auto"},
                files={"file": ("uhri.csv", uhri_csv(texts), "text/csv")},
            )
            assert started.status_code == 303, started.text[-3000:]
            assert started.headers["location"].startswith("/ministry/imports/")

            def import_report() -> str:
                page = desk.get(started.headers["location"]).text
                return page if "Import report" in page else ""

            report = wait_for(import_report)
            assert re.search(r"<dt>New recommendations</dt><dd>2</dd>", report)

            # Choose the two recommendations in the list, then the institution by name.
            found = desk.get("/ministry/recommendations", params={"q": marker, "country": "UY"})
            ids = re.findall(r'name="chosen" value="([0-9a-f-]{36})"', found.text)
            assert len(ids) == 2
            chosen = desk.post(
                "/ministry/recommendations",
                data={
                    "csrf_token": token,
                    "q": marker,
                    "country": "UY",
                    "chosen": ids,
                    "do": "exercise",
                },
            )
            assert chosen.status_code == 303
            builder = desk.get(chosen.headers["location"]).text
            assert "2 recommendations chosen" in builder
            found_institutions = desk.post(
                "/ministry/exercises/new",
                data={
                    "csrf_token": token,
                    "country": "UY",
                    "rec": ids,
                    "find_name": "Canelones",
                    "do": "find",
                },
            )
            canelones = re.search(
                r'name="inst" value="([0-9a-f-]{36})"[^>]*aria-labelledby="inst-name-[^"]+">'
                r"</td>\s*<th[^>]*>Intendencia de Canelones",
                found_institutions.text,
            )
            assert canelones, found_institutions.text[-3000:]
            title = f"UPR mid-term report {marker}"
            created = desk.post(
                "/ministry/exercises/new",
                data={
                    "csrf_token": token,
                    "country": "UY",
                    "rec": ids,
                    "inst": [canelones.group(1)],
                    "title": title,
                    "report_type": "upr_midterm_report",
                    "mechanism": "UPR",
                    "deadline": "2036-06-30",
                    "do": "create",
                },
            )
            assert created.status_code == 303, created.text[-3000:]
            exercise_id = created.headers["location"].split("/")[3].split("?")[0]
            opened = desk.post(
                f"/ministry/exercises/{exercise_id}/open", data={"csrf_token": token}
            )
            assert opened.status_code == 303
            assert "The exercise is open" in desk.get(opened.headers["location"]).text

        with cookie_client(web_stack.gateway_url) as town:
            token = sign_in(town, municipality)
            # Opening the exercise reached the municipality's inbox through the broker.

            def inbox_with_the_exercise() -> str:
                page = town.get("/officer/inbox").text
                return page if title in page else ""

            inbox = wait_for(inbox_with_the_exercise)
            assert inbox, "the exercise never reached the inbox"
            assert "1 unread item." in inbox
            item = re.search(r'href="(/officer/inbox/[0-9a-f-]{36})"', inbox)
            assert item
            letter = town.get(item.group(1)).text  # opened, it counts as read
            assert f'href="/officer/exercises/{exercise_id}"' in letter
            assert "0 unread items." in town.get("/officer/inbox").text

            assert title in town.get("/officer/exercises").text
            exercise = town.get(f"/officer/exercises/{exercise_id}").text
            assert exercise.count("no input yet") == 2
            give = re.search(r'href="(/officer/exercises/[^"]+/recommendations/[^"]+)"', exercise)
            assert give
            form = town.get(give.group(1)).text
            sent = town.post(
                give.group(1),
                data={
                    "csrf_token": csrf_of(form),
                    "status": "in_progress",
                    "measures_taken": "Two hundred accessible homes under construction",
                    "indicator-1-name": "Accessible homes built",
                    "indicator-1-value": "120",
                    "indicator-1-unit": "homes",
                    "indicator-1-groups": "women: 70\nmen: 50",
                    "evidence_links": "https://example.org/housing-plan",
                },
            )
            assert sent.status_code == 303, sent.text[-3000:]
            after = town.get(sent.headers["location"]).text
            assert "Your input has been saved." in after and after.count("no input yet") == 1
            # In Spanish, the report type and the statuses are named, not shown as codes.
            spanish = town.get(f"/officer/exercises/{exercise_id}", params={"lang": "es"}).text
            assert "Informe de mitad de período del EPU" in spanish and "En curso" in spanish

        with cookie_client(web_stack.gateway_url) as desk:
            sign_in(desk, ministry)
            coverage = desk.get(f"/ministry/exercises/{exercise_id}/coverage")
            assert coverage.status_code == 200
            html = coverage.text
            assert re.search(r"<dt>Institutions that answered</dt><dd>1 \(100%\)</dd>", html)
            assert re.search(r"<dt>Recommendations with input</dt><dd>1 \(50%\)</dd>", html)
            assert re.search(r"<dt>In progress</dt><dd>1</dd>", html)
            row = re.search(r'<th scope="row">Intendencia de Canelones.*?</tr>', html, re.S)
            assert row and "Canelones, Uruguay" in row.group(0) and "1 of 2" in row.group(0)
            assert "UY-CA" not in html
            assert "Guarantee accessible social housing" in html
            annex = desk.get(f"/ministry/exercises/{exercise_id}/annex")
            assert annex.status_code == 200
            assert "Two hundred accessible homes under construction" in annex.text
            assert "Accessible homes built: 120 homes: women 70, men 50" in annex.text
            table = desk.get(
                f"/ministry/exercises/{exercise_id}/annex/download", params={"format": "csv"}
            )
            assert table.headers["content-disposition"].startswith(
                'attachment; filename="Uruguay UPR mid-term 2036 - annex.csv"'
            )
            assert "Accessible homes built" in table.text
            document = desk.get(
                f"/ministry/exercises/{exercise_id}/annex/download", params={"format": "html"}
            )
            assert "sandbox" in document.headers["content-security-policy"]
            assert "Canelones, Uruguay" in document.text and "30 June 2036" in document.text

    def test_ministry_pages_are_refused_to_a_local_institution(
        self, web_stack: Any, municipality: Officer
    ) -> None:
        with cookie_client(web_stack.gateway_url) as town:
            sign_in(town, municipality)
            page = town.get("/ministry/import")
        assert page.status_code == 403
        assert "You cannot see this page" in page.text
