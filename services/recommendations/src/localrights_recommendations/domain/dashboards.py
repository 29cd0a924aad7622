"""Figures of the follow-up dashboards, assembled from the rows the database counted."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from localrights_recommendations.domain.status import STATUSES, counts

REVIEW_FIGURES = ("statuses", "validated", "pending", "returned", "carried_over")


def share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def figures(rows: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Review figures (statuses, validated, pending, returned, carried over) summed."""
    total = dict.fromkeys(REVIEW_FIGURES, 0)
    for row in rows:
        for name in REVIEW_FIGURES:
            total[name] += int(row.get(name) or 0)
    return total


def status_counts(rows: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Statuses counted per reported status (every status named, zero included)."""
    total = dict.fromkeys(STATUSES, 0)
    for row in rows:
        status = row.get("reported_status")
        if status in total:
            total[status] += int(row["statuses"])
    return total


def breakdown(rows: Iterable[Mapping[str, Any]], *, limit: int = 20) -> list[dict[str, Any]]:
    """Per key (theme, SDG goal, mechanism), the status counts; the most counted first."""
    grouped: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        if row.get("key"):
            grouped.setdefault(str(row["key"]), []).append(row)
    ranked = sorted(
        ((key, status_counts(group)) for key, group in grouped.items()),
        key=lambda item: (-sum(item[1].values()), _natural(item[0])),
    )
    return [{"key": key, "counts": found} for key, found in ranked[:limit]]


def _natural(key: str) -> tuple[int, str]:
    """SDG goals as numbers (2 before 11), anything else by name."""
    return (int(key), "") if key.isdigit() else (1_000, key.casefold())


def places(
    status_rows: Iterable[Mapping[str, Any]],
    coverage_rows: Iterable[Mapping[str, Any]],
    recommendations: int,
) -> list[dict[str, Any]]:
    """One row per place: its counts, review figures and the share of recommendations it
    gave a status to."""
    by_place: dict[str, list[Mapping[str, Any]]] = {}
    for row in status_rows:
        by_place.setdefault(row["jurisdiction"], []).append(row)
    covered = {row["jurisdiction"]: row for row in coverage_rows if row["jurisdiction"]}
    out = []
    for place in sorted(by_place):
        reached = int(covered.get(place, {}).get("recommendations", 0))
        out.append(
            {
                "jurisdiction": place,
                "institutions": int(covered.get(place, {}).get("institutions", 0)),
                "recommendations": reached,
                "coverage": share(reached, recommendations),
                "counts": status_counts(by_place[place]),
                "figures": figures(by_place[place]),
            }
        )
    return out


def overall(coverage_rows: Iterable[Mapping[str, Any]]) -> int:
    """Recommendations with a status in at least one place (the grand total row)."""
    for row in coverage_rows:
        if row["jurisdiction"] is None:
            return int(row["recommendations"])
    return 0


__all__ = ["STATUSES", "breakdown", "counts", "figures", "overall", "places", "share"]
