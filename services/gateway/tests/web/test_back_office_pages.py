"""The back office read over HTTP as a browser without JavaScript would: publishers, officers
and ministries do their work with names and lists, and see what they did, in plain words."""

from __future__ import annotations

import html
import re
import secrets
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from test_institution_pages import cookie_client, wait_for
from web_factories import (
    Officer,
    bearer,
    csrf_of,
    make_officer,
    open_consultation,
    sign_in,
    uhri_csv,
)

pytestmark = pytest.mark.stack


def error_summary(html: str) -> list[tuple[str, str]]:
    box = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', box.group(0)) if box else []


@pytest.fixture(scope="module")
def publisher(api: httpx.Client, admin_token: str) -> Officer:
    return make_officer(
        api, admin_token, role="alert_publisher", kind="ministry", jurisdiction="UY"
    )


@pytest.fixture(scope="module")
def peru(api: httpx.Client, admin_token: str) -> Officer:
    """A municipality of Lima, subscribed (inbox) to everything about Peru."""
    officer = make_officer(
        api,
        admin_token,
        country="PE",
        jurisdiction="PE-LMA",
        name=f"Municipalidad {secrets.token_hex(3)}",
    )
    subscribed = api.post(
        "/api/v1/subscriptions",
        json={"channel": "inbox", "countries": ["PE"]},
        headers=bearer(officer.token),
    )
    assert subscribed.status_code == 201, subscribed.text
    return officer


def visit(title: str, **fields: str) -> dict[str, Any]:
    start = date.today() + timedelta(days=90)
    values = {
        "kind": "country_visit",
        "stage": "announced",
        "mechanism": "SR on the right to food",
        "country": "PE",
        "jurisdictions": "",
        "title-en": title,
        "how_to_take_part-en": "Send information on school meals before the visit.",
        "starts_on": start.isoformat(),
        "ends_on": (start + timedelta(days=9)).isoformat(),
        "themes": ["health", "sdg-2"],
    }
    values.update(fields)
    return values


class TestPublisher:
    def test_an_alert_is_checked_with_its_reach_then_followed_to_its_deliveries(
        self, web_stack: Any, api: httpx.Client, publisher: Officer, peru: Officer
    ) -> None:
        title = f"Special Rapporteur on food to visit Peru {secrets.token_hex(3)}"
        with cookie_client(web_stack.gateway_url) as desk:
            token = sign_in(desk, publisher)
            assert "Publish an alert" in desk.get("/publisher").text
            form = desk.get("/publisher/alerts/new").text
            assert "Special Rapporteur on the right to food" in form and ">Peru<" in form
            check = desk.post("/publisher/alerts/check", data={"csrf_token": token, **visit(title)})
            assert check.status_code == 200, error_summary(check.text)
            assert "It will reach 1 institution" in check.text
            assert "Inbox on this site: 1" in check.text
            assert "SDG 2. Zero hunger" in check.text
            hidden = dict(
                re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', check.text)
            )
            published = desk.post(
                "/publisher/alerts",
                data={**hidden, "themes": ["health", "sdg-2"], "csrf_token": token},
            )
            assert published.status_code == 303, error_summary(published.text)
            page_url = published.headers["location"].split("?")[0]

            def delivered() -> str:
                page = desk.get(page_url).text
                return page if "Delivered" in page and peru_name(api, peru) in page else ""

            assert wait_for(delivered), "the delivery never showed"

            edit = desk.get(page_url + "/edit").text
            assert f'value="{title}"' in edit
            changed = desk.post(
                page_url + "/edit",
                data={"csrf_token": token, **visit(title + " (dates changed)", stage="ongoing")},
            )
            assert changed.status_code == 303
            alert = api.get("/api/v1" + page_url.removeprefix("/publisher")).json()
            assert alert["revision"] == 2 and alert["stage"] == "ongoing"
            assert desk.post(page_url + "/cancel", data={"csrf_token": token}).status_code == 303
            assert "Cancelled" in desk.get(page_url).text

    def test_mistakes_are_named_in_plain_words_in_the_pages_language(
        self, web_stack: Any, publisher: Officer
    ) -> None:
        with cookie_client(web_stack.gateway_url) as desk:
            token = sign_in(desk, publisher)
            refused = desk.post(
                "/publisher/alerts/check?lang=fr",
                data={
                    "csrf_token": token,
                    **visit("Appel", kind="call_for_input", stage="", mechanism="UPR"),
                },
            )
            assert refused.status_code == 422
            assert error_summary(refused.text) == [
                ("deadline", "Un appel à contributions ou une date limite a besoin de sa date.")
            ]
            assert "Value error" not in refused.text and "needs a deadline" not in refused.text
            nowhere = desk.post(
                "/publisher/alerts/check?lang=es",
                data={"csrf_token": token, **visit("Visita", jurisdictions="Atlantis")},
            )
            assert error_summary(nowhere.text)[0][0] == "jurisdictions"
            assert "No encontramos ningún lugar llamado «Atlantis»" in nowhere.text

    def test_a_calendar_is_shown_before_its_alerts_go_out(
        self, web_stack: Any, api: httpx.Client, publisher: Officer
    ) -> None:
        calendar = (
            "State under review,Session,Date of review,Deadline for submissions\n"
            "Paraguay,49,2027-05-04,2027-02-01\n"
            "Bolivia,49,2027-05-06,2027-02-01\n"
            "Atlantis,49,2027-05-07,\n"
        )
        with cookie_client(web_stack.gateway_url) as desk:
            token = sign_in(desk, publisher)
            preview = desk.post(
                "/publisher/calendar",
                data={"csrf_token": token},
                files={"file": ("upr-49.csv", calendar.encode(), "text/csv")},
            )
            assert preview.status_code == 200, preview.text[-2000:]
            assert "2 alerts to publish" in preview.text and "1 row left out" in preview.text
            assert "Universal Periodic Review: Paraguay (49th session)" in preview.text
            assert "No country called “Atlantis”" in preview.text
            assert "Nothing is published yet." in preview.text
            assert api.get("/api/v1/alerts", params={"country": "PY"}).json()["total"] == 0
            published = desk.post(
                "/publisher/calendar/publish",
                data={
                    "csrf_token": token,
                    "content_type": "text/csv",
                    "calendar": html.unescape(
                        re.search(r'name="calendar" value="([^"]*)"', preview.text).group(1)  # type: ignore[union-attr]
                    ),
                },
            )
            assert published.status_code == 303
        alerts = api.get("/api/v1/alerts", params={"country": "PY"}).json()["items"]
        assert [a["title"]["es"] for a in alerts] == [
            "Examen Periódico Universal: Paraguay (49.º período de sesiones)"
        ]


def peru_name(api: httpx.Client, officer: Officer) -> str:
    return str(api.get(f"/api/v1/institutions/{officer.institution_id}").json()["name"])


class TestOfficer:
    def test_the_inbox_reads_like_mail_with_the_way_on(
        self, web_stack: Any, api: httpx.Client, peru: Officer, publisher: Officer
    ) -> None:
        title = f"Call for input on school meals {secrets.token_hex(3)}"
        deadline = date.today() + timedelta(days=50)
        published = api.post(
            "/api/v1/alerts",
            json={
                "kind": "call_for_input",
                "country": "PE",
                "mechanism": "SR on the right to food",
                "title": {"en": title},
                "how_to_take_part": {"en": "Municipalities send one page on school canteens."},
                "deadline": deadline.isoformat(),
                "source_url": "https://www.ohchr.org/en/calls-for-input",
            },
            headers=bearer(publisher.token),
        )
        assert published.status_code == 201, published.text
        with cookie_client(web_stack.gateway_url) as town:
            sign_in(town, peru)

            def listed() -> str:
                page = town.get("/officer/inbox", params={"kind": "call_for_input"}).text
                return page if title in page else ""

            inbox = wait_for(listed)
            assert inbox and "Special Rapporteur on the right to food" in inbox
            assert "Peru" in inbox and "Call for input" in inbox
            assert title not in town.get("/officer/inbox", params={"kind": "upr_review"}).text
            assert title not in town.get("/officer/inbox", params={"country": "CL"}).text
            link = re.search(
                rf'href="(/officer/inbox/[0-9a-f-]{{36}})">(?:<span[^<]*</span>)?{title}', inbox
            )
            assert link
            letter = town.get(link.group(1)).text
            assert "Municipalities send one page on school canteens." in letter
            assert f"{deadline.day} {deadline:%B %Y}" in letter
            assert 'href="https://www.ohchr.org/en/calls-for-input"' in letter
            token = csrf_of(letter)
            kept = town.post(link.group(1) + "/unread", data={"csrf_token": token})
            assert kept.status_code == 303
            unread = town.get("/officer/inbox", params={"unread": "yes"}).text
            assert title in unread

    def test_a_subscription_is_changed_with_pickers_and_its_webhook_tested(
        self, web_stack: Any, peru: Officer
    ) -> None:
        with cookie_client(web_stack.gateway_url) as town:
            token = sign_in(town, peru)
            created = town.post(
                "/officer/subscriptions",
                data={
                    "csrf_token": token,
                    "name": "Our own system",
                    "countries": ["PE"],
                    "channel": "webhook",
                    "url": "http://127.0.0.1:9/hook",  # nothing listens on the discard port
                    "mode": "immediate",
                },
            )
            assert created.status_code == 200 and "whsec_" in created.text
            listing = town.get("/officer/subscriptions").text
            test_action = re.search(r'action="(/officer/subscriptions/[^"]+/test)"', listing)
            assert test_action
            tested = town.post(test_action.group(1), data={"csrf_token": token})
            assert "Your endpoint could not be reached" in tested.text
            edit_url = test_action.group(1).removesuffix("/test")
            form = town.get(edit_url).text
            assert re.search(r'value="PE" checked', form)
            saved = town.post(
                edit_url,
                data={
                    "csrf_token": token,
                    "name": "Our own system",
                    "countries": ["PE"],
                    "mandates": ["SR on adequate housing"],
                    "themes": ["housing", "sdg-11"],
                    "jurisdictions": "Lima",
                    "url": "http://127.0.0.1:9/hook",
                    "mode": "daily_digest",
                },
            )
            assert saved.status_code == 303, error_summary(saved.text)
            listing = town.get("/officer/subscriptions").text
            assert "Special Rapporteur on adequate housing" in listing
            assert "SDG 11. Sustainable cities and communities" in listing
            assert "Once a day, in a digest" in listing

    def test_the_editor_writes_every_kind_of_question_in_two_languages_and_previews_it(
        self, web_stack: Any, officer: Officer
    ) -> None:
        with cookie_client(web_stack.gateway_url) as town:
            token = sign_in(town, officer)
            base = {
                "csrf_token": token,
                "languages": ["en", "es"],
                "title-en": "Parks of Montevideo",
                "title-es": "Parques de Montevideo",
                "place": "Montevideo",
                "opens_at": "2030-01-01T10:00",
                "closes_at": "2030-02-01T10:00",
                "participation_mode": "open",
                "question_count": "1",
                "q1-type": "rating",
                "q1-title-en": "How are the parks?",
                "q1-title-es": "¿Cómo están los parques?",
                "q1-min": "1",
                "q1-max": "5",
            }
            more = town.post("/officer/consultations/new", data={**base, "action": "about:age"})
            assert more.status_code == 200
            assert 'value="Under 18' in more.text or "Under 18" in more.text
            assert "Menos de 18" in more.text and 'name="q2-demographic" value="yes"' in more.text
            saved = town.post(
                "/officer/consultations/new",
                data={
                    **base,
                    "action": "save_preview",
                    "question_count": "2",
                    "q2-type": "single_choice",
                    "q2-demographic": "yes",
                    "q2-title-en": "Your age",
                    "q2-title-es": "Su edad",
                    "q2-options-en": "Under 30\n30 or more",
                    "q2-options-es": "Menos de 30\n30 o más",
                },
            )
            assert saved.status_code == 303, error_summary(saved.text)
            preview = town.get(saved.headers["location"], params={"lang": "es"}).text
            assert "Parques de Montevideo" in preview and "Vista previa" in preview
            assert "Sobre usted" in preview or "Su edad" in preview
            assert 'type="submit" class="button button-primary">Enviar' not in preview
            draft_id = saved.headers["location"].split("/")[3]
            edited = town.post(
                f"/officer/consultations/{draft_id}/edit",
                data={**base, "action": "save", "title-en": "Parks and squares of Montevideo"},
            )
            assert edited.status_code == 303
            editor = town.get(f"/officer/consultations/{draft_id}/edit").text
            assert 'value="Parks and squares of Montevideo"' in editor
        with cookie_client(web_stack.gateway_url) as resident:
            assert resident.get(f"/consultations/{draft_id}").status_code == 404

    def test_input_names_a_consultation_by_its_title(
        self, web_stack: Any, api: httpx.Client, admin_token: str
    ) -> None:
        town = make_officer(api, admin_token, jurisdiction="UY-SJ", name="Intendencia de San José")
        ministry = make_officer(
            api, admin_token, role="ministry_officer", kind="ministry", jurisdiction="UY"
        )
        consultation = open_consultation(api, town)
        marker = f"zx{secrets.token_hex(4)}"
        imported = api.post(
            "/api/v1/recommendations/import",
            content=uhri_csv([f"Register every birth {marker}"]),
            headers={**bearer(ministry.token), "content-type": "text/csv"},
        )
        assert imported.status_code == 200
        rec = api.get("/api/v1/recommendations", params={"q": marker}).json()["items"][0]
        exercise = api.post(
            "/api/v1/exercises",
            json={
                "report_type": "vlr",
                "country": "UY",
                "title": f"Voluntary local review {marker}",
                "deadline": "2036-01-31",
                "recommendation_ids": [rec["id"]],
                "invited_institution_ids": [town.institution_id],
            },
            headers=bearer(ministry.token),
        ).json()
        api.post(f"/api/v1/exercises/{exercise['id']}/open", headers=bearer(ministry.token))
        with cookie_client(web_stack.gateway_url) as desk:
            sign_in(desk, town)
            url = f"/officer/exercises/{exercise['id']}/recommendations/{rec['id']}"
            form = desk.get(url).text
            assert (
                f'<option value="{consultation["id"]}">Our neighbourhood&#39;s priorities' in form
            )
            sent = desk.post(
                url,
                data={
                    "csrf_token": csrf_of(form),
                    "status": "in_progress",
                    "consultation_id": consultation["id"],
                },
            )
            assert sent.status_code == 303, error_summary(sent.text)
        inputs = api.get(
            f"/api/v1/exercises/{exercise['id']}/inputs", headers=bearer(ministry.token)
        ).json()
        assert inputs[0]["consultation_id"] == consultation["id"]


class TestMinistry:
    def test_the_level_of_government_is_set_for_many_at_once(
        self, web_stack: Any, api: httpx.Client, admin_token: str
    ) -> None:
        ministry = make_officer(
            api, admin_token, role="ministry_officer", kind="ministry", jurisdiction="UY"
        )
        marker = f"zx{secrets.token_hex(4)}"
        api.post(
            "/api/v1/recommendations/import",
            content=uhri_csv([f"Light the parks {marker}", f"Open the libraries {marker}"]),
            headers={**bearer(ministry.token), "content-type": "text/csv"},
        )
        with cookie_client(web_stack.gateway_url) as desk:
            token = sign_in(desk, ministry)
            found = desk.get("/ministry/recommendations", params={"q": marker}).text
            ids = re.findall(r'name="chosen" value="([0-9a-f-]{36})"', found)
            assert len(ids) == 2
            unknown = desk.post(
                "/ministry/recommendations",
                data={
                    "csrf_token": token,
                    "q": marker,
                    "country": "UY",
                    "chosen": ids,
                    "do": "owner",
                    "level": "local",
                    "places": "Gotham",
                },
            )
            assert unknown.status_code == 422
            assert error_summary(unknown.text)[0][0] == "places"
            done = desk.post(
                "/ministry/recommendations",
                data={
                    "csrf_token": token,
                    "q": marker,
                    "country": "UY",
                    "chosen": ids,
                    "do": "owner",
                    "level": "local",
                    "places": "Montevideo, Canelones",
                },
            )
            assert done.status_code == 303
            after = desk.get(done.headers["location"]).text
            assert "The level of government is set" in after
            assert after.count("Montevideo, Canelones") == 2
        for rid in ids:
            rec = api.get(f"/api/v1/recommendations/{rid}").json()
            assert rec["owner_level"] == "local" and rec["jurisdictions"] == ["UY-MO", "UY-CA"]
