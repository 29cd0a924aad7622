"""Residents' pages around answering: finding by place name, a page per place, results,
feeds and downloads, the pages about the platform. Read over HTTP as a browser would."""

from __future__ import annotations

import csv
import io
import re
import secrets
from typing import Any

import feedparser
import httpx
import pytest
from web_factories import Officer, bearer, every_question_type, open_consultation

pytestmark = pytest.mark.stack


def titles(html: str) -> list[str]:
    return re.findall(r'<h3 class="card-title"[^>]*><a href="[^"]+">([^<]+)</a>', html)


def main_of(html: str) -> str:
    return html.split('<main id="main"', 1)[1].split("</main>", 1)[0]


def cards_of(html: str) -> str:
    """The list of consultations found (not the search form above it)."""
    return main_of(html).split('<ul class="card-list"', 1)[1]


@pytest.fixture(scope="module")
def marker() -> str:
    return f"zq{secrets.token_hex(3)}"


@pytest.fixture(scope="module")
def canelones(api: httpx.Client, officer: Officer, marker: str) -> dict[str, Any]:
    """An open consultation of Canelones about water, SDG 6.1."""
    definition = every_question_type(title_prefix=f"{marker} water ")
    definition |= {
        "jurisdiction": "UY-CA",
        "municipality": "Ciudad de la Costa",
        "topics": ["water_sanitation"],
        "sdg_targets": ["6.1"],
    }
    return open_consultation(api, officer, definition)


@pytest.fixture(scope="module")
def published(api: httpx.Client, officer: Officer, marker: str) -> dict[str, Any]:
    """A published consultation of Montevideo with 6 answers and what happens next."""
    consultation = open_consultation(
        api, officer, every_question_type(title_prefix=f"{marker} published ")
    )
    cid = consultation["id"]
    for n in range(6):
        sent = api.post(
            f"/api/v1/consultations/{cid}/responses",
            json={"answers": {"safety": "o1" if n % 3 else "o2", "age": "young"}},
            headers={"User-Agent": f"published-{n}"},
        )
        assert sent.status_code == 201, sent.text
    api.post(f"/api/v1/consultations/{cid}/close", headers=bearer(officer.token))
    done = api.post(
        f"/api/v1/consultations/{cid}/publish",
        json={"what_happens_next": {"en": "The council votes on the plan in March."}},
        headers=bearer(officer.token),
    )
    assert done.status_code == 200, done.text
    return dict(done.json())


class TestFindingByPlace:
    def test_a_place_typed_by_name_finds_its_consultations(
        self, browser: httpx.Client, canelones: dict[str, Any], marker: str
    ) -> None:
        page = browser.get("/", params={"place": "canelones", "q": marker})
        assert page.status_code == 200
        assert titles(page.text) == [f"{marker} water Our neighbourhood&#39;s priorities"]
        assert 'value="canelones"' in page.text  # the field keeps what was typed
        card = cards_of(page.text)
        assert "Ciudad de la Costa, Canelones, Uruguay" in card
        assert "UY-CA" not in card  # never a code where a place is meant

    def test_a_card_names_who_asks_and_until_when_with_the_zone(
        self, browser: httpx.Client, canelones: dict[str, Any], marker: str
    ) -> None:
        card = cards_of(browser.get("/", params={"q": marker, "topic": "water_sanitation"}).text)
        assert "<strong>Asked by:</strong> Intendencia de Montevideo" in card
        assert re.search(r"Open until \d{1,2} \w+ 20\d\d at \d\d:\d\d \(Uruguay Time\)", card)
        assert "Water and sanitation" in card and "water_sanitation" not in card

    def test_a_topic_and_a_goal_narrow_the_list(
        self, browser: httpx.Client, canelones: dict[str, Any], marker: str
    ) -> None:
        assert len(titles(browser.get("/", params={"q": marker, "sdg": "6"}).text)) == 1
        assert titles(browser.get("/", params={"q": marker, "sdg": "11"}).text) == []
        housing = browser.get("/", params={"q": marker, "topic": "housing"})
        assert titles(housing.text) == []

    def test_an_unknown_place_is_said_so_next_to_the_field(self, browser: httpx.Client) -> None:
        page = browser.get("/", params={"place": "Xyzzyville"})
        assert 'id="place-error"' in page.text and 'aria-invalid="true"' in page.text
        assert "We found no place called “Xyzzyville”" in page.text
        assert titles(page.text) == []

    def test_pages_of_ten_with_links_between_them(
        self, browser: httpx.Client, api: httpx.Client, officer: Officer
    ) -> None:
        word = f"pg{secrets.token_hex(3)}"
        for n in range(12):
            open_consultation(api, officer, every_question_type(title_prefix=f"{word} {n} "))
        first = browser.get("/", params={"q": word})
        assert len(titles(first.text)) == 10
        assert "12 consultations open for answers" in first.text
        assert "Page 1 of 2" in first.text
        following = re.search(r'<a href="([^"]+)" rel="next">Next page</a>', first.text)
        assert following, "no link to the next page"
        second = browser.get(following.group(1).replace("&amp;", "&"))
        assert len(titles(second.text)) == 2 and 'rel="prev"' in second.text


class TestPlacePage:
    def test_a_place_has_its_consultations_alerts_and_feeds(
        self, browser: httpx.Client, canelones: dict[str, Any], marker: str
    ) -> None:
        page = browser.get("/places/UY-CA", params={"lang": "es"})
        assert page.status_code == 200
        html = main_of(page.text)
        assert "<h1>Canelones <span" in html
        assert f"{marker} water" in html
        assert "Las Naciones Unidas y Uruguay" in html
        feed = re.search(r'href="(/api/v1/consultations/feed\.atom\?place=UY-CA[^"]*)"', html)
        assert feed, "no feed link"
        parsed = feedparser.parse(browser.get(feed.group(1).replace("&amp;", "&")).text)
        assert any(marker in entry.title for entry in parsed.entries)
        assert 'href="/api/v1/feeds/calendar.ics?country=UY' in html

    def test_an_unknown_place_is_a_page_not_found(self, browser: httpx.Client) -> None:
        page = browser.get("/places/ZZ-99")
        assert page.status_code == 404 and "<h1>Page not found</h1>" in page.text


class TestConsultationPage:
    def test_a_closed_consultation_never_says_open_until(
        self, browser: httpx.Client, api: httpx.Client, officer: Officer
    ) -> None:
        consultation = open_consultation(api, officer)
        api.post(f"/api/v1/consultations/{consultation['id']}/close", headers=bearer(officer.token))
        html = main_of(browser.get(f"/consultations/{consultation['id']}").text)
        assert "Open until" not in html
        assert re.search(r"Closed on \d{1,2} \w+ 20\d\d", html)
        assert "This consultation is closed: it no longer takes answers." in html

    def test_a_scale_names_its_ends_with_a_space_between(
        self, browser: httpx.Client, canelones: dict[str, Any]
    ) -> None:
        html = browser.get(f"/consultations/{canelones['id']}").text
        assert re.search(r"1 = Very poor</span>; <span[^>]*>5 = Very good</span>\.", html)


class TestResultsPage:
    def test_published_date_organiser_next_steps_and_downloads(
        self, browser: httpx.Client, published: dict[str, Any]
    ) -> None:
        html = main_of(browser.get(f"/consultations/{published['id']}/results").text)
        assert re.search(r"<dt>Results published</dt><dd>\d{1,2} \w+ 20\d\d</dd>", html)
        assert "<dt>Asked by</dt><dd>Intendencia de Montevideo" in html
        assert "The council votes on the plan in March." in html
        link = re.search(r'href="(/api/v1/consultations/[^"]+/download\?format=csv[^"]*)"', html)
        assert link, "no CSV download"
        download = browser.get(link.group(1).replace("&amp;", "&"))
        assert download.status_code == 200
        assert "published Our neighbourhood" in download.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(download.text)))
        yes = next(r for r in rows if r["question_id"] == "safety" and r["item_label"] == "Yes")
        assert yes["count"] == "4" and yes["breakdown"] == ""

    def test_groups_side_by_side(self, browser: httpx.Client, published: dict[str, Any]) -> None:
        html = main_of(
            browser.get(f"/consultations/{published['id']}/results", params={"by": "age"}).text
        )
        assert "Groups side by side, by: Your age" in html
        assert (
            '<th scope="col">Everyone (6 people)</th><th scope="col">Under 30 (6 people)</th>'
            in (html)
        )


class TestAboutThePlatform:
    @pytest.mark.parametrize(
        ("path", "language", "heading"),
        [
            ("/help", "en", "Help"),
            ("/help", "fr", "Aide"),
            ("/help", "es", "Ayuda"),
            ("/privacy", "en", "Privacy notice"),
            ("/privacy", "fr", "Politique de confidentialité"),
            ("/privacy", "es", "Aviso de privacidad"),
            ("/accessibility", "en", "Accessibility statement"),
            ("/accessibility", "fr", "Déclaration d’accessibilité"),
            ("/accessibility", "es", "Declaración de accesibilidad"),
        ],
    )
    def test_in_each_language_linked_from_every_page(
        self, browser: httpx.Client, path: str, language: str, heading: str
    ) -> None:
        page = browser.get(path, params={"lang": language})
        assert page.status_code == 200
        assert f'<html lang="{language}"' in page.text and f"<h1>{heading}</h1>" in page.text
        assert "mailto:contact@localrights.example" in page.text
        assert f'<a href="{path}">' in page.text  # the footer links every one of them

    def test_the_privacy_notice_says_what_is_not_kept_with_an_answer(
        self, browser: httpx.Client
    ) -> None:
        html = browser.get("/privacy", params={"lang": "en"}).text
        assert "the address of your connection (IP address)" in html
        assert "deleted when the consultation closes" in html
        assert "it is the controller of your answers" in html
