"""Finding consultations: by place, words, topic and SDG; and the Atom feeds that follow them."""

from __future__ import annotations

from typing import Any

import feedparser
import httpx
import pytest

API = "/api/v1/consultations"


def titles(page: httpx.Response) -> set[str]:
    assert page.status_code == 200, page.text
    return {c["title"]["en"] for c in page.json()["items"]}


@pytest.fixture
async def places(make_consultation: Any) -> dict[str, dict[str, Any]]:
    """Consultations in Bologna, Modena (both in Emilia-Romagna), Canelones and Jawa Tengah."""

    def text(en: str) -> dict[str, str]:
        return {"en": en, "fr": f"{en} (fr)"}

    made = {}
    for key, jurisdiction, municipality, topics, sdg in (
        ("bologna", "IT-BO", "Bologna", ["housing"], ["11.1"]),
        ("modena", "IT-MO", None, ["transport"], ["11.2"]),
        ("canelones", "UY-CA", "Ciudad de la Costa", ["water_sanitation"], ["6.1"]),
        ("wonosobo", "ID-JT", "Wonosobo", ["housing", "participation"], ["16.7"]),
    ):
        made[key] = await make_consultation(
            title=text(f"Consultation of {key}"),
            description=text("Tell us about the pavements of Bogotá street"),
            jurisdiction=jurisdiction,
            municipality=municipality,
            topics=topics,
            sdg_targets=sdg,
        )
    return made


class TestFindingConsultations:
    async def test_a_country_a_region_with_its_provinces_or_a_province(
        self, client: httpx.AsyncClient, places: dict[str, Any]
    ) -> None:
        assert titles(await client.get(API, params={"place": "IT"})) == {
            "Consultation of bologna",
            "Consultation of modena",
        }
        # Emilia-Romagna (IT-45) holds the provinces of Bologna and Modena.
        region = await client.get(API, params={"place": "IT-45"})
        assert titles(region) == {"Consultation of bologna", "Consultation of modena"}
        assert titles(await client.get(API, params={"place": "IT-BO"})) == {
            "Consultation of bologna"
        }
        several = await client.get(API, params=[("place", "UY-CA"), ("place", "IT-MO")])
        assert titles(several) == {"Consultation of canelones", "Consultation of modena"}

    async def test_a_municipality_by_name_whatever_the_case_and_accents(
        self, client: httpx.AsyncClient, places: dict[str, Any]
    ) -> None:
        found = await client.get(API, params={"municipality": "CIUDAD DE LA COSTA"})
        assert titles(found) == {"Consultation of canelones"}
        either = await client.get(API, params={"municipality": "wonosobo", "place": "UY-CA"})
        assert titles(either) == {"Consultation of canelones", "Consultation of wonosobo"}

    async def test_words_in_any_language_without_accents(
        self, client: httpx.AsyncClient, places: dict[str, Any]
    ) -> None:
        assert len(titles(await client.get(API, params={"q": "bogota PAVEMENTS"}))) == 4
        assert titles(await client.get(API, params={"q": "modena (fr)"})) == {
            "Consultation of modena"
        }
        assert titles(await client.get(API, params={"q": "100%_"})) == set()

    async def test_a_topic_and_an_sdg_or_one_of_its_targets(
        self, client: httpx.AsyncClient, places: dict[str, Any]
    ) -> None:
        assert titles(await client.get(API, params={"topic": "housing"})) == {
            "Consultation of bologna",
            "Consultation of wonosobo",
        }
        assert titles(await client.get(API, params={"sdg": "11"})) == {
            "Consultation of bologna",
            "Consultation of modena",
        }
        assert titles(await client.get(API, params={"sdg": "11.2"})) == {"Consultation of modena"}
        assert titles(await client.get(API, params={"sdg": "1"})) == set()  # not 11.x nor 16.x

    async def test_a_bad_filter_is_named(self, client: httpx.AsyncClient) -> None:
        for params, named in (
            ({"place": "Canelones"}, "place"),
            ({"topic": "parks"}, "topic"),
            ({"sdg": "18"}, "sdg"),
        ):
            refused = await client.get(API, params=params)
            assert refused.status_code == 422 and named in refused.text, params

    async def test_topics_are_checked_when_a_consultation_is_made(
        self, client: httpx.AsyncClient, new_body: Any, officer: dict[str, str]
    ) -> None:
        refused = await client.post(API, json=new_body(topics=["parks"]), headers=officer)
        assert refused.status_code == 422
        assert "topics: 'parks' is not a topic" in refused.json()["detail"]


class TestFeeds:
    async def test_a_place_feed_has_its_new_consultations_and_published_results(
        self,
        client: httpx.AsyncClient,
        places: dict[str, Any],
        officer: dict[str, str],
    ) -> None:
        bologna = places["bologna"]["id"]
        await client.post(f"{API}/{bologna}/close", headers=officer)
        await client.post(
            f"{API}/{bologna}/publish",
            json={"what_happens_next": {"en": "The council decides in May."}},
            headers=officer,
        )
        response = await client.get(f"{API}/feed.atom", params={"place": "IT-45", "lang": "fr"})
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/atom+xml")
        feed = feedparser.parse(response.text)
        assert not feed.bozo, feed.bozo_exception
        assert "Émilie-Romagne" in feed.feed.title
        entries = [e.title for e in feed.entries]
        assert entries[0] == "Résultats publiés\u00a0: Consultation of bologna (fr)"
        assert set(entries[1:]) == {
            "Nouvelle consultation\u00a0: Consultation of bologna (fr)",
            "Nouvelle consultation\u00a0: Consultation of modena (fr)",
        }
        assert feed.entries[0].link.endswith(f"/consultations/{bologna}/results?lang=fr")

    async def test_a_consultation_feed_follows_its_steps(
        self, client: httpx.AsyncClient, places: dict[str, Any], officer: dict[str, str]
    ) -> None:
        cid = places["modena"]["id"]
        url = f"{API}/{cid}/feed.atom"
        first = feedparser.parse((await client.get(url)).text)
        assert [e.title for e in first.entries] == ["New consultation: Consultation of modena"]
        await client.post(f"{API}/{cid}/close", headers=officer)
        await client.post(f"{API}/{cid}/publish", headers=officer)
        later = feedparser.parse((await client.get(url)).text)
        assert [e.title for e in later.entries] == [
            "Results published: Consultation of modena",
            "Consultation closed: Consultation of modena",
            "New consultation: Consultation of modena",
        ]
        # Entry ids are stable: a reader shows the opening once.
        assert later.entries[-1].id == first.entries[0].id

    async def test_a_draft_has_no_feed_for_the_public(
        self, client: httpx.AsyncClient, make_consultation: Any
    ) -> None:
        draft = await make_consultation(open_it=False)
        assert (await client.get(f"{API}/{draft['id']}/feed.atom")).status_code == 404
