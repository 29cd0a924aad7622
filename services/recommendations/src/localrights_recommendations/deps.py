"""Dependencies of the recommendations routes."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends

from localrights.app import app_settings
from localrights.auth import OptionalPrincipal, Principal, Role, require_roles
from localrights.db import SessionDep
from localrights_recommendations.config import Settings
from localrights_recommendations.models import Exercise, Recommendation
from localrights_recommendations.repository.audience import Audience
from localrights_recommendations.service import exercises, recommendations

MinistryOfficer = Annotated[Principal, Depends(require_roles(Role.MINISTRY_OFFICER))]
# Follow-up and indicators are reported by local institutions and ministries alike
# (notifications' ``InstitutionOfficer`` is the local institution's role alone).
InstitutionOrMinistryOfficer = Annotated[
    Principal, Depends(require_roles(Role.INSTITUTION_OFFICER, Role.MINISTRY_OFFICER))
]


SettingsDep = Annotated[Settings, Depends(app_settings)]


async def valid_recommendation(recommendation_id: UUID, session: SessionDep) -> Recommendation:
    return await recommendations.get_recommendation_or_raise(session=session, id=recommendation_id)


async def valid_exercise(exercise_id: UUID, session: SessionDep) -> Exercise:
    return await exercises.get_exercise_or_raise(session=session, id=exercise_id)


ValidRecommendation = Annotated[Recommendation, Depends(valid_recommendation)]
ValidExercise = Annotated[Exercise, Depends(valid_exercise)]


async def owned_exercise(principal: MinistryOfficer, exercise: ValidExercise) -> Exercise:
    """The exercise, if the caller's ministry runs it (or the caller is an administrator).

    The role is checked before the lookup, so an outsider cannot tell existing ids (401/403)
    from unknown ones (404).
    """
    exercises.ensure_can_manage(principal, exercise)
    return exercise


OwnedExercise = Annotated[Exercise, Depends(owned_exercise)]


async def audience(principal: OptionalPrincipal) -> Audience:
    """What the caller may see of institutions' follow-up (published only, when anonymous)."""
    return Audience() if principal is None else Audience.of(principal)


AudienceDep = Annotated[Audience, Depends(audience)]
