"""Editing a consultation while it is a draft: the whole definition is checked again."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from localrights.uow import UnitOfWork
from localrights_consultation.domain.lifecycle import Status
from localrights_consultation.domain.places import country_of
from localrights_consultation.exceptions import IllegalTransition, InvalidDefinition
from localrights_consultation.models import Consultation
from localrights_consultation.schemas import ConsultationCreate, ConsultationUpdate
from localrights_consultation.service.consultations import definition_problems, to_read


def current_definition(consultation: Consultation) -> dict[str, Any]:
    """The consultation as a creation request would describe it."""
    return to_read(consultation).model_dump(
        include=set(ConsultationCreate.model_fields) - {"country"}, mode="json"
    )


async def update_draft(
    uow: UnitOfWork, *, consultation: Consultation, data: ConsultationUpdate
) -> Consultation:
    """Change a draft; the result must be a valid consultation as a whole (422 naming why).

    Once opened, a consultation's questions are what residents answered: no more edits (409).
    """
    await uow.session.refresh(consultation, with_for_update=True)
    if consultation.status != Status.DRAFT:
        raise IllegalTransition(
            f"a {consultation.status} consultation cannot be edited: only a draft can"
        )
    merged = {**current_definition(consultation), **data.model_dump(exclude_unset=True)}
    try:
        checked = ConsultationCreate.model_validate(merged)
    except ValidationError as exc:
        raise InvalidDefinition(
            [
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                for e in exc.errors(include_url=False)
            ]
        ) from None
    problems = definition_problems(checked)
    if problems:
        raise InvalidDefinition(problems)
    consultation.title = checked.title
    consultation.description = checked.description
    consultation.jurisdiction = checked.jurisdiction
    consultation.country = country_of(checked.jurisdiction)
    consultation.municipality = checked.municipality
    consultation.opens_at = checked.opens_at
    consultation.closes_at = checked.closes_at
    consultation.participation_mode = checked.participation_mode
    consultation.definition = {"questions": [q.model_dump(mode="json") for q in checked.questions]}
    consultation.recommendation_ids = [str(r) for r in dict.fromkeys(checked.recommendation_ids)]
    consultation.sdg_targets = list(dict.fromkeys(checked.sdg_targets))
    consultation.topics = list(dict.fromkeys(checked.topics))
    consultation.exercise_id = checked.exercise_id
    uow.session.add(consultation)
    return consultation
