"""The compiled annex of an exercise: per recommendation, then per jurisdiction, with the
coverage figures and each recommendation's follow-up since the last cycle."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlmodel.ext.asyncio.session import AsyncSession

from localrights_recommendations.domain import exercises as rules
from localrights_recommendations.models import Exercise
from localrights_recommendations.service.exercises import (
    coverage,
    exercise_recommendations,
    known_institutions,
)
from localrights_recommendations.service.inputs import input_rows
from localrights_recommendations.service.national_report import follow_up_by_recommendation


async def compilation(*, session: AsyncSession, exercise: Exercise) -> dict[str, Any]:
    """The annex: per recommendation, then per jurisdiction, with coverage figures."""
    recs = await exercise_recommendations(session=session, exercise=exercise)
    inputs = await input_rows(session=session, exercise_id=exercise.id)
    figures = (await coverage(session=session, exercise=exercise)).figures
    known = await known_institutions(
        session=session, exercise=exercise, extra={UUID(i["institution_id"]) for i in inputs}
    )
    names = {str(k.id): k.name for k in known}
    for item in inputs:
        item["institution_name"] = names.get(item["institution_id"])
    annex = rules.annex(
        exercise={
            "id": str(exercise.id),
            "title": exercise.title,
            "report_type": exercise.report_type,
            "country": exercise.country,
            "mechanism": exercise.mechanism,
            "deadline": exercise.deadline.isoformat(),
            "status": exercise.status,
        },
        recommendations=recs,
        inputs=inputs,
        figures=figures,
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    # The national report's view of follow-up since the last cycle, per recommendation.
    follow_up = await follow_up_by_recommendation(
        session, country=exercise.country, recommendation_ids=[UUID(r["id"]) for r in recs]
    )
    for section in annex["recommendations"]:
        section["follow_up"] = follow_up[str(section["recommendation"]["id"])]
    return annex
