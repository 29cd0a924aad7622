"""Export rules: spreadsheet-safe cells and how one answer reads in a flat table."""

from __future__ import annotations

from typing import Any

# A spreadsheet treats a cell starting with one of these as a formula (OWASP CSV injection);
# tab and carriage return start one too in some programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A text cell a spreadsheet will not run as a formula (prefixed with a quote)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def flat_answer(value: Any) -> Any:
    """One answer as a single cell: lists joined by '; ', budgets as 'project=amount; ...'."""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}={v}" for k, v in value.items())
    return value
