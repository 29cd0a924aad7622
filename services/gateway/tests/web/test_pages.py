"""The pages, read over HTTP from the started platform as a browser without JavaScript would."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from web_factories import Officer, every_question_type, open_consultation

pytestmark = pytest.mark.stack

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def error_summary(html: str) -> list[tuple[str, str]]:
    """(link target, message) of each entry of the error summary."""
    box = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', box.group(0)) if box else []


def good_answers(html: str, **overrides: Any) -> dict[str, Any]:
    answers: dict[str, Any] = {
        "csrf_token": csrf_of(html),
        "idempotency_key": re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1),  # type: ignore[union-attr]
        "lang": "en",
        "q-safety": "o1",
        "q-services": ["o1", "o3"],
        "q-housing": "4",
        "q-ideas": "More trees",
        "q-order-o1": "2",
        "q-order-o2": "1",
        "q-budget-park": "500",
        "q-budget-lights": "400",
        "q-age": "young",
    }
    answers.update(overrides)
    return answers


@pytest.fixture(scope="module")
def consultation(api: httpx.Client, officer: Officer) -> dict[str, Any]:
    return open_consultation(api, officer)


class TestResidentAnswers:
    def test_every_question_type_is_an_accessible_form_control(
        self, browser: httpx.Client, consultation: dict[str, Any]
    ) -> None:
        page = browser.get(f"/consultations/{consultation['id']}")
        assert page.status_code == 200
        html = page.text
        assert html.count("<h1>") == 1
        assert '<html lang="en"' in html
        assert 'href="#main"' in html and 'id="main"' in html
        # single choice and rating: radios; multiple choice: checkboxes with its bounds stated
        assert 'type="radio" id="q-safety" name="q-safety" value="o1"' in html
        assert 'type="checkbox" id="q-services" name="q-services"' in html
        # Optional: its lower bound holds only for an answer, so the hint does not say it.
        assert "Choose up to 2 options." in html and "at least" not in html
        assert 'type="radio" id="q-housing" name="q-housing" value="1"' in html
        # free text: a bounded textarea; ranking: one select per option; budget: amounts
        assert re.search(r'<textarea id="q-ideas" name="q-ideas"[^>]*maxlength="200"', html)
        assert '<select id="q-order" name="q-order-o1"' in html
        assert 'name="q-budget-park" value=""' in html and 'max="600"' in html
        assert "Given so far: 0 of 1,000 UYU" in html
        # every input has a label, every group a legend
        for control in re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', html):
            assert f'for="{control}"' in html, f"no label for {control}"
        assert html.count("<legend>") == 6  # all but the free-text question
        # the demographic question stands apart, marked optional
        about = html.split('id="about-you-title"')[1]
        assert "About you (optional)" in html and 'name="q-age"' in about
        assert '<script src="/static/site.js" defer></script>' in html
        assert "<script>" not in html and "style=" not in html

    def test_security_headers_and_cookies(
        self, browser: httpx.Client, consultation: dict[str, Any]
    ) -> None:
        page = browser.get(f"/consultations/{consultation['id']}")
        csp = page.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert page.headers["x-content-type-options"] == "nosniff"
        assert page.headers["cache-control"] == "no-store"
        cookie = page.headers["set-cookie"]
        assert "lr_csrf=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie

    def test_answers_are_sent_and_confirmed(
        self, browser: httpx.Client, api: httpx.Client, officer: Officer
    ) -> None:
        consultation = open_consultation(api, officer)
        form = browser.get(f"/consultations/{consultation['id']}").text
        sent = browser.post(f"/consultations/{consultation['id']}", data=good_answers(form))
        assert sent.status_code == 303, error_summary(sent.text)
        assert sent.headers["location"].startswith(f"/consultations/{consultation['id']}/thanks")
        thanks = browser.get(sent.headers["location"])
        assert "Your answers have been sent" in thanks.text
        # The response really reached the consultation service, through the public API.
        results = api.get(
            f"/api/v1/consultations/{consultation['id']}/results",
            headers={"Authorization": f"Bearer {officer.token}"},
        )
        assert results.json()["response_count"] == 1

    def test_resending_the_same_form_counts_once(
        self, browser: httpx.Client, api: httpx.Client, officer: Officer
    ) -> None:
        consultation = open_consultation(api, officer)
        form = browser.get(f"/consultations/{consultation['id']}").text
        answers = good_answers(form)
        for _ in range(2):
            assert (
                browser.post(f"/consultations/{consultation['id']}", data=answers).status_code
                == 303
            )
        results = api.get(
            f"/api/v1/consultations/{consultation['id']}/results",
            headers={"Authorization": f"Bearer {officer.token}"},
        )
        assert results.json()["response_count"] == 1

    def test_budget_over_the_total_is_refused_naming_the_question(
        self, browser: httpx.Client, consultation: dict[str, Any]
    ) -> None:
        form = browser.get(f"/consultations/{consultation['id']}").text
        answers = good_answers(form, **{"q-budget-park": "600", "q-budget-lights": "500"})
        refused = browser.post(f"/consultations/{consultation['id']}", data=answers)
        assert refused.status_code == 422
        assert error_summary(refused.text) == [
            (
                "q-budget",
                # Grouped as the running total below writes them.
                "Share the budget: the amounts add up to 1,100, more than the budget of 1,000",
            )
        ]
        html = refused.text
        # Back to this page later reloads it instead of offering to resend the form.
        assert '<body data-replace-history="true">' in html
        assert "<body>" in form
        assert html.startswith("<!doctype html>") and "<title>Error: " in html
        # the field is flagged and described by its message; what was typed is kept
        assert 'id="q-budget-error"' in html and 'aria-invalid="true"' in html
        assert 'name="q-budget-park" value="600"' in html
        assert 'value="o3" checked' in html
        assert "Given so far: 1,100 of 1,000 UYU" in html

    def test_each_mistake_is_listed_and_linked_to_its_field(
        self, browser: httpx.Client, consultation: dict[str, Any]
    ) -> None:
        form = browser.get(f"/consultations/{consultation['id']}").text
        answers = good_answers(
            form,
            **{
                "q-safety": "",
                "q-services": ["o1", "o2", "o3"],
                "q-ideas": "x" * 201,
                "q-order-o1": "1",
                "q-order-o2": "1",
            },
        )
        refused = browser.post(f"/consultations/{consultation['id']}", data=answers)
        assert refused.status_code == 422
        assert [target for target, _ in error_summary(refused.text)] == [
            "q-safety",
            "q-services",
            "q-ideas",
            "q-order",
        ]
        assert "Do you feel safe at night?: this question needs an answer" in refused.text

    def test_a_form_without_its_csrf_token_is_refused(
        self, browser: httpx.Client, consultation: dict[str, Any]
    ) -> None:
        form = browser.get(f"/consultations/{consultation['id']}").text
        forged = good_answers(form, csrf_token="forged")
        refused = browser.post(f"/consultations/{consultation['id']}", data=forged)
        assert refused.status_code == 403
        assert "This form has expired" in refused.text
        # Another browser's valid token does not fit this browser's cookie either.
        with httpx.Client(base_url=str(browser.base_url)) as other:
            other_form = other.get(f"/consultations/{consultation['id']}").text
        stolen = good_answers(form, csrf_token=csrf_of(other_form))
        assert browser.post(f"/consultations/{consultation['id']}", data=stolen).status_code == 403

    def test_text_from_the_consultation_is_escaped(
        self, browser: httpx.Client, api: httpx.Client, officer: Officer
    ) -> None:
        evil = '<script>alert("x")</script>'
        definition = every_question_type(title_prefix=evil)
        consultation = open_consultation(api, officer, definition)
        html = browser.get(f"/consultations/{consultation['id']}").text
        assert evil not in html
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;Our neighbourhood" in html


class TestLanguages:
    def test_lang_parameter_translates_the_interface_and_the_consultation(
        self, browser: httpx.Client, consultation: dict[str, Any]
    ) -> None:
        page = browser.get(f"/consultations/{consultation['id']}", params={"lang": "fr"})
        assert '<html lang="fr"' in page.text
        assert "Envoyer mes réponses" in page.text
        assert "Vous sentez-vous en sécurité la nuit ?" in page.text
        assert "lr_lang=fr" in page.headers["set-cookie"]
        # The choice is remembered by the cookie on the next page.
        home = browser.get("/")
        assert "Trouver une consultation" in home.text
        # Places are typed and named in the reader's language too.
        found = browser.get("/", params={"place": "allemagne"})
        assert '<a href="/places/DE">Allemagne</a>' in found.text

    def test_accept_language_chooses_spanish(
        self, web_stack: Any, consultation: dict[str, Any]
    ) -> None:
        with httpx.Client(base_url=web_stack.gateway_url) as client:
            page = client.get(
                f"/consultations/{consultation['id']}",
                headers={"Accept-Language": "de;q=1, es-UY;q=0.8, en;q=0.5"},
            )
        assert '<html lang="es"' in page.text
        assert "Enviar mis respuestas" in page.text
        assert "¿Se siente seguro de noche?" in page.text

    def test_errors_are_in_the_residents_language(
        self, browser: httpx.Client, consultation: dict[str, Any]
    ) -> None:
        url = f"/consultations/{consultation['id']}?lang=es"
        form = browser.get(url).text
        answers = good_answers(
            form, lang="es", **{"q-budget-park": "600", "q-budget-lights": "500"}
        )
        refused = browser.post(url, data=answers)
        assert error_summary(refused.text) == [
            (
                "q-budget",
                "Reparta el presupuesto: los importes suman 1100, más que el presupuesto de 1000",
            )
        ]
        assert "Hay un problema" in refused.text


class TestOfficers:
    def sign_in(self, browser: httpx.Client, officer: Officer) -> str:
        token = csrf_of(browser.get("/login").text)
        signed = browser.post(
            "/login",
            data={"csrf_token": token, "email": officer.email, "password": officer.password},
        )
        assert signed.status_code == 303
        session = signed.headers["set-cookie"]
        assert "lr_session=" in session and "HttpOnly" in session and "SameSite=lax" in session
        return token

    def test_wrong_password_is_explained_on_the_form(
        self, browser: httpx.Client, officer: Officer
    ) -> None:
        token = csrf_of(browser.get("/login").text)
        refused = browser.post(
            "/login", data={"csrf_token": token, "email": officer.email, "password": "nope"}
        )
        assert refused.status_code == 422
        assert error_summary(refused.text) == [
            ("email", "The e-mail address or the password is not right.")
        ]
        assert "lr_session" not in refused.headers.get("set-cookie", "")
        # Every form shown again after a POST: Back reloads it rather than resending it.
        assert '<body data-replace-history="true">' in refused.text

    def test_pages_for_officers_send_residents_to_sign_in(self, browser: httpx.Client) -> None:
        page = browser.get("/officer/subscriptions")
        assert page.status_code == 303
        assert page.headers["location"] == "/login?next=%2Fofficer%2Fsubscriptions"

    def test_officer_creates_lists_and_deletes_a_subscription(
        self, browser: httpx.Client, officer: Officer
    ) -> None:
        token = self.sign_in(browser, officer)
        created = browser.post(
            "/officer/subscriptions",
            data={
                "csrf_token": token,
                "name": "UPR <b>alerts</b>",
                "countries": ["UY"],
                "mechanisms": ["UPR", "CEDAW"],
                "kinds": ["upr_review"],
                "channel": "inbox",
                "mode": "immediate",
            },
        )
        assert created.status_code == 303
        listing = browser.get(created.headers["location"]).text
        assert "Saved." in listing
        assert "UPR &lt;b&gt;alerts&lt;/b&gt;" in listing
        # Mechanisms by their names, the country by its name: no code where a name belongs.
        assert (
            "Committee on the Elimination of Discrimination against Women; "
            "Universal Periodic Review" in listing
        )
        assert "<dd>Uruguay</dd>" in listing
        delete = re.search(r'action="(/officer/subscriptions/[^"]+/delete)"', listing)
        assert delete
        deleted = browser.post(delete.group(1), data={"csrf_token": token})
        assert deleted.status_code == 303
        assert "UPR &lt;b&gt;alerts&lt;/b&gt;" not in browser.get("/officer/subscriptions").text

    def test_subscription_form_errors_point_at_the_field(
        self, browser: httpx.Client, officer: Officer
    ) -> None:
        token = self.sign_in(browser, officer)
        refused = browser.post(
            "/officer/subscriptions",
            data={"csrf_token": token, "countries": ["UY"], "channel": "email", "email": ""},
        )
        assert refused.status_code == 422
        assert error_summary(refused.text) == [
            ("email", "Enter the e-mail address that should receive the alerts.")
        ]

    def test_officer_creates_and_opens_a_consultation_residents_then_see(
        self, browser: httpx.Client, officer: Officer
    ) -> None:
        token = self.sign_in(browser, officer)
        created = browser.post(
            "/officer/consultations/new",
            data={
                "csrf_token": token,
                "action": "save",
                "languages": ["en"],
                "title-en": "Swimming pools for Montevideo",
                "place": "Montevideo",
                "opens_at": "2026-01-01T10:00",
                "closes_at": "2036-01-01T10:00",
                "participation_mode": "open",
                "question_count": "2",
                "q1-type": "single_choice",
                "q1-title-en": "Should the city build one?",
                "q1-options-en": "Yes\nNo",
                "q2-type": "budget",
                "q2-title-en": "Which pool?",
                "q2-options-en": "North pool\nSouth pool",
                "q2-costs": "500\n300",
                "q2-total": "600",
            },
        )
        assert created.status_code == 303, error_summary(created.text)
        assert created.headers["location"].endswith("/edit?done=draft")
        draft_id = created.headers["location"].split("/")[3]
        mine = browser.get("/officer/consultations").text
        opening = f"/officer/consultations/{draft_id}/open"
        assert f'action="{opening}"' in mine and "Swimming pools for Montevideo" in mine
        assert browser.post(opening, data={"csrf_token": token}).status_code == 303
        with httpx.Client(base_url=str(browser.base_url)) as resident:
            home = resident.get("/", params={"jurisdiction": "UY-MO", "q": "swimming"}).text
        assert "Swimming pools for Montevideo" in home

        # Closed, then published with what happens next, which residents read with the results.
        closing = f"/officer/consultations/{draft_id}/close"
        assert f'action="{closing}"' in browser.get("/officer/consultations").text
        assert browser.post(closing, data={"csrf_token": token}).is_redirect
        mine = browser.get("/officer/consultations").text
        publishing = f"/officer/consultations/{draft_id}/publish"
        assert 'name="next-en"' in mine and publishing in mine
        published = browser.post(
            publishing, data={"csrf_token": token, "next-en": "The council decides in May."}
        )
        assert published.status_code == 303
        results = browser.get(f"/consultations/{draft_id}/results").text
        assert "What happens next" in results and "The council decides in May." in results

    def test_sign_out_forgets_the_session(self, browser: httpx.Client, officer: Officer) -> None:
        token = self.sign_in(browser, officer)
        assert browser.get("/officer/inbox").status_code == 200
        out = browser.post("/logout", data={"csrf_token": token})
        assert out.status_code == 303
        assert browser.get("/officer/inbox").status_code == 303
