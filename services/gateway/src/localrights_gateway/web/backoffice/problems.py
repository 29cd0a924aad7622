"""The API's refusals in plain words, in the page's language, at the field they are about.

The API answers a 422 with problem+json ``errors``, each with a ``location`` ("country",
"questions.2.title") and a validator's ``message`` in English ("Value error, 'ITALY' is not
an ISO 3166-1 alpha-2 country code"). A page never shows that: it says what to do, naming
the field, in the reader's language ("Choose a country from the list, for example Italy").
Messages are chosen by the field and, where one field can fail for different reasons, by
a word of the API's message; a field with no message of its own gets a generic one naming
its label, so nothing English leaks onto a French page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from localrights_gateway.web.answers import FieldError
from localrights_gateway.web.client import ApiError
from localrights_gateway.web.i18n import N_

# (field, a word of the API's message or "" for any) -> what the page says.
MESSAGES: dict[tuple[str, str], str] = {
    ("country", ""): N_("Choose a country from the list, for example Italy."),
    ("countries", ""): N_("Choose the countries from the list, for example Italy."),
    ("jurisdiction", ""): N_("Enter a place by its name, for example Bologna or Canelones."),
    ("jurisdictions", "not in"): N_("Enter places of the alert's country only."),
    ("jurisdictions", "national"): N_(
        "A recommendation owned at the national level has no places: leave them empty."
    ),
    ("jurisdictions", "needed"): N_(
        "Enter the regions or municipalities that own these recommendations."
    ),
    ("jurisdictions", ""): N_("Enter places by their name, for example Bologna or Canelones."),
    ("invited_jurisdictions", ""): N_("Enter places by their name, for example Bologna."),
    ("mechanism", ""): N_(
        "Choose a mechanism: the Universal Periodic Review, a treaty body or a mandate."
    ),
    ("mechanisms", ""): N_("Choose mechanisms from the list."),
    ("kind", ""): N_("Choose what kind of alert this is."),
    ("kinds", ""): N_("Choose kinds of alerts from the list."),
    ("stage", "needs a stage"): N_("Choose the stage of the review or of the visit."),
    ("stage", "has no stage"): N_("This kind of alert has no stage: choose “No stage” for it."),
    ("stage", ""): N_("Choose a stage that belongs to this kind of alert."),
    ("title", ""): N_("Enter a title in at least one language."),
    ("body", ""): N_("Write the text in the languages you chose, or leave it empty."),
    ("how_to_take_part", ""): N_("Write how to take part, or leave it empty."),
    ("starts_on", ""): N_("Enter the first day as a date, for example 21 January 2027."),
    ("ends_on", "before"): N_("The last day must be the first day or after it."),
    ("ends_on", "needs starts_on"): N_("Enter the first day too, or leave the last day empty."),
    ("ends_on", ""): N_("Enter the last day as a date, for example 22 January 2027."),
    ("deadline", "needs a deadline"): N_("A call for input or a deadline needs its date."),
    ("deadline", ""): N_("Enter the deadline as a date, for example 31 May 2027."),
    ("themes", ""): N_("Choose themes from the list."),
    ("source_url", ""): N_("Enter the web address of the source, starting with https://"),
    ("url", "resolves"): N_(
        "This web address leads to a private network: give an address on the internet."
    ),
    ("url", ""): N_("Enter the web address that will receive the alerts, starting with https://"),
    ("email", ""): N_("Enter an e-mail address, for example alerts@city.example"),
    ("name", ""): N_("Enter a shorter name."),
    ("report_type", ""): N_("Choose the report the exercise prepares."),
    ("recommendation_ids", ""): N_("Choose at least one recommendation."),
    ("invited_institution_ids", ""): N_("Choose at least one institution to invite."),
    ("filter", ""): N_("Choose at least one recommendation."),
    ("ids", ""): N_("Choose at least one recommendation in the list."),
    ("owner_level", ""): N_("Choose the level of government."),
    ("status", ""): N_("Choose the implementation status."),
    ("evidence_links", ""): N_("Enter each link on its own line, starting with https://"),
    ("indicators", ""): N_("Give each indicator a name, and a number as its value."),
    ("consultation_id", ""): N_("Choose one of your consultations from the list."),
    ("opens_at", ""): N_("Enter when the consultation opens, as a date and a time."),
    ("closes_at", ""): N_("Enter when the consultation closes, after it opens."),
    ("topics", ""): N_("Choose topics from the list."),
    ("sdg_targets", ""): N_("Choose SDG targets from the list."),
    ("description", "same languages"): N_(
        "Write the description in every language of the title, or leave it empty."
    ),
    ("questions", "lacks the language"): N_(
        "Write every question and option in each language of the consultation."
    ),
    ("questions", "at least one question"): N_(
        "Add at least one question that is not an “About you” question."
    ),
    ("questions", ""): N_("Check the questions: each needs its text, and choices need options."),
    ("file", ""): N_("The file could not be read: choose a CSV or iCalendar file."),
}
GENERIC = N_("Check “%(field)s”: it was not accepted.")


@dataclass(frozen=True)
class Field:
    """Where a field of the API lands on a page: the input's id and its visible label."""

    target: str
    label: str


def _field_of(location: str, fields: Mapping[str, Field]) -> tuple[str, Field | None]:
    parts = [p for p in location.split(".") if p and not p.isdigit()]
    for part in parts:
        if part in fields:
            return part, fields[part]
    return (parts[0] if parts else ""), None


def message_for(name: str, api_message: str, gettext: Callable[[str], str]) -> str | None:
    """The page's words for a refusal of field ``name`` (None when there are none)."""
    lowered = api_message.lower()
    for (field, word), message in MESSAGES.items():
        if field == name and word and word in lowered:
            return gettext(message)
    english = MESSAGES.get((name, ""))
    return gettext(english) if english else None


def field_errors(
    exc: ApiError,
    fields: Mapping[str, Field],
    gettext: Callable[[str], str],
    *,
    overrides: Mapping[str, str] | None = None,
) -> list[FieldError]:
    """One mistake per field the API refused, in plain words, linked to its input.

    ``overrides``: this form's own words for a field (English, translated here).
    """
    found: dict[str, FieldError] = {}
    problems = exc.errors or [{"location": "", "message": exc.detail}]
    for problem in problems:
        location = str(problem.get("location") or "")
        name, field = _field_of(location, fields)
        if not name and ":" in exc.detail:
            name, field = _field_of(exc.detail.split(":", 1)[0].strip(), fields)
        message = (
            gettext(overrides[name])
            if overrides and name in overrides
            else message_for(name, str(problem.get("message") or exc.detail), gettext)
        )
        if message is None:
            label = field.label if field else gettext("this form")
            message = gettext(GENERIC) % {"field": label}
        target = field.target if field else "form-top"
        found.setdefault(target, FieldError(target, "", message))
    return list(found.values())
