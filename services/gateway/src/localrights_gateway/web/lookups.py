"""What pages look up beside what they show: who runs a consultation, SDG names, UN alerts.

All through the public API. Institutions are fetched once per page for the ids on it;
the SDG taxonomy never changes while the platform runs, so it is kept per language once
read. A lookup that fails leaves its part of the page out rather than failing the page.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from localrights_gateway.web.client import Api, ApiError

_SDG_GOALS: dict[str, dict[str, str]] = {}
_SDG_TARGETS: dict[str, dict[str, str]] = {}


async def institutions_by_id(api: Api, ids: Iterable[str | None]) -> dict[str, dict[str, Any]]:
    """The institutions of these ids that exist (GET /institutions/{id}, public)."""
    wanted = sorted({str(i) for i in ids if i})

    async def one(institution_id: str) -> dict[str, Any] | None:
        try:
            found = await api.get(f"/institutions/{institution_id}")
        except ApiError:
            return None
        return found if isinstance(found, dict) else None

    found = await asyncio.gather(*(one(i) for i in wanted))
    return {i: f for i, f in zip(wanted, found, strict=True) if f is not None}


async def sdg_goals(api: Api, language: str) -> dict[str, str]:
    """Goal number -> "11. Sustainable cities and communities" in ``language``."""
    if language not in _SDG_GOALS:
        try:
            goals = await api.get("/sdg/goals", lang=language)
        except ApiError:
            return {}
        _SDG_GOALS[language] = {
            str(g["number"]): f"{g['number']}. {g['short']}" for g in goals if isinstance(g, dict)
        }
    return _SDG_GOALS[language]


async def sdg_targets(api: Api, language: str) -> dict[str, str]:
    """Target code -> its official text in ``language``."""
    if language not in _SDG_TARGETS:
        try:
            targets = await api.get("/sdg/targets", lang=language)
        except ApiError:
            return {}
        _SDG_TARGETS[language] = {
            str(t["code"]): str(t["title"]) for t in targets if isinstance(t, dict)
        }
    return _SDG_TARGETS[language]


async def alerts_about(api: Api, country: str, *, limit: int = 5) -> list[dict[str, Any]] | None:
    """The latest UN alerts about a country (public), or None when they cannot be read."""
    try:
        found = await api.get("/alerts", country=country, limit=limit)
    except ApiError:
        return None
    items = found.get("items", []) if isinstance(found, dict) else found
    return [a for a in items or [] if isinstance(a, dict) and a.get("status") != "cancelled"]
