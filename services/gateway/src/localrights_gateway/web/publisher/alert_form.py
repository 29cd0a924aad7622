"""The alert form: its values as typed, checked in plain words, turned into the API's body.

Texts are written in English, French and Spanish side by side (any may be left empty but
the title needs one); places are typed by name; everything else is picked from lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from localrights_gateway.web.answers import FieldError
from localrights_gateway.web.backoffice import pickers
from localrights_gateway.web.backoffice.problems import Field
from localrights_gateway.web.i18n import LANGUAGES, Gettext
from localrights_gateway.web.rendering import first

TEXTS = ("title", "body", "how_to_take_part")
DATES = ("starts_on", "ends_on", "deadline")
# API field -> where its mistakes are shown, and the label that names it.
FIELDS_EN = {
    "kind": ("kind", "Kind of alert"),
    "stage": ("stage", "Stage"),
    "mechanism": ("mechanism", "Mechanism"),
    "country": ("country", "Country"),
    "jurisdictions": ("jurisdictions", "Places in the country"),
    "title": ("title-en", "Title"),
    "body": ("body-en", "What it is about"),
    "how_to_take_part": ("how_to_take_part-en", "How a local institution can take part"),
    "starts_on": ("starts_on", "First day"),
    "ends_on": ("ends_on", "Last day"),
    "deadline": ("deadline", "Deadline for submissions"),
    "themes": ("themes", "Themes"),
    "source_url": ("source_url", "Source (web page)"),
}


@dataclass
class AlertValues:
    """What the form holds, as typed (strings), so it can be shown again unchanged."""

    kind: str = "country_visit"
    stage: str = ""
    mechanism: str = ""
    country: str = ""
    jurisdictions: str = ""
    texts: dict[str, dict[str, str]] = field(
        default_factory=lambda: {name: dict.fromkeys(LANGUAGES, "") for name in TEXTS}
    )
    starts_on: str = ""
    ends_on: str = ""
    deadline: str = ""
    themes: list[str] = field(default_factory=list)
    source_url: str = ""

    def hidden(self) -> list[tuple[str, str]]:
        """The values as hidden fields (the check page carries them to "Publish")."""
        pairs = [
            ("kind", self.kind),
            ("stage", self.stage),
            ("mechanism", self.mechanism),
            ("country", self.country),
            ("jurisdictions", self.jurisdictions),
            ("starts_on", self.starts_on),
            ("ends_on", self.ends_on),
            ("deadline", self.deadline),
            ("source_url", self.source_url),
        ]
        pairs += [("themes", theme) for theme in self.themes]
        pairs += [
            (f"{name}-{language}", text)
            for name, by_language in self.texts.items()
            for language, text in by_language.items()
        ]
        return pairs


def fields(gettext: Gettext) -> dict[str, Field]:
    return {name: Field(target, gettext(label)) for name, (target, label) in FIELDS_EN.items()}


def read(form: dict[str, list[str]]) -> AlertValues:
    values = AlertValues(
        kind=first(form, "kind"),
        stage=first(form, "stage"),
        mechanism=first(form, "mechanism"),
        country=first(form, "country").upper(),
        jurisdictions=first(form, "jurisdictions"),
        starts_on=first(form, "starts_on"),
        ends_on=first(form, "ends_on"),
        deadline=first(form, "deadline"),
        themes=[t for t in form.get("themes", []) if t],
        source_url=first(form, "source_url"),
    )
    for name in TEXTS:
        for language in LANGUAGES:
            values.texts[name][language] = (form.get(f"{name}-{language}") or [""])[0].strip()
    return values


def of_alert(alert: dict[str, Any], language: str) -> AlertValues:
    """An existing alert as the form shows it (places back to their names)."""
    values = AlertValues(
        kind=str(alert.get("kind") or ""),
        stage=str(alert.get("stage") or ""),
        mechanism=str(alert.get("mechanism") or ""),
        country=str(alert.get("country") or ""),
        jurisdictions=pickers.place_names(list(alert.get("jurisdictions") or []), language),
        starts_on=str(alert.get("starts_on") or ""),
        ends_on=str(alert.get("ends_on") or ""),
        deadline=str(alert.get("deadline") or ""),
        themes=list(alert.get("themes") or []),
        source_url=str(alert.get("source_url") or ""),
    )
    for name in TEXTS:
        for language_code, text in (alert.get(name) or {}).items():
            if language_code in LANGUAGES:
                values.texts[name][language_code] = text
    return values


def body(
    values: AlertValues, language: str, gettext: Gettext
) -> tuple[dict[str, Any], list[FieldError]]:
    """The API's body, and the mistakes the page can see before asking the API."""
    errors: list[FieldError] = []
    if values.kind not in pickers.ALERT_KINDS:
        errors.append(FieldError("kind", "", gettext("Choose what kind of alert this is.")))
    stages = pickers.STAGES.get(values.kind, ())
    if stages and values.stage not in stages:
        errors.append(
            FieldError("stage", "", gettext("Choose the stage of the review or of the visit."))
        )
    if not values.country:
        errors.append(
            FieldError("country", "", gettext("Choose a country from the list, for example Italy."))
        )
    if not values.mechanism:
        errors.append(
            FieldError(
                "mechanism",
                "",
                gettext(
                    "Choose a mechanism: the Universal Periodic Review, a treaty body or a mandate."
                ),
            )
        )
    if not any(values.texts["title"].values()):
        errors.append(
            FieldError("title-en", "", gettext("Enter a title in at least one language."))
        )
    resolved = pickers.resolve_places(values.jurisdictions, language, country=values.country)
    if resolved.unknown:
        errors.append(
            FieldError(
                "jurisdictions",
                "",
                gettext(pickers.UNKNOWN_PLACE) % {"names": ", ".join(resolved.unknown)},
            )
        )
    payload: dict[str, Any] = {
        "kind": values.kind,
        "stage": values.stage if stages else None,
        "country": values.country,
        "mechanism": values.mechanism,
        "jurisdictions": resolved.codes,
        "themes": values.themes,
        "source_url": values.source_url or None,
    }
    for name in TEXTS:
        payload[name] = {code: text for code, text in values.texts[name].items() if text}
    for name in DATES:
        payload[name] = getattr(values, name) or None
    return payload, errors
