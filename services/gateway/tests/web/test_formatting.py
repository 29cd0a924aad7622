"""Dates, times with their zone, and numbers as the page's reader writes them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from localrights_gateway.web import formatting


@pytest.mark.parametrize(
    ("language", "text"),
    [("en", "21 January 2027"), ("fr", "21 janvier 2027"), ("es", "21 de enero de 2027")],
)
def test_dates_in_words(language: str, text: str) -> None:
    assert formatting.format_date("2027-01-21", language) == text
    assert formatting.format_date("2027-01-21T12:00:00Z", language) == text


def test_a_moment_is_dated_and_timed_in_the_zone_of_its_place() -> None:
    # 02:59 UTC on the 22nd is still the evening of the 21st in Montevideo (UTC-3).
    moment = "2027-01-22T02:59:00Z"
    assert formatting.format_date(moment, "en", "UY-CA") == "21 January 2027"
    assert formatting.format_time(moment, "en", "UY-CA") == "23:59 (Uruguay Time)"
    assert formatting.format_time(moment, "es", "UY-CA") == "23:59 (hora de Uruguay)"
    assert formatting.format_time("2027-07-01T10:00:00+00:00", "fr", "IT-BO") == (
        "12:00 (heure : Italie)"  # summer time in Rome
    )


def test_a_country_with_several_zones_gets_utc_said_so() -> None:
    assert formatting.zone_for("US-MN") is UTC
    assert formatting.format_time("2027-01-22T02:59:00Z", "en", "US-MN") == "02:59 UTC"
    assert formatting.format_time(datetime(2027, 1, 22, 2, 59, tzinfo=UTC), "en") == "02:59 UTC"


@pytest.mark.parametrize(
    ("language", "text"),
    [("en", "13,000,000"), ("fr", "13\u202f000\u202f000"), ("es", "13.000.000")],
)
def test_numbers_grouped_as_the_reader_groups_them(language: str, text: str) -> None:
    assert formatting.format_number(13_000_000, language) == text


def test_spanish_groups_from_five_digits_as_browsers_do() -> None:
    assert formatting.format_number(1100, "es") == "1100"
    assert formatting.format_number(10000, "es") == "10.000"
    assert formatting.format_number(1100, "en") == "1,100"


def test_shares_as_percentages() -> None:
    assert formatting.format_percent(0.456, "en") == "46%"
    assert formatting.format_percent(0.5, "fr") == "50\u00a0%"


def test_nothing_in_nothing_out() -> None:
    assert formatting.format_date(None, "en") == ""
    assert formatting.format_time("2027-01-21", "en") == ""  # a day has no time
