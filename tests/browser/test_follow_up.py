"""Follow-up between reviews in a real browser: a resident reads a place's, a country's and a
recommendation's follow-up and downloads the statuses; Bologna's officer reports a status and
an indicator's value by sex on a phone; the ministry returns one status with a reason,
validates another and confirms a repeat. Every page on a desktop and a phone is screenshot
and checked by axe-core (no serious or critical violation), the focus indicator measured."""

from __future__ import annotations

import re
from datetime import date

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from launch import Stack
from playwright.sync_api import Browser, Page, expect
from web_factories import FollowUpWorld, Officer, follow_up_world, suggested_repeats, token_for

from .browser_kit import DOWNLOADS, PHONE_OPTIONS, check_both_sizes, check_page, new_page

pytestmark = [pytest.mark.browser, pytest.mark.stack]


@pytest.fixture(scope="module")
def world(api: httpx.Client, stack: Stack) -> FollowUpWorld:
    """Italy's ministry, Bologna (publishing) and Torino, two UPR cycles, statuses and an
    indicator observed three times by sex: made through the public API."""
    return follow_up_world(api, token_for(api, *stack.admin))


def sign_in(page: Page, officer: Officer, path: str) -> None:
    page.goto(f"/login?next={path}")
    page.get_by_label("E-mail address").fill(officer.email)
    page.get_by_label("Password").fill(officer.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))


class TestResident:
    def test_every_follow_up_page_on_a_desktop_and_a_phone(
        self, browser: Browser, stack: Stack, axe: Axe, world: FollowUpWorld
    ) -> None:
        housing = world.recommendations["housing_20"]
        for path, name in (
            ("/places/IT-BO/follow-up", "follow-up-1-place"),
            (f"/follow-up/recommendations/{housing}", "follow-up-2-recommendation"),
            ("/follow-up/countries/IT", "follow-up-3-country"),
        ):
            check_both_sizes(browser, stack.gateway_url, axe, path, name)

    def test_reads_bolognas_statuses_and_indicator_and_downloads_them(
        self, desktop: Page, axe: Axe, world: FollowUpWorld
    ) -> None:
        desktop.goto("/places/IT-BO/follow-up")
        expect(desktop.get_by_role("heading", level=1)).to_contain_text("Bologna")
        # Torino does not publish: Bologna's page never shows Torino's status.
        expect(desktop.get_by_text("Budget not yet allocated")).to_have_count(0)
        indicator = desktop.locator("section.result").filter(
            has_text="Households waiting for social housing"
        )
        indicator.get_by_text("The figures as a table").first.click()
        expect(indicator.get_by_role("table").first).to_contain_text("4,120")
        with desktop.expect_download() as waiting:
            desktop.get_by_role("link", name=re.compile("CSV.*follow-up statuses")).click()
        download = waiting.value
        assert download.suggested_filename == "Bologna – follow-up statuses.csv"
        DOWNLOADS.mkdir(parents=True, exist_ok=True)
        saved = DOWNLOADS / "bologna-follow-up-statuses.csv"
        download.save_as(saved)
        content = saved.read_text(encoding="utf-8-sig")
        assert "partially_implemented" in content or "Partially implemented" in content

        desktop.goto(f"/follow-up/recommendations/{world.recommendations['housing_20']}")
        expect(desktop.get_by_text("Two new social housing blocks in Navile")).to_be_visible()
        check_page(axe, desktop, "follow-up-4-recommendation-timeline")


class TestOfficer:
    def test_reports_a_status_and_records_a_value_by_sex_on_a_phone(
        self, browser: Browser, stack: Stack, axe: Axe, world: FollowUpWorld
    ) -> None:
        page = new_page(browser, stack.gateway_url, **PHONE_OPTIONS)
        try:
            sign_in(page, world.bologna, "/officer/follow-up")
            check_page(axe, page, "officer-follow-up-1-home-phone")
            page.get_by_label("Words of the recommendation").fill("Roma")
            page.get_by_role("button", name="Find", exact=True).click()
            page.get_by_role("link", name=re.compile("^Report where it stands")).first.click()
            expect(page.get_by_role("heading", level=1)).to_have_text(
                "Where a recommendation stands"
            )
            check_page(axe, page, "officer-follow-up-2-status-form-phone")
            page.get_by_label("On which day").fill("")
            page.get_by_role("button", name="Save the status").click()
            # No day: the mistake is named above the form and beside its field.
            expect(page.get_by_text("Enter the date as year-month-day").first).to_be_visible()
            check_page(axe, page, "officer-follow-up-3-status-mistakes-phone")
            page.get_by_role("radio", name="Partially implemented").check()
            page.get_by_label("On which day").fill(date.today().isoformat())
            page.get_by_label("What was done (optional)").fill("School mediators in two districts")
            page.get_by_role("button", name="Save the status").click()
            expect(page.get_by_role("status")).to_be_visible()
            check_page(axe, page, "officer-follow-up-4-status-saved-phone")

            page.goto(f"/officer/follow-up/indicators/{world.indicator_id}")
            check_page(axe, page, "officer-follow-up-5-value-form-phone")
            page.get_by_label("The day the value describes").fill(date.today().isoformat())
            page.get_by_label(re.compile("^Value")).fill("4050")
            page.get_by_label("Women", exact=True).fill("2430")
            page.get_by_label("Men", exact=True).fill("1620")
            page.get_by_role("button", name=re.compile("Save")).click()
            expect(page.get_by_role("status")).to_be_visible()
            check_page(axe, page, "officer-follow-up-6-value-saved-phone")

            page.goto("/officer/follow-up/indicators/new")
            check_page(axe, page, "officer-follow-up-7-indicator-form-phone")
        finally:
            page.context.close()


class TestMinistry:
    def test_returns_a_status_with_a_reason_validates_one_and_confirms_a_repeat(
        self, desktop: Page, api: httpx.Client, axe: Axe, world: FollowUpWorld
    ) -> None:
        assert suggested_repeats(api), "the import's repeats were not suggested"
        sign_in(desktop, world.ministry, "/ministry/follow-up")
        check_page(axe, desktop, "ministry-follow-up-1-reviews")
        card = desktop.locator(".card").filter(has_text="Budget not yet allocated")
        card.get_by_label("Or return it, saying why").fill("Say when the budget is voted")
        card.get_by_role("button", name=re.compile("^Return to the institution")).click()
        expect(desktop.get_by_role("status")).to_be_visible()
        check_page(axe, desktop, "ministry-follow-up-2-returned")
        desktop.locator(".card").filter(has_text="Bologna").first.get_by_role(
            "button", name=re.compile("^Validate")
        ).click()
        expect(desktop.get_by_role("status")).to_be_visible()
        desktop.get_by_role("button", name=re.compile("^Confirm: the same ask")).first.click()
        expect(desktop.get_by_role("status")).to_contain_text("timeline now continues")
        check_page(axe, desktop, "ministry-follow-up-3-confirmed")
