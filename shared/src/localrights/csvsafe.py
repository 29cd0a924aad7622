"""CSV that a spreadsheet opens as data, never as formulas (OWASP "CSV injection").

Every CSV the platform writes goes through ``writer`` (a test holds the services to it), so
one rule decides what is escaped:

- a text cell starting with ``= + - @``, a tab, a carriage return or a line feed, or with the
  full-width ``＝ ＋ － ＠`` that some spreadsheets (East Asian input methods) also read as
  the start of a formula, gets a leading apostrophe, which spreadsheets show as text;
- numbers stay numbers: ``-3`` as an int or a float cannot carry a formula, and a rating
  of -2 or a negative total must stay a figure people can sum. Text that merely looks like a
  number (``"-2"``) is escaped like any other text: ``-2+3`` would not be a number.
- ``None`` is an empty cell.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, Protocol, TypeVar

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")

T = TypeVar("T")


def safe_cell(value: T) -> T | str:
    """The cell as written: formula-starting text prefixed with ``'``, ``None`` empty."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


class SafeWriter:
    """``csv.writer`` whose every cell passes through ``safe_cell``."""

    def __init__(self, out: _Writable, **fmtparams: Any) -> None:
        self._writer = csv.writer(out, **fmtparams)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out: _Writable, **fmtparams: Any) -> SafeWriter:
    """A CSV writer on ``out`` (as ``csv.writer``) that escapes formula cells."""
    return SafeWriter(out, **fmtparams)
