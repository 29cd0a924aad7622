"""The back office in chromium: each role's day, on a desktop and on a phone, one of them with
the keyboard alone. Every page visited is screenshot, passes axe-core (no serious or critical
violation), fits a 390 px phone, and shows a focus indicator of at least 3:1 on each of its
links and controls reached with Tab (measured in the browser: axe does not check focus)."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from launch import Stack
from playwright.sync_api import Browser, Page, expect
from web_factories import Officer, bearer, every_question_type, make_officer, token_for

from .browser_kit import (
    DESKTOP,
    DOWNLOADS,
    PHONE,
    PHONE_OPTIONS,
    ROOT,
    check_page,
    new_page,
    tab,
    tab_to,
)

pytestmark = [pytest.mark.browser, pytest.mark.stack]

SIZES = {"desktop": {"viewport": DESKTOP}, "phone": PHONE_OPTIONS}


@dataclass(frozen=True)
class Italy:
    """Italy's ministry and alert publisher, Bologna and Torino, and Italy's recommendations."""

    ministry: Officer
    publisher: Officer
    bologna: Officer
    torino: Officer
    bologna_name: str
    recommendations: list[dict[str, Any]]


@pytest.fixture(scope="package")
def italy(api: httpx.Client, stack: Stack) -> Italy:
    admin = token_for(api, *stack.admin)
    tag = secrets.token_hex(3)
    ministry = make_officer(
        api,
        admin,
        role="ministry_officer",
        kind="ministry",
        country="IT",
        jurisdiction="IT",
        name=f"Comitato interministeriale {tag}",
    )
    publisher = make_officer(
        api,
        admin,
        role="alert_publisher",
        kind="ministry",
        country="IT",
        jurisdiction="IT",
        name=f"Focal point {tag}",
    )
    bologna_name = f"Comune di Bologna {tag}"
    bologna = make_officer(api, admin, country="IT", jurisdiction="IT-BO", name=bologna_name)
    torino = make_officer(
        api, admin, country="IT", jurisdiction="IT-TO", name=f"Comune di Torino {tag}"
    )
    subscribed = api.post(
        "/api/v1/subscriptions",
        json={"channel": "inbox", "countries": ["IT"], "name": "Everything about Italy"},
        headers=bearer(bologna.token),
    )
    assert subscribed.status_code == 201, subscribed.text
    imported = api.post(
        "/api/v1/recommendations/import",
        content=(ROOT / "tests" / "data" / "uhri_italy_upr.csv").read_bytes(),
        headers={**bearer(ministry.token), "content-type": "text/csv"},
    )
    assert imported.status_code == 200, imported.text
    found = api.get("/api/v1/recommendations", params={"country": "IT", "page_size": 200})
    return Italy(ministry, publisher, bologna, torino, bologna_name, found.json()["items"])


def visit(page: Page, axe: Axe, name: str, *, stops: int = 30) -> None:
    """Screenshot, axe-core, no sideways scrolling on a phone, and the focus indicator of the
    first ``stops`` links and controls, measured."""
    check_page(axe, page, name)
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size or DESKTOP
    assert width <= viewport["width"], f"{name}: {width}px wide on a {viewport['width']}px screen"
    problems = focus_problems(page, stops=stops)
    assert not problems, f"{name}: " + "; ".join(problems)


def focus_problems(page: Page, *, stops: int) -> list[str]:
    """Tab from the top through up to ``stops`` links and controls, measuring each one's
    focus indicator; the end of the page (the focus leaving it) ends the walk."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press("Home")
    found: list[str] = []
    for _ in range(stops):
        focus = tab(page)
        if focus.element == "body":
            break
        found += focus.problems()
    return found


def sign_in(page: Page, officer: Officer) -> None:
    page.goto("/login")
    page.get_by_label("E-mail address").fill(officer.email)
    page.get_by_label("Password").fill(officer.password)
    page.get_by_role("button", name="Sign in").click()


def enter(page: Page, stack: Stack, officer: Officer, size: str) -> None:
    """Sign in: with the form on the desktop; on the phone with the session the form would
    have given (the same token), since the platform allows ten sign-ins a minute per address
    and every browser test comes from this machine's."""
    if size == "desktop":
        sign_in(page, officer)
        return
    page.context.add_cookies(
        [{"name": "lr_session", "value": officer.token, "url": stack.gateway_url}]
    )


def open_page(browser: Browser, stack: Stack, size: str) -> Page:
    return new_page(browser, stack.gateway_url, accept_downloads=True, **SIZES[size])


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_publishers_day(
    browser: Browser, stack: Stack, api: httpx.Client, italy: Italy, axe: Axe, size: str
) -> None:
    """Publish a country visit, see who will get it, see it delivered; import a calendar."""
    title = f"Special Rapporteur on adequate housing to visit Italy ({size} {secrets.token_hex(2)})"
    page = open_page(browser, stack, size)
    try:
        enter(page, stack, italy.publisher, size)
        if size == "desktop":
            expect(page).to_have_url(re.compile(r"/publisher$"))  # not the residents' home
        page.goto("/publisher")
        visit(page, axe, f"publisher-1-start-{size}")
        page.get_by_role("link", name="Publish an alert").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Publish an alert")
        page.get_by_label("Kind of alert").select_option("country_visit")
        page.get_by_label("Stage", exact=True).select_option("announced")
        page.get_by_label("Mechanism").select_option(label="Special Rapporteur on adequate housing")
        page.get_by_label("Country", exact=True).select_option(label="Italy")
        page.get_by_label("Places in the country (optional)").fill("Bologna")
        page.locator("#title-en").fill(title)
        page.locator("#how_to_take_part-en").fill(
            "Cities may send information on evictions and host a site visit."
        )
        start = date.today() + timedelta(days=120)
        page.locator("#starts_on").fill(start.isoformat())
        page.locator("#ends_on").fill((start + timedelta(days=10)).isoformat())
        page.get_by_role("checkbox", name="Housing", exact=True).check()
        visit(page, axe, f"publisher-2-alert-form-{size}", stops=12)
        page.get_by_role("button", name="Check who will receive it").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Check the alert before publishing it"
        )
        expect(page.locator(".panel-reach")).to_contain_text("It will reach")
        visit(page, axe, f"publisher-3-check-{size}")
        page.get_by_role("button", name="Publish the alert").click()
        expect(page.get_by_role("status")).to_contain_text("The alert is published")
        for _ in range(60):  # the fan-out crosses the broker
            if italy.bologna_name in page.locator("#main").inner_text():
                break
            page.wait_for_timeout(500)
            page.reload()
        deliveries = page.get_by_role("row", name=re.compile(re.escape(italy.bologna_name)))
        expect(deliveries).to_contain_text("Delivered")
        visit(page, axe, f"publisher-4-alert-delivered-{size}")
        page.get_by_role("link", name="Change the alert").click()
        expect(page.locator("#title-en")).to_have_value(title)
        visit(page, axe, f"publisher-5-alert-edit-{size}", stops=10)
        page.go_back()
        page.get_by_role("link", name="Cancel the alert").click()
        visit(page, axe, f"publisher-6-alert-cancel-{size}")
        page.get_by_role("link", name="No, keep it").click()

        page.get_by_role("link", name="Import a calendar", exact=True).click()
        visit(page, axe, f"publisher-7-calendar-{size}")
        calendar = (
            "State under review,Session,Date of review,Deadline for submissions\n"
            f"Italy,{50 + len(size)},2027-11-10,2027-08-01\n"
            f"San Marino,{50 + len(size)},2027-11-11,\n"
        )
        page.get_by_label("Calendar file (CSV or iCalendar)").set_input_files(
            files=[{"name": "upr-session.csv", "mimeType": "text/csv", "buffer": calendar.encode()}]
        )
        page.get_by_role("button", name="Show the alerts it holds").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Check the calendar's alerts")
        expect(page.locator("#main")).to_contain_text("Universal Periodic Review: San Marino")
        visit(page, axe, f"publisher-8-calendar-check-{size}")
        page.get_by_role("button", name="Publish these 2 alerts").click()
        expect(page.get_by_role("status")).to_contain_text("The calendar's alerts are published")
    finally:
        page.context.close()
    alerts = api.get("/api/v1/alerts", params={"country": "IT", "limit": 50}).json()["items"]
    assert any(a["title"]["en"] == title and a["jurisdictions"] == ["IT-BO"] for a in alerts)


def _invitation(
    api: httpx.Client, italy: Italy, marker: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A visit announced to Italy, and an open exercise of the ministry inviting Bologna."""
    visit_alert = api.post(
        "/api/v1/alerts",
        json={
            "kind": "country_visit",
            "stage": "announced",
            "country": "IT",
            "mechanism": "SR on extreme poverty",
            "title": {"en": f"Special Rapporteur on extreme poverty to visit Italy {marker}"},
            "how_to_take_part": {"en": "Municipalities may send figures on poverty by district."},
            "starts_on": (date.today() + timedelta(days=60)).isoformat(),
        },
        headers=bearer(italy.publisher.token),
    )
    assert visit_alert.status_code == 201, visit_alert.text
    exercise = api.post(
        "/api/v1/exercises",
        json={
            "report_type": "upr_midterm_report",
            "country": "IT",
            "mechanism": "UPR",
            "title": f"Italy UPR mid-term report: local input {marker}",
            "deadline": "2027-05-31",
            "recommendation_ids": [italy.recommendations[0]["id"]],
            "invited_institution_ids": [italy.bologna.institution_id],
        },
        headers=bearer(italy.ministry.token),
    )
    assert exercise.status_code == 201, exercise.text
    opened = api.post(
        f"/api/v1/exercises/{exercise.json()['id']}/open", headers=bearer(italy.ministry.token)
    )
    assert opened.status_code == 200
    return visit_alert.json(), exercise.json()


def _consultation(api: httpx.Client, italy: Italy, title: str) -> dict[str, Any]:
    definition = every_question_type()
    definition.update(
        jurisdiction="IT-BO",
        municipality="Bologna",
        title={"en": title, "fr": title, "es": title},
    )
    created = api.post(
        "/api/v1/consultations", json=definition, headers=bearer(italy.bologna.token)
    )
    assert created.status_code == 201, created.text
    cid = created.json()["id"]
    api.post(f"/api/v1/consultations/{cid}/open", headers=bearer(italy.bologna.token))
    return dict(created.json())


def _press(page: Page, target: Any, key: str = "Enter") -> None:
    """Reach ``target`` with Tab alone, then press ``key``: how a keyboard user acts."""
    tab_to(page, target, limit=400)
    page.keyboard.press(key)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_an_officers_day(
    browser: Browser, stack: Stack, api: httpx.Client, italy: Italy, axe: Axe, size: str
) -> None:
    """Read the visit in the inbox, follow the invitation to the exercise, give input with a
    consultation chosen by its title. On the desktop, with the keyboard alone."""
    keyboard = size == "desktop"
    marker = secrets.token_hex(3)
    alert, exercise = _invitation(api, italy, marker)
    consultation_title = f"Evictions in Bologna {marker}"
    consultation = _consultation(api, italy, consultation_title)
    page = open_page(browser, stack, size)
    try:
        page.goto("/login")
        if keyboard:
            tab_to(page, page.get_by_label("E-mail address"))
            page.keyboard.type(italy.bologna.email)
            page.keyboard.press("Tab")
            page.keyboard.type(italy.bologna.password)
            page.keyboard.press("Enter")
            expect(page).to_have_url(re.compile(r"/officer$"))
        else:
            enter(page, stack, italy.bologna, size)
            page.goto("/officer")
        visit(page, axe, f"officer-1-start-{size}")

        inbox_link = page.get_by_role("navigation", name="Main").get_by_role("link", name="Inbox")
        if keyboard:
            _press(page, inbox_link)
        else:
            inbox_link.click()
        alert_title = alert["title"]["en"]
        for _ in range(60):  # alerts and invitations cross the broker
            if (
                alert_title in page.locator("#main").inner_text()
                and exercise["title"] in page.locator("#main").inner_text()
            ):
                break
            page.wait_for_timeout(500)
            page.reload()
        visit(page, axe, f"officer-2-inbox-{size}")
        item = page.get_by_role("link", name=re.compile(re.escape(alert_title)))
        if keyboard:
            _press(page, item)
        else:
            item.click()
        expect(page.get_by_role("heading", level=1)).to_have_text(alert_title)
        expect(page.locator("#main")).to_contain_text(
            "Municipalities may send figures on poverty by district."
        )
        expect(page.locator("#main")).to_contain_text("Special Rapporteur on extreme poverty")
        visit(page, axe, f"officer-3-inbox-visit-{size}")

        page.go_back()
        page.reload()
        invitation = page.get_by_role("link", name=re.compile(re.escape(exercise["title"])))
        if keyboard:
            _press(page, invitation)
        else:
            invitation.click()
        visit(page, axe, f"officer-4-inbox-invitation-{size}")
        onward = page.get_by_role("link", name="Open the exercise and give your input")
        if keyboard:
            _press(page, onward)
        else:
            onward.click()
        expect(page).to_have_url(re.compile(f"/officer/exercises/{exercise['id']}$"))
        visit(page, axe, f"officer-5-exercise-{size}")
        give = page.get_by_role("link", name=re.compile("^Give input"))
        if keyboard:
            _press(page, give)
        else:
            give.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Input on a recommendation")
        visit(page, axe, f"officer-6-input-form-{size}", stops=12)
        status = page.get_by_role("radio", name="In progress")
        measures = page.get_by_label("Measures taken")
        chooser = page.get_by_label(re.compile("A consultation of residents"))
        if keyboard:
            _press(page, status, "Space")
            tab_to(page, measures)
            page.keyboard.type("Evictions are mediated by the city's housing agency.")
            tab_to(page, chooser)
            page.keyboard.type(consultation_title)  # a closed select follows typed letters
            _press(page, page.get_by_role("button", name="Save the input"))
        else:
            status.check()
            measures.fill("Evictions are mediated by the city's housing agency.")
            chooser.select_option(label=f"{consultation_title} (Open)")
            page.get_by_role("button", name="Save the input").click()
        expect(page.get_by_role("status")).to_contain_text("Your input has been saved.")
        visit(page, axe, f"officer-7-input-saved-{size}")

        for path, name in (
            ("/officer/subscriptions", "8-subscriptions"),
            ("/officer/subscriptions/new", "9-subscription-form"),
            ("/officer/consultations", "10-consultations"),
            ("/officer/consultations/new", "11-consultation-editor"),
            (f"/officer/consultations/{consultation['id']}/edit", "12-consultation-locked"),
        ):
            page.goto(path)
            visit(page, axe, f"officer-{name}-{size}", stops=15)
        page.goto("/ministry")  # another role's page: refused in the site's layout
        expect(page.get_by_role("heading", level=1)).to_have_text("You cannot see this page")
        visit(page, axe, f"error-403-officer-{size}")
    finally:
        page.context.close()
    inputs = api.get(
        f"/api/v1/exercises/{exercise['id']}/inputs", headers=bearer(italy.ministry.token)
    ).json()
    assert [i["consultation_id"] for i in inputs] == [consultation["id"]]


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_ministrys_day(
    browser: Browser, stack: Stack, api: httpx.Client, italy: Italy, axe: Axe, size: str
) -> None:
    """Pick recommendations and institutions by name, open the exercise, follow coverage,
    remind, download the annex named after the exercise; import a file and follow it."""
    title = f"UPR mid-term report 2027, violence and disability ({size} {secrets.token_hex(2)})"
    page = open_page(browser, stack, size)
    try:
        enter(page, stack, italy.ministry, size)
        if size == "desktop":
            expect(page).to_have_url(re.compile(r"/ministry$"))
        page.goto("/ministry")
        visit(page, axe, f"ministry-1-start-{size}")
        page.goto("/ministry/recommendations")
        visit(page, axe, f"ministry-2-recommendations-{size}")
        for text in (
            "Continue to fight violence against women",
            "Promote the inclusion of persons",
        ):
            page.get_by_role("checkbox", name=re.compile(text)).check()
        page.get_by_label("Level of government", exact=True).last.select_option("local")
        page.get_by_label("Regions or municipalities that own them").fill("Bologna, Torino")
        page.get_by_role("button", name="Set the level for the chosen ones").click()
        expect(page.get_by_role("status").first).to_contain_text("The level of government is set")
        expect(page.locator("#chosen-count")).to_contain_text("2 chosen")
        page.get_by_role("button", name="Start an exercise with the chosen ones").click()
        expect(page.locator("#chosen-recommendations")).to_contain_text("2 recommendations chosen")
        page.get_by_label("Name contains").fill("Comune di")
        page.get_by_role("button", name="Find institutions").click()
        visit(page, axe, f"ministry-3-exercise-builder-{size}", stops=15)
        for officer_name in (italy.bologna_name, italy.bologna_name.replace("Bologna", "Torino")):
            page.get_by_role("checkbox", name=officer_name).check()
        page.get_by_label("Title", exact=True).fill(title)
        page.get_by_label("Deadline for the input").fill("2027-05-31")
        page.get_by_role("button", name="Create the exercise").click()
        expect(page.get_by_role("status")).to_contain_text("The exercise is created as a draft")
        visit(page, axe, f"ministry-4-exercise-draft-{size}")
        page.get_by_role("button", name="Open it and invite the institutions").click()
        expect(page.get_by_role("status")).to_contain_text("The exercise is open")
        exercise_id = page.url.split("/ministry/exercises/")[1].split("?")[0]
        chosen = api.get(
            f"/api/v1/exercises/{exercise_id}/recommendations", headers=bearer(italy.ministry.token)
        ).json()
        given = api.post(
            f"/api/v1/exercises/{exercise_id}/inputs",
            json={
                "recommendation_id": chosen[0]["id"],
                "status": "in_progress",
                "measures_taken": "Two shelters opened with the region.",
            },
            headers=bearer(italy.bologna.token),
        )
        assert given.status_code == 201, given.text

        page.get_by_role("link", name="Who answered").click()
        bologna_row = page.get_by_role("row", name=re.compile(re.escape(italy.bologna_name)))
        expect(bologna_row).to_contain_text("1 of 2")
        expect(bologna_row).to_contain_text("Bologna, Italy")
        visit(page, axe, f"ministry-5-coverage-{size}")
        page.get_by_role("button", name="Send a reminder to 2 institutions").click()
        expect(page.get_by_role("status")).to_contain_text("The reminder is sent")

        page.get_by_role("link", name="Read and download the annex").click()
        expect(page.locator("#main")).to_contain_text("Two shelters opened with the region.")
        visit(page, axe, f"ministry-6-annex-{size}")
        with page.expect_download() as download:
            page.get_by_role("link", name=re.compile("To read and print")).click()
        assert download.value.suggested_filename == "Italy UPR mid-term 2027 – annex.html"
        DOWNLOADS.mkdir(parents=True, exist_ok=True)
        download.value.save_as(DOWNLOADS / f"ministry-annex-{size}.html")
        with page.expect_download() as data:
            page.get_by_role("link", name=re.compile("As data")).click()
        assert data.value.suggested_filename == "Italy UPR mid-term 2027 – annex.json"

        page.get_by_role("navigation", name="Main").get_by_role(
            "link", name="Import recommendations"
        ).click()
        visit(page, axe, f"ministry-7-import-{size}")
        page.get_by_label("File").set_input_files(
            str(ROOT / "tests" / "data" / "upr_info_sample.csv")
        )
        page.get_by_role("button", name="Import", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Import report", timeout=60_000)
        expect(page.locator("#main")).to_contain_text("Rows left out")
        visit(page, axe, f"ministry-8-import-report-{size}")
        page.goto("/ministry/no-such-page")
        visit(page, axe, f"error-404-ministry-{size}")
    finally:
        page.context.close()
    inbox = api.get(
        "/api/v1/inbox", params={"kind": "reminder"}, headers=bearer(italy.torino.token)
    )
    assert inbox.status_code == 200


def test_the_api_documentation_is_served_and_passes_axe(
    browser: Browser, stack: Stack, axe: Axe
) -> None:
    for size in SIZES:
        page = open_page(browser, stack, size)
        try:
            page.goto("/docs")
            expect(page.locator(".opblock").first).to_be_visible(timeout=30_000)
            visit(page, axe, f"api-docs-{size}", stops=20)
        finally:
            page.context.close()


def test_a_session_renewed_while_typing_keeps_the_form(
    browser: Browser, stack: Stack, italy: Italy
) -> None:
    """A form sent after the session ended comes back after signing in, then is sent."""
    page = open_page(browser, stack, "desktop")
    try:
        enter(page, stack, italy.torino, "phone")  # the form's sign-in comes below
        page.goto("/officer/subscriptions/new")
        page.get_by_label("Name (optional)").fill("Visits to Piedmont")
        page.context.clear_cookies(name="lr_session")  # the session ends while typing
        page.get_by_role("button", name="Create the subscription").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
        expect(page.locator(".notice")).to_contain_text("what you wrote is kept")
        page.get_by_label("E-mail address").fill(italy.torino.email)
        page.get_by_label("Password").fill(italy.torino.password)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("You are signed in again")
        page.get_by_role("button", name="Send what you wrote").click()
        expect(page.get_by_role("rowheader", name="Visits to Piedmont")).to_be_visible()
    finally:
        page.context.close()


assert PHONE["width"] == 390  # the phone the pages are checked on
