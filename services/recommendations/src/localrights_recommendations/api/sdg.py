"""The SDG taxonomy the service validates against (public)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, status

from localrights_recommendations.domain import sdg
from localrights_recommendations.schemas import SdgGoalRead, SdgTargetRead

router = APIRouter(prefix="/sdg", tags=["sdg"])
Language = Literal["en", "fr", "es"]


@router.get("/goals", status_code=status.HTTP_200_OK, response_model=list[SdgGoalRead])
async def list_goals(lang: Language = "en") -> list[SdgGoalRead]:
    """The 17 Sustainable Development Goals."""
    return [
        SdgGoalRead(number=g.number, short=g.short, title=g.title) for g in sdg.goals(lang).values()
    ]


@router.get("/targets", status_code=status.HTTP_200_OK, response_model=list[SdgTargetRead])
async def list_targets(
    lang: Language = "en", goal: int | None = Query(default=None, ge=1, le=17)
) -> list[SdgTargetRead]:
    """The 169 SDG targets with their official short text, optionally of one goal."""
    return [
        SdgTargetRead(code=t.code, goal=t.goal, title=t.title)
        for t in sdg.targets(lang).values()
        if goal is None or t.goal == goal
    ]
