"""Residents in a real browser: finding a consultation by a place's name, answering it on a
phone, following the place; reading published results with groups side by side and
downloading them; every resident page on a desktop and a phone, checked by axe-core, with
the focus indicator measured (the header's included)."""

from __future__ import annotations

import csv
import io
import re
import secrets
from typing import Any

import feedparser
import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from launch import Stack
from playwright.sync_api import Browser, Page, expect
from web_factories import (
    Officer,
    bearer,
    every_question_type,
    make_officer,
    open_consultation,
    token_for,
)

from .browser_kit import (
    DOWNLOADS,
    PHONE,
    answer_every_question,
    check_both_sizes,
    check_page,
    focus_problems_on_the_way,
    new_page,
    tab_to,
)

pytestmark = [pytest.mark.browser, pytest.mark.stack]


def answer_as(api: httpx.Client, cid: str, n: int, answers: dict[str, Any]) -> None:
    """One resident's answers, from an address of their own (the gateway limits per address)."""
    sent = api.post(
        f"/api/v1/consultations/{cid}/responses",
        json={"answers": answers, "language": "en"},
        headers={
            "User-Agent": f"resident-phone-{n}",
            "X-Forwarded-For": f"10.9.{n // 250}.{n % 250}",
        },
    )
    assert sent.status_code == 201, sent.text


@pytest.fixture(scope="module")
def canelones(api: httpx.Client, stack: Stack) -> tuple[Officer, dict[str, Any], str]:
    """The Intendencia de Canelones and an open consultation of Ciudad de la Costa."""
    officer = make_officer(
        api,
        token_for(api, *stack.admin),
        jurisdiction="UY-CA",
        name=f"Intendencia de Canelones {secrets.token_hex(2)}",
    )
    marker = f"Costa {secrets.token_hex(2)}"
    definition = every_question_type(title_prefix=f"{marker}: ")
    definition |= {
        "jurisdiction": "UY-CA",
        "municipality": "Ciudad de la Costa",
        "topics": ["safety"],
    }
    return officer, open_consultation(api, officer, definition), marker


@pytest.fixture(scope="module")
def published(api: httpx.Client, officer: Officer) -> dict[str, Any]:
    """A consultation of Montevideo answered by 7 people under 30 and 6 of 30 or more,
    closed and published with what happens next."""
    marker = f"Parks {secrets.token_hex(2)}"
    consultation = open_consultation(api, officer, every_question_type(title_prefix=f"{marker}: "))
    cid = consultation["id"]
    for n in range(13):
        young = n < 7
        answer_as(
            api,
            cid,
            n,
            {
                "safety": "o1" if (n % 3 if young else n % 2) else "o2",
                "services": ["o1", "o3"] if young else ["o2"],
                "housing": 2 + n % 4,
                "order": ["o2", "o1", "o3"] if young else ["o1", "o3", "o2"],
                "budget": {"park": 600, "lights": 300} if young else {"park": 200, "lights": 500},
                "age": "young" if young else "older",
            },
        )
    for step in ("close", "publish"):
        body = {"what_happens_next": {"en": "The council votes on the parks plan in March 2027."}}
        done = api.post(
            f"/api/v1/consultations/{cid}/{step}",
            json=body if step == "publish" else None,
            headers=bearer(officer.token),
        )
        assert done.status_code == 200, done.text
    return {**consultation, "marker": marker}


class TestAResidentFindsAnswersAndFollows:
    def test_by_typing_the_place_on_a_phone(
        self,
        browser: Browser,
        stack: Stack,
        canelones: tuple[Officer, dict[str, Any], str],
        axe: Axe,
    ) -> None:
        officer, consultation, marker = canelones
        phone = new_page(
            browser,
            stack.gateway_url,
            locale="en-GB",
            viewport=PHONE,
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
        )
        try:
            phone.goto("/")
            phone.get_by_label("Place").fill("canelones")
            phone.get_by_role("button", name="Search").click()
            expect(
                phone.get_by_role("heading", level=2, name=re.compile("open for answers"))
            ).to_be_visible()
            card = phone.get_by_role("listitem").filter(has_text=marker)
            expect(card).to_contain_text("Ciudad de la Costa, Canelones, Uruguay")
            expect(card).to_contain_text("Asked by: Intendencia de Canelones")
            expect(card).to_contain_text(re.compile(r"Open until .+ \(Uruguay Time\)"))
            check_page(axe, phone, "resident-a1-found-by-place-phone")

            card.get_by_role("link", name=re.compile(marker)).click()
            expect(phone).to_have_url(re.compile(f"/consultations/{consultation['id']}"))
            check_page(axe, phone, "resident-a2-consultation-phone")
            answer_every_question(phone)
            phone.get_by_role("button", name="Send my answers").click()
            expect(phone.get_by_role("heading", level=1)).to_contain_text(
                "Your answers have been sent"
            )
            check_page(axe, phone, "resident-a3-thanks-phone")

            phone.get_by_role("link", name=re.compile("Other consultations in Canelones")).click()
            expect(phone.get_by_role("heading", level=1)).to_contain_text("Canelones")
            check_page(axe, phone, "resident-a4-place-phone")
            feed_link = phone.get_by_role(
                "link", name="New consultations and results here (Atom feed)"
            )
            href = feed_link.get_attribute("href")
            assert href and "place=UY-CA" in href
            feed = phone.request.get(href)  # what a feed reader given this link reads
            assert feed.headers["content-type"].startswith("application/atom+xml")
            parsed = feedparser.parse(feed.text())
            assert any(marker in entry.title for entry in parsed.entries)
            entry = next(e for e in parsed.entries if marker in e.title)
            phone.goto(entry.link)  # the entry leads back to the consultation's page
            expect(phone.get_by_role("heading", level=1)).to_contain_text(marker)
        finally:
            phone.context.close()

    def test_back_after_a_refused_form_reloads_it_instead_of_resending(
        self, browser: Browser, stack: Stack, api: httpx.Client, officer: Officer, axe: Axe
    ) -> None:
        consultation = open_consultation(api, officer)
        page = new_page(browser, stack.gateway_url)
        try:
            page.goto(f"/consultations/{consultation['id']}")
            page.get_by_role("button", name="Send my answers").click()
            expect(page.locator(".error-summary")).to_be_focused()
            check_page(axe, page, "page-mistakes-desktop")
            answer_every_question(page)
            page.get_by_role("button", name="Send my answers").click()
            expect(page.get_by_role("heading", level=1)).to_contain_text(
                "Your answers have been sent"
            )
            page.go_back()  # to the page that listed the mistakes: reloaded, not resent
            expect(page.get_by_role("heading", level=1)).to_contain_text("Our neighbourhood")
            expect(page.locator(".error-summary")).to_have_count(0)
        finally:
            page.context.close()


class TestAResidentReadsPublishedResults:
    def test_compares_groups_side_by_side_and_downloads_the_csv(
        self, desktop: Page, published: dict[str, Any], axe: Axe
    ) -> None:
        marker = published["marker"]
        desktop.goto("/")
        desktop.get_by_label("Place").fill("Montevideo")
        desktop.get_by_label("Show consultations").select_option(label="With published results")
        desktop.get_by_role("button", name="Search").click()
        desktop.get_by_role("link", name=re.compile(marker)).click()
        expect(desktop.get_by_role("heading", level=1)).to_contain_text("Results")
        expect(desktop.locator("dl.summary-list")).to_contain_text("Intendencia de Montevideo")
        expect(desktop.get_by_role("region", name="What happens next")).to_contain_text(
            "March 2027"
        )
        expect(desktop.get_by_role("img", name="Do you feel safe at night?")).to_be_visible()
        check_page(axe, desktop, "resident-b1-results")

        desktop.get_by_label("Show the results").select_option(
            label="Groups side by side: Your age"
        )
        desktop.get_by_role("button", name="Show", exact=True).click()
        expect(
            desktop.get_by_role("heading", level=2, name="Groups side by side, by: Your age")
        ).to_be_visible()
        safety = desktop.get_by_role("region", name="Do you feel safe at night?")
        safety.get_by_text("The figures as a table").click()
        table = safety.get_by_role("table")
        expect(table.get_by_role("columnheader", name="Under 30 (7 people)")).to_be_visible()
        expect(table.get_by_role("columnheader", name="30 or more (6 people)")).to_be_visible()
        check_page(axe, desktop, "resident-b2-results-groups-side-by-side")

        with desktop.expect_download() as started:
            desktop.get_by_role("link", name="Results as a spreadsheet (CSV)").click()
        download = started.value
        assert download.suggested_filename.endswith("– results.csv")
        assert marker in download.suggested_filename
        DOWNLOADS.mkdir(parents=True, exist_ok=True)
        saved = DOWNLOADS / "published-results.csv"
        download.save_as(saved)
        rows = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8"))))
        groups = {r["group_label"] for r in rows if r["breakdown"] == "Your age"}
        assert groups == {"Under 30", "30 or more"}
        everyone = [r for r in rows if r["breakdown"] == "" and r["question_id"] == "safety"]
        assert everyone[0]["group_responses"] == "13"


class TestTheFocusIndicator:
    def test_reaches_3_to_1_in_the_header_and_on_the_page_measured(
        self, browser: Browser, stack: Stack, published: dict[str, Any]
    ) -> None:
        page = new_page(browser, stack.gateway_url)
        try:
            page.goto("/")
            seen, problems = focus_problems_on_the_way(page, stops=10)
            assert not problems, "; ".join(problems)
            # The skip link, the brand and the language links live on the navy header.
            header = [
                f for f in seen if f.label in ("Localrights", "English", "Français", "Español")
            ]
            assert len(header) == 4 and all(f.outline_ratio >= 3 for f in header)
            # With the keyboard alone to a control of the page body, measured too.
            found = tab_to(page, page.get_by_role("button", name="Search"))
            assert not found.problems()
            page.goto(f"/consultations/{published['id']}/results")
            found = tab_to(page, page.get_by_role("link", name="Results as a spreadsheet (CSV)"))
            assert not found.problems(), found
        finally:
            page.context.close()


class TestEveryResidentPage:
    def test_desktop_and_phone_pass_axe_with_a_visible_focus(
        self,
        browser: Browser,
        stack: Stack,
        axe: Axe,
        published: dict[str, Any],
        canelones: tuple[Officer, dict[str, Any], str],
    ) -> None:
        _officer, consultation, _marker = canelones
        pages = {
            "page-home": "/",
            "page-search-canelones": "/?place=canelones",
            "page-search-unknown-place": "/?place=Xyzzyville",
            "page-published-results-list": "/?status=published",
            "page-place-country": "/places/UY",
            "page-place-canelones": "/places/UY-CA",
            "page-consultation": f"/consultations/{consultation['id']}",
            "page-consultation-fr": f"/consultations/{consultation['id']}?lang=fr",
            "page-thanks": f"/consultations/{consultation['id']}/thanks?ref=3f2a9c1d",
            "page-results": f"/consultations/{published['id']}/results",
            "page-results-by-age": f"/consultations/{published['id']}/results?by=age",
            "page-results-es": f"/consultations/{published['id']}/results?by=age&lang=es",
            "page-help": "/help",
            "page-privacy": "/privacy",
            "page-privacy-fr": "/privacy?lang=fr",
            "page-accessibility-es": "/accessibility?lang=es",
            "page-error-404": "/no/such/page",
        }
        for name, path in pages.items():
            check_both_sizes(browser, stack.gateway_url, axe, path, name)

    def test_the_forbidden_page_for_an_officer(
        self, browser: Browser, stack: Stack, axe: Axe, officer: Officer
    ) -> None:
        page = new_page(browser, stack.gateway_url)
        try:
            page.goto("/login?next=/ministry/import")
            page.get_by_label("E-mail address").fill(officer.email)
            page.get_by_label("Password").fill(officer.password)
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_role("heading", level=1)).to_have_text("You cannot see this page")
            check_page(axe, page, "page-error-403-desktop")
            _seen, problems = focus_problems_on_the_way(page, stops=8)
            assert not problems, "; ".join(problems)
        finally:
            page.context.close()
