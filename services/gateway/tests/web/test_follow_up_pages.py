"""Follow-up pages over HTTP: a place's and a country's dashboards, a recommendation's
timeline, downloads, an institution reporting and defining indicators, the ministry reviewing."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import unquote

import httpx
import pytest
from web_factories import FollowUpWorld, csrf_of, follow_up_world, sign_in, suggested_repeats

pytestmark = pytest.mark.stack

UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture(scope="module")
def world(api: httpx.Client, admin_token: str) -> FollowUpWorld:
    return follow_up_world(api, admin_token)


def visible_text(html: str) -> str:
    """What a reader sees: no tags (so no URLs in attributes), no scripts."""
    return re.sub(r"<[^>]+>", " ", html)


class TestPlacePage:
    def test_statuses_and_indicators_are_named_charted_and_tabled(
        self, browser: httpx.Client, world: FollowUpWorld
    ) -> None:
        page = browser.get("/places/IT-BO/follow-up", params={"lang": "fr"})
        assert page.status_code == 200, page.text[-2000:]
        html = unescape(page.text)
        assert "<h1>Suivi des recommandations de l'ONU : Bologne</h1>" in html
        assert "Partiellement mise en œuvre" in html
        assert "Ménages en attente d'un logement social" in html  # the indicator's French name
        assert "Sexe : femmes" in html or "Sexe: femmes" in html
        assert 'role="img"' in html and "chart-target" in html  # the target line
        assert html.count('<details class="chart-figures">') >= 3
        text = visible_text(html)
        assert not UUID_TEXT.search(text), UUID_TEXT.search(text)
        assert "partially_implemented" not in text and "IT-BO" not in text
        assert "Budget not yet allocated" not in html  # Torino does not publish

    def test_the_download_is_named_after_the_place(self, browser: httpx.Client) -> None:
        answer = browser.get(
            "/places/IT-BO/follow-up/download", params={"what": "observations", "lang": "en"}
        )
        assert answer.status_code == 200
        disposition = unquote(answer.headers["content-disposition"])
        assert "Bologna – indicator values.csv" in disposition
        assert answer.text.splitlines()[0].startswith("indicator_id,indicator,unit")

    def test_an_unknown_place_is_a_page_not_found(self, browser: httpx.Client) -> None:
        assert browser.get("/places/XX-ZZ/follow-up").status_code == 404


class TestRecommendationAndCountryPages:
    def test_a_recommendation_timeline_shows_what_each_place_published(
        self, browser: httpx.Client, world: FollowUpWorld
    ) -> None:
        page = browser.get(f"/follow-up/recommendations/{world.recommendations['housing_20']}")
        assert page.status_code == 200
        html = page.text
        assert "Two new social housing blocks in Navile" in html
        assert "Reported by the institution" in html and "Awaiting validation" in html
        assert "Budget not yet allocated" not in html
        assert "Households waiting for social housing" in html

    def test_the_ministry_sees_the_unpublished_too(
        self, browser: httpx.Client, world: FollowUpWorld
    ) -> None:
        sign_in(browser, world.ministry)
        page = browser.get(f"/follow-up/recommendations/{world.recommendations['housing_20']}")
        assert "Budget not yet allocated" in page.text
        assert "Adopt a national plan to reduce the number of households" in page.text
        country = browser.get("/follow-up/countries/IT")
        assert country.status_code == 200
        assert "Torino" in country.text and "Bologna" in country.text
        assert "Check the suggested repeats" in country.text

    def test_a_country_page_without_a_country_is_not_found(self, browser: httpx.Client) -> None:
        assert browser.get("/follow-up/countries/IT-BO").status_code == 404


class TestInstitutionPages:
    def test_an_officer_finds_a_recommendation_and_reports_where_it_stands(
        self, browser: httpx.Client, world: FollowUpWorld
    ) -> None:
        sign_in(browser, world.bologna)
        home = browser.get("/officer/follow-up", params={"q": "Roma"})
        assert home.status_code == 200
        assert "Your follow-up is public" in home.text
        roma = world.recommendations["roma_20"]
        assert f"/officer/follow-up/recommendations/{roma}" in home.text
        form = browser.get(f"/officer/follow-up/recommendations/{roma}")
        token = csrf_of(form.text)
        refused = browser.post(
            f"/officer/follow-up/recommendations/{roma}",
            data={"csrf_token": token, "as_of": "15/03/2026"},
        )
        assert refused.status_code == 422
        assert "Choose where the recommendation stands." in refused.text
        assert "Enter the date as year-month-day" in refused.text
        saved = browser.post(
            f"/officer/follow-up/recommendations/{roma}",
            data={"csrf_token": token, "status": "in_progress", "as_of": "2026-09-01",
                  "measures": "School mediators in two districts"},
        )  # fmt: skip
        assert saved.status_code == 303 and "done=status" in saved.headers["location"]
        again = browser.get(f"/officer/follow-up/recommendations/{roma}")
        assert "What you reported before" in again.text and "In progress" in again.text

    def test_an_officer_defines_an_indicator_and_records_a_value_by_sex(
        self, browser: httpx.Client, world: FollowUpWorld
    ) -> None:
        sign_in(browser, world.bologna)
        form = browser.get("/officer/follow-up/indicators/new")
        assert "11.1 – " in form.text  # SDG targets picked by name
        token = csrf_of(form.text)
        refused = browser.post(
            "/officer/follow-up/indicators/new",
            data={"csrf_token": token, "unit": "places", "baseline_value": "many"},
        )
        assert refused.status_code == 422
        assert "Enter the indicator's name." in refused.text.replace("&#39;", "'")
        assert "Enter a number, for example 4800." in refused.text
        created = browser.post(
            "/officer/follow-up/indicators/new",
            data={"csrf_token": token, "name": "Places in night shelters", "unit": "places",
                  "kind": "process", "breakdowns": "sex", "update_every_months": "6"},
        )  # fmt: skip
        assert created.status_code == 303, created.text[-1500:]
        listing = browser.get("/officer/follow-up")
        [link] = re.findall(
            r'href="(/officer/follow-up/indicators/[0-9a-f-]+)">Places in', listing.text
        )
        value_form = browser.get(link)
        assert 'name="group:sex:women"' in value_form.text
        saved = browser.post(
            link,
            data={"csrf_token": token, "observed_on": "2026-06-30", "value": "120",
                  "group:sex:women": "45", "group:sex:men": "75"},
        )  # fmt: skip
        assert saved.status_code == 303
        shown = browser.get(saved.headers["location"])
        assert "120" in shown.text and "Sex: women" in shown.text
        assert "The value has been saved." in shown.text


class TestMinistryPage:
    def test_the_ministry_validates_returns_with_a_reason_and_confirms_a_repeat(
        self, browser: httpx.Client, api: httpx.Client, world: FollowUpWorld
    ) -> None:
        assert suggested_repeats(api), "the import's repeats were not suggested"
        sign_in(browser, world.ministry)
        page = browser.get("/ministry/follow-up")
        assert page.status_code == 200
        assert "Budget not yet allocated" in page.text
        assert "Adopt a national plan to reduce the number of households" in page.text
        token = csrf_of(page.text)
        pending = re.findall(
            r'action="/ministry/follow-up/statuses/([0-9a-f-]+)/return"', page.text
        )
        assert pending
        no_reason = browser.post(
            f"/ministry/follow-up/statuses/{pending[0]}/return", data={"csrf_token": token}
        )
        assert no_reason.status_code == 422
        assert "Say why the status is returned" in no_reason.text
        returned = browser.post(
            f"/ministry/follow-up/statuses/{pending[0]}/return",
            data={"csrf_token": token, "comment": "Give the figures of each district"},
        )
        assert returned.status_code == 303 and "done=returned" in returned.headers["location"]
        validated = browser.post(
            f"/ministry/follow-up/statuses/{pending[1]}/validate", data={"csrf_token": token}
        )
        assert validated.status_code == 303
        links = re.findall(r"/ministry/follow-up/recurrences/([0-9a-f-]+)/confirm", page.text)
        confirmed = browser.post(
            f"/ministry/follow-up/recurrences/{links[0]}/confirm", data={"csrf_token": token}
        )
        assert confirmed.status_code == 303 and "done=confirmed" in confirmed.headers["location"]
        after = browser.get("/ministry/follow-up?done=confirmed")
        assert "the recommendation’s timeline now continues" in after.text or (
            "timeline now continues" in after.text
        )
