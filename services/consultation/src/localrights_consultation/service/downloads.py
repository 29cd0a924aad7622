"""The public files of published results: one CSV and one JSON with every breakdown.

They hold exactly what the results page shows (read from the results kept at publication,
small groups suppressed the same way), with the labels of questions, options and groups in
one of the consultation's languages beside their ids, so a spreadsheet reads without the
definition at hand. Files are named after the consultation, not its id.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from localrights_consultation.domain.questions import QuestionType
from localrights_consultation.domain.results import NO_ANSWER, OVERALL, SUPPRESSED
from localrights_consultation.models import Consultation
from localrights_consultation.schemas import ResultsRead
from localrights_consultation.service.consultations import questions_of
from localrights_consultation.service.results import csv_line, result_rows

COLUMNS = [
    "breakdown",
    "group",
    "group_label",
    "group_responses",
    "question_id",
    "question",
    "type",
    "item",
    "item_label",
    "count",
    "share",
    "mean",
    "score",
    "total",
]
SUPPRESSION_RULE = (
    "Demographic groups (the people who gave one answer to an 'about you' question) with "
    "fewer than {n} people are never shown: they are counted together in 'suppressed', with "
    "the next-smallest group when needed, so that no one can be recognised. The rule is "
    "about groups of people, not about the counts of an answer, which may be small."
)
# Names of groups the results make themselves, in the languages the platform speaks.
_GROUP_NAMES = {
    OVERALL: {"en": "Everyone", "fr": "Tout le monde", "es": "Todas las personas"},
    NO_ANSWER: {"en": "Did not say", "fr": "Sans réponse", "es": "No respondió"},
    SUPPRESSED: {
        "en": "Smaller groups together",
        "fr": "Petits groupes réunis",
        "es": "Grupos pequeños juntos",
    },
}


def pick(text: Mapping[str, str] | None, language: str) -> str:
    """One language of a multilingual text: the wanted one, else English, else the first."""
    if not text:
        return ""
    return text.get(language) or text.get("en") or next(iter(text.values()), "")


def file_language(consultation: Consultation, wanted: str | None) -> str:
    """The language of the labels: the one asked for if the consultation has it."""
    if wanted and wanted in consultation.title:
        return wanted
    return "en" if "en" in consultation.title else sorted(consultation.title)[0]


def _labels(questions: list[QuestionType], language: str) -> dict[str, dict[str, str]]:
    """Per question id: its title under "" and each option's or project's label."""
    found: dict[str, dict[str, str]] = {}
    for question in questions:
        items = getattr(question, "options", None) or getattr(question, "projects", None) or []
        found[question.id] = {"": pick(question.title, language)} | {
            item.id: pick(item.label, language) for item in items
        }
    return found


def results_csv(
    consultation: Consultation, results: Mapping[str, ResultsRead], language: str
) -> str:
    """Every figure of every breakdown as one spreadsheet-safe table."""
    labels = _labels(questions_of(consultation), language)
    lines = [csv_line(COLUMNS)]
    for breakdown, figures in results.items():
        for row in result_rows(figures):
            group = str(row["group"])
            if breakdown and group == OVERALL:
                continue  # everyone together is the first section already
            qid = str(row.get("question_id") or "")
            item = str(row.get("item") if row.get("item") is not None else "")
            group_label = pick(_GROUP_NAMES.get(group), language) or labels.get(breakdown, {}).get(
                group, group
            )
            row |= {
                "breakdown": pick(labels.get(breakdown, {"": ""}), language) if breakdown else "",
                "group_label": group_label,
                "question": labels.get(qid, {}).get("", ""),
                "item_label": labels.get(qid, {}).get(item, item),
            }
            lines.append(csv_line([row.get(column) for column in COLUMNS]))
    return "".join(lines)


def results_json(
    consultation: Consultation, results: Mapping[str, ResultsRead], *, threshold: int
) -> str:
    """The published results with the consultation's definition, in every language."""
    everyone = results[""]
    body: dict[str, Any] = {
        "consultation": {
            "id": str(consultation.id),
            "institution_id": str(consultation.institution_id),
            "title": consultation.title,
            "country": consultation.country,
            "jurisdiction": consultation.jurisdiction,
            "municipality": consultation.municipality,
            "published_at": consultation.published_at.isoformat()
            if consultation.published_at
            else None,
            "what_happens_next": consultation.what_happens_next,
        },
        "suppression_threshold": threshold,
        "suppression_rule": SUPPRESSION_RULE.format(n=threshold),
        "response_count": everyone.response_count,
        "questions": [q.model_dump(mode="json") for q in questions_of(consultation)],
        "everyone": everyone.overall,
        "breakdowns": [
            {"by": breakdown, "groups": figures.groups}
            for breakdown, figures in results.items()
            if breakdown
        ],
    }
    return json.dumps(body, ensure_ascii=False, indent=2)


def attachment(title: str, suffix: str) -> str:
    """A Content-Disposition naming the file after the consultation (RFC 6266, UTF-8)."""
    name = f"{title.strip() or 'consultation'} – {suffix}"
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", name).strip()[:150]
    plain = unicodedata.normalize("NFKD", name.replace("–", "-"))
    plain = re.sub(r"\s+", " ", plain.encode("ascii", "ignore").decode()).strip() or "results"
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name)}"
