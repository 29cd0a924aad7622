"""Residents using the web front in a real browser (headless chromium); the back office is
in test_back_office.py.

Each page a test visits is screenshot and checked by axe-core: no serious or critical
accessibility violation is allowed.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from launch import Stack
from playwright.sync_api import Browser, Page, expect
from web_factories import Officer, bearer, open_consultation

from .browser_kit import (
    PHONE,
    answer_every_question,
    blocking_violations,
    check_page,
    new_page,
    screenshot,
)

pytestmark = [pytest.mark.browser, pytest.mark.stack]


class TestResident:
    def test_answers_every_question_type_on_a_phone(
        self, phone: Page, api: httpx.Client, officer: Officer, axe: Axe
    ) -> None:
        consultation = open_consultation(api, officer)
        phone.goto("/?country=UY&jurisdiction=UY-MO")
        expect(phone.get_by_role("heading", level=1)).to_be_visible()
        check_page(axe, phone, "resident-1-home-phone")

        phone.get_by_role("link", name="Our neighbourhood's priorities").first.click()
        expect(phone).to_have_url(re.compile(f"/consultations/{consultation['id']}"))
        check_page(axe, phone, "resident-2-consultation-phone")
        # Nothing is wider than the phone's screen (no sideways scrolling to answer).
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"]

        # Sent with nothing answered: the server's list of mistakes, linked to the fields.
        phone.get_by_role("button", name="Send my answers").click()
        expect(phone.locator(".error-summary")).to_contain_text("Do you feel safe at night?")
        expect(phone.locator(".error-summary")).to_be_focused()
        check_page(axe, phone, "resident-3-mistakes-phone")

        answer_every_question(phone)
        # The running total follows the amounts as they are typed (site.js), and warns when
        # the budget is exceeded; the server checks the total again in any case.
        total = phone.locator(".budget-total")
        expect(total).to_contain_text("Given so far: 900 of 1,000 UYU")
        phone.get_by_label(re.compile("Street lights")).fill("500")
        expect(total).to_contain_text("Given so far: 1,100 of 1,000 UYU")
        expect(total).to_contain_text("This is more than the budget")
        check_page(axe, phone, "resident-4-budget-over-phone")
        phone.get_by_label(re.compile("Street lights")).fill("300")
        expect(total).not_to_contain_text("more than the budget")

        phone.get_by_role("button", name="Send my answers").click()
        expect(phone.get_by_role("heading", level=1)).to_contain_text("Your answers have been sent")
        check_page(axe, phone, "resident-5-thanks-phone")
        results = api.get(
            f"/api/v1/consultations/{consultation['id']}/results", headers=bearer(officer.token)
        )
        assert results.json()["response_count"] == 1

    def test_answers_without_javascript_and_mistakes_are_linked_to_their_field(
        self, browser: Browser, stack: Stack, api: httpx.Client, officer: Officer
    ) -> None:
        consultation = open_consultation(api, officer)
        page = new_page(
            browser,
            stack.gateway_url,
            viewport=PHONE,
            is_mobile=True,
            has_touch=True,
            java_script_enabled=False,
            locale="es-UY",
        )
        try:
            page.goto(f"/consultations/{consultation['id']}")
            expect(page.locator("html")).to_have_attribute("lang", "es")
            page.get_by_role("button", name="Enviar mis respuestas").click()
            # The required question is missing: the summary lists it and links to its field.
            summary = page.locator(".error-summary")
            expect(summary).to_contain_text("¿Se siente seguro de noche?")
            # axe-core is a script: it cannot run here; the same page is checked with it above.
            screenshot(page, "resident-6-mistakes-no-js-es")
            summary.get_by_role("link").first.click()
            expect(page).to_have_url(re.compile("#q-safety$"))

            page.get_by_role("radio", name="Sí").check()
            budget = page.get_by_role("group", name=re.compile("Reparta el presupuesto"))
            budget.get_by_label(re.compile("Parque nuevo")).fill("400")
            page.get_by_role("button", name="Enviar mis respuestas").click()
            expect(page.get_by_role("heading", level=1)).to_contain_text(
                "Sus respuestas se han enviado"
            )
            screenshot(page, "resident-7-thanks-no-js-es")
        finally:
            page.context.close()

    def test_published_results_are_readable_tables(
        self, desktop: Page, api: httpx.Client, officer: Officer, axe: Axe
    ) -> None:
        consultation = open_consultation(api, officer)
        cid = consultation["id"]
        answers: dict[str, Any] = {
            "safety": "o1",
            "services": ["o1", "o3"],
            "housing": 4,
            "order": ["o2", "o1", "o3"],
            "budget": {"park": 600, "lights": 400},
            "age": "young",
        }
        for n in range(5):  # the smallest group the results show
            sent = api.post(
                f"/api/v1/consultations/{cid}/responses",
                json={"answers": answers, "language": "en"},
                headers={"User-Agent": f"phone-{n}", "Idempotency-Key": uuid.uuid4().hex},
            )
            assert sent.status_code in (200, 201), sent.text
        for step in ("close", "publish"):
            api.post(f"/api/v1/consultations/{cid}/{step}", headers=bearer(officer.token))
        desktop.goto(f"/consultations/{cid}/results")
        safety = desktop.get_by_role("region", name="Do you feel safe at night?")
        safety.get_by_text("The figures as a table").click()
        yes = safety.get_by_role("row", name=re.compile("^Yes"))
        expect(yes).to_contain_text("5")
        expect(yes).to_contain_text("100%")
        check_page(axe, desktop, "resident-8-results")
        desktop.get_by_label("Show the results").select_option(
            label="Groups side by side: Your age"
        )
        desktop.get_by_role("button", name="Show", exact=True).click()
        expect(desktop.get_by_text("Under 30 (5 people)").first).to_be_attached()
        check_page(axe, desktop, "resident-9-results-by-age")


class TestTheAccessibilityCheck:
    def test_catches_serious_and_critical_violations(self, desktop: Page, axe: Axe) -> None:
        # The gate above is only worth something if it fails on a page that breaks the rules.
        desktop.set_content(
            '<html lang="en"><head><title>Broken</title></head><body><main>'
            '<img src="data:,"><button></button><input type="text"></main></body></html>'
        )
        found = " ".join(blocking_violations(axe, desktop))
        assert "image-alt (critical)" in found
        assert "button-name (critical)" in found
        assert "label (critical)" in found
