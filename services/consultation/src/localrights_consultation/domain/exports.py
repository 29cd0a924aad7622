"""Export rules: how one answer reads in a flat table (cells are made safe by csvsafe)."""

from __future__ import annotations

from typing import Any


def flat_answer(value: Any) -> Any:
    """One answer as a single cell: lists joined by '; ', budgets as 'project=amount; ...'."""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}={v}" for k, v in value.items())
    return value
