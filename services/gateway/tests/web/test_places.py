"""Places by name: ISO 3166 names in the page's language, and names typed back to codes."""

from __future__ import annotations

import pytest

from localrights_gateway.web import places


class TestNames:
    @pytest.mark.parametrize(
        ("code", "language", "name"),
        [
            ("IT", "en", "Italy"),
            ("IT", "fr", "Italie"),
            ("IT", "es", "Italia"),
            ("UY-CA", "fr", "Canelones"),
            ("IT-BO", "fr", "Bologne"),
            ("IT-45", "fr", "Émilie-Romagne"),
            ("BO", "en", "Bolivia"),  # ISO's common name, not "Plurinational State of"
            ("BO", "fr", "Bolivie"),
        ],
    )
    def test_in_the_page_language(self, code: str, language: str, name: str) -> None:
        assert places.place_name(code, language) == name

    def test_a_municipality_as_given_and_once_when_it_names_its_subdivision(self) -> None:
        assert places.place_name("UY-CA", "en", "Ciudad de la Costa") == (
            "Ciudad de la Costa, Canelones"
        )
        # The municipality of Bologna lies in the metropolitan city of Bologna ("Bolonia").
        assert places.place_name("IT-BO", "es", "Bologna") == "Bologna"
        assert places.full_name("IT-BO", "es", "Bologna") == "Bologna, Italia"

    def test_with_its_country_and_the_places_it_lies_in(self) -> None:
        assert places.full_name("UY-CA", "fr") == "Canelones, Uruguay"
        assert places.full_name("IT", "fr") == "Italie"
        assert [p.name for p in places.lineage("IT-BO", "fr")] == [
            "Italie",
            "Émilie-Romagne",
            "Bologne",
        ]

    def test_an_unknown_code_is_no_place_and_prints_as_given(self) -> None:
        assert places.place("XX-YY") is None
        assert places.place_name("XX-YY", "en") == "XX-YY"

    def test_country_choices_are_sorted_as_readers_sort(self) -> None:
        names = [name for _code, name in places.country_choices("fr")]
        assert names.index("États-Unis") < names.index("Éthiopie") < names.index("Zimbabwe")


class TestSearch:
    @pytest.mark.parametrize(
        ("typed", "code"),
        [
            ("Canelones", "UY-CA"),
            ("canelones", "UY-CA"),
            ("bologna", "IT-BO"),
            ("Bologne", "IT-BO"),
            ("Italie", "IT"),
            ("ITALIA", "IT"),
            ("emilie romagne", "IT-45"),  # accents and punctuation aside
            ("  Minnesota ", "US-MN"),
            ("uy-ca", "UY-CA"),  # a code typed as such
        ],
    )
    def test_finds_the_code_a_resident_means(self, typed: str, code: str) -> None:
        assert places.search_places(typed, "en")[0].code == code

    def test_names_come_back_in_the_page_language(self) -> None:
        assert places.search_places("Italy", "es")[0].name == "Italia"

    def test_a_whole_name_first_countries_before_subdivisions(self) -> None:
        found = [p.code for p in places.search_places("Georgia", "en")]
        assert found[:2] == ["GE", "US-GA"]

    def test_beginnings_of_names_and_of_their_words(self) -> None:
        assert "UY-CA" in [p.code for p in places.search_places("Canel", "en")]
        assert "IT-45" in [p.code for p in places.search_places("Romagna", "en")]

    def test_nothing_for_too_little_or_an_unknown_name(self) -> None:
        assert places.search_places("x", "en") == []
        assert places.search_places("Xyzzyville", "en") == []
