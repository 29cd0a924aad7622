"""Rules of reporting exercises: who is invited, what counts as covered, the annex's content."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

STATUSES = (
    "implemented",
    "partially_implemented",
    "in_progress",
    "not_started",
    "not_applicable",
)


def jurisdiction_covers(invited: str, jurisdiction: str | None) -> bool:
    """An invited jurisdiction covers itself and the places inside it ("UY" covers "UY-CA")."""
    if not jurisdiction:
        return False
    return jurisdiction == invited or jurisdiction.startswith(f"{invited}-")


def is_invited(
    *,
    institution_id: UUID | None,
    jurisdiction: str | None,
    invited_institution_ids: Iterable[UUID],
    invited_jurisdictions: Iterable[str],
) -> bool:
    """True when the institution is named or sits in an invited jurisdiction."""
    if institution_id is None:
        return False
    if institution_id in set(invited_institution_ids):
        return True
    return any(jurisdiction_covers(j, jurisdiction) for j in invited_jurisdictions)


@dataclass(frozen=True)
class KnownInstitution:
    id: UUID
    name: str | None
    jurisdiction: str | None


@dataclass(frozen=True)
class InputFact:
    """The part of a local input that coverage needs."""

    institution_id: UUID
    jurisdiction: str | None
    recommendation_id: UUID
    status: str


@dataclass
class Coverage:
    invited_institution_ids: list[UUID]
    invited_jurisdictions: list[str]
    institutions: list[dict[str, Any]]
    recommendations: list[dict[str, Any]]
    figures: dict[str, Any]
    missing: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "invited_institution_ids": [str(i) for i in self.invited_institution_ids],
            "invited_jurisdictions": self.invited_jurisdictions,
            "figures": self.figures,
            "institutions": self.institutions,
            "recommendations": self.recommendations,
            "missing": self.missing,
        }


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def coverage(
    *,
    recommendations: Sequence[dict[str, Any]],
    invited_institution_ids: Sequence[UUID],
    invited_jurisdictions: Sequence[str],
    known_institutions: Sequence[KnownInstitution],
    inputs: Sequence[InputFact],
) -> Coverage:
    """Who was invited, who answered which recommendations, and what is missing."""
    rec_ids = [r["id"] for r in recommendations]
    names: dict[UUID, KnownInstitution] = {i.id: i for i in known_institutions}
    answered: dict[UUID, dict[UUID, str]] = defaultdict(dict)
    input_jurisdiction: dict[UUID, str | None] = {}
    for fact in inputs:
        answered[fact.institution_id][fact.recommendation_id] = fact.status
        input_jurisdiction[fact.institution_id] = fact.jurisdiction
    # Invited: named institutions, known institutions in invited jurisdictions, and anyone
    # who answered through a jurisdiction before the projection knew them.
    invited: dict[UUID, str] = dict.fromkeys(invited_institution_ids, "institution")
    for known in known_institutions:
        if known.id not in invited and any(
            jurisdiction_covers(j, known.jurisdiction) for j in invited_jurisdictions
        ):
            invited[known.id] = "jurisdiction"
    for institution_id in answered:
        invited.setdefault(institution_id, "jurisdiction")

    institutions: list[dict[str, Any]] = []
    for institution_id, invited_by in invited.items():
        statuses = answered.get(institution_id, {})
        known_one = names.get(institution_id)
        institutions.append(
            {
                "institution_id": str(institution_id),
                "name": known_one.name if known_one else None,
                "jurisdiction": input_jurisdiction.get(institution_id)
                or (known_one.jurisdiction if known_one else None),
                "invited_by": invited_by,
                "answered": len(statuses),
                "answered_recommendation_ids": [str(r) for r in rec_ids if r in statuses],
                "missing_recommendation_ids": [str(r) for r in rec_ids if r not in statuses],
                "by_status": dict(Counter(statuses.values())),
            }
        )
    institutions.sort(key=lambda i: (-i["answered"], i["jurisdiction"] or "", i["name"] or ""))

    per_recommendation = []
    for rec in recommendations:
        who = [i for i, s in answered.items() if rec["id"] in s]
        rec_statuses = Counter(answered[i][rec["id"]] for i in who)
        per_recommendation.append(
            {
                "recommendation_id": str(rec["id"]),
                "paragraph": rec.get("paragraph"),
                "mechanism": rec.get("mechanism"),
                "inputs": len(who),
                "jurisdictions": sorted({input_jurisdiction[i] or "?" for i in who}),
                "by_status": dict(rec_statuses),
            }
        )
    answering = [i for i in invited if answered.get(i)]
    covered = [r for r in per_recommendation if r["inputs"]]
    all_statuses = Counter(s for statuses in answered.values() for s in statuses.values())
    answered_jurisdictions = {input_jurisdiction[i] for i in answering}
    figures = {
        "recommendations": len(rec_ids),
        "institutions_invited": len(invited),
        "institutions_answered": len(answering),
        "institution_response_rate": _share(len(answering), len(invited)),
        "recommendations_with_input": len(covered),
        "recommendation_coverage": _share(len(covered), len(rec_ids)),
        "inputs": sum(len(s) for s in answered.values()),
        "inputs_expected": len(invited) * len(rec_ids),
        "input_completeness": _share(
            sum(len(s) for s in answered.values()), len(invited) * len(rec_ids)
        ),
        "by_status": {status: all_statuses.get(status, 0) for status in STATUSES},
    }
    missing = {
        "institutions_without_input": [
            i["institution_id"] for i in institutions if i["answered"] == 0
        ],
        "recommendations_without_input": [
            r["recommendation_id"] for r in per_recommendation if not r["inputs"]
        ],
        "jurisdictions_without_input": [
            j
            for j in invited_jurisdictions
            if not any(jurisdiction_covers(j, a) for a in answered_jurisdictions)
        ],
    }
    return Coverage(
        invited_institution_ids=list(invited_institution_ids),
        invited_jurisdictions=list(invited_jurisdictions),
        institutions=institutions,
        recommendations=per_recommendation,
        figures=figures,
        missing=missing,
    )


def annex(
    *,
    exercise: dict[str, Any],
    recommendations: Sequence[dict[str, Any]],
    inputs: Sequence[dict[str, Any]],
    figures: dict[str, Any],
    generated_at: str,
) -> dict[str, Any]:
    """The compiled annex: per recommendation, then per jurisdiction, the institutions' input."""
    by_recommendation: dict[Any, dict[str, list[dict[str, Any]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for item in inputs:
        by_recommendation[str(item["recommendation_id"])][item.get("jurisdiction") or "—"].append(
            item
        )
    sections = []
    for rec in recommendations:
        groups = by_recommendation.get(str(rec["id"]), {})
        statuses: Counter[str] = Counter()
        jurisdictions = []
        for jurisdiction in sorted(groups):
            entries = sorted(groups[jurisdiction], key=lambda e: e.get("institution_name") or "")
            statuses.update(e["status"] for e in entries)
            jurisdictions.append({"jurisdiction": jurisdiction, "inputs": entries})
        sections.append(
            {
                "recommendation": rec,
                "by_status": {s: statuses.get(s, 0) for s in STATUSES},
                "jurisdictions": jurisdictions,
            }
        )
    return {
        "exercise": exercise,
        "generated_at": generated_at,
        "figures": figures,
        "recommendations": sections,
    }
