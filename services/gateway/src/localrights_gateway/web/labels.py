"""Translated labels for the values the API speaks in (statuses, kinds, topics, mechanisms).

A page never prints ``published`` or ``treaty_body_review``: it prints ``label("status",
value)`` in its own language. Each table marks its English with ``N_`` so the catalogue
extractor finds it; unknown values (an API newer than the pages) read as words, not codes.
"""

from __future__ import annotations

from collections.abc import Callable

from localrights_gateway.web.i18n import N_

LABELS: dict[str, dict[str, str]] = {
    "status": {
        "draft": N_("Draft"),
        "open": N_("Open"),
        "closed": N_("Closed"),
        "published": N_("Results published"),
    },
    "question_type": {
        "single_choice": N_("One choice"),
        "multiple_choice": N_("Several choices"),
        "rating": N_("Scale"),
        "free_text": N_("Written answer"),
        "ranking": N_("Ranking"),
        "budget": N_("Budget"),
    },
    "participation": {
        "open": N_("Open to everyone"),
        "code": N_("With a participation code"),
    },
    "topic": {
        "housing": N_("Housing"),
        "health": N_("Health"),
        "education": N_("Education"),
        "water_sanitation": N_("Water and sanitation"),
        "safety": N_("Safety"),
        "environment": N_("Environment"),
        "transport": N_("Transport"),
        "work": N_("Work"),
        "equality": N_("Equality and non-discrimination"),
        "disability": N_("Disability"),
        "children_youth": N_("Children and young people"),
        "older_persons": N_("Older persons"),
        "migration": N_("Migrants and refugees"),
        "culture": N_("Culture"),
        "participation": N_("Taking part in public life"),
        "public_budget": N_("Public budget"),
    },
    "alert_kind": {
        "upr_review": N_("Universal Periodic Review"),
        "treaty_body_review": N_("Treaty-body review"),
        "country_visit": N_("Country visit"),
        "call_for_input": N_("Call for input"),
        "deadline": N_("Deadline"),
        "consultation_opened": N_("Consultation opened"),
        "input_requested": N_("Local input requested"),
        "reminder": N_("Reminder"),
        "status_changed": N_("Implementation status of a recommendation"),
        "status_returned": N_("Status returned by the ministry"),
        "indicator_observed": N_("New value of a local indicator"),
    },
    "alert_stage": {
        "list_of_issues": N_("List of issues"),
        "dialogue": N_("Dialogue with the committee"),
        "concluding_observations": N_("Concluding observations"),
        "follow_up": N_("Follow-up"),
        "announced": N_("Announced"),
        "ongoing": N_("Under way"),
        "end_of_visit": N_("End-of-visit statement"),
        "report": N_("Report"),
    },
    "mechanism": {
        "UPR": N_("Universal Periodic Review"),
        "CEDAW": N_("Committee on the Elimination of Discrimination against Women"),
        "CERD": N_("Committee on the Elimination of Racial Discrimination"),
        "CRC": N_("Committee on the Rights of the Child"),
        "CAT": N_("Committee against Torture"),
        "CCPR": N_("Human Rights Committee"),
        "CESCR": N_("Committee on Economic, Social and Cultural Rights"),
        "CRPD": N_("Committee on the Rights of Persons with Disabilities"),
        "CMW": N_("Committee on Migrant Workers"),
        "CED": N_("Committee on Enforced Disappearances"),
    },
    "alert_status": {
        "published": N_("Published"),
        "cancelled": N_("Cancelled"),
    },
    "delivery_status": {
        "pending": N_("Waiting to be sent"),
        "retrying": N_("Retrying"),
        "sending": N_("Being sent"),
        "delivered": N_("Delivered"),
        "dead": N_("Failed"),
        "held": N_("Held for the daily digest"),
        "digested": N_("Sent in a daily digest"),
        "cancelled": N_("Not sent: subscription removed"),
    },
    "channel": {
        "inbox": N_("Inbox on this site"),
        "email": N_("E-mail"),
        "webhook": N_("Webhook"),
    },
    "mode": {
        "immediate": N_("As soon as they are published"),
        "daily_digest": N_("Once a day, in a digest"),
    },
    "report_type": {
        "upr_national_report": N_("UPR national report"),
        "upr_midterm_report": N_("UPR mid-term report"),
        "treaty_body_report": N_("Treaty-body periodic report"),
        "vnr": N_("Voluntary national review"),
        "vlr": N_("Voluntary local review"),
        "other": N_("Other report"),
    },
    "exercise_status": {
        "draft": N_("Draft"),
        "open": N_("Open"),
        "closed": N_("Closed"),
    },
    "input_status": {
        "not_started": N_("Not started"),
        "in_progress": N_("In progress"),
        "partially_implemented": N_("Partially implemented"),
        "implemented": N_("Implemented"),
        "not_applicable": N_("Not applicable"),
    },
    "owner_level": {
        "national": N_("National"),
        "regional": N_("Regional"),
        "local": N_("Local"),
        "shared": N_("Shared between levels"),
    },
    "response": {
        "supported": N_("Supported"),
        "supported_in_part": N_("Supported in part"),
        "noted": N_("Noted"),
    },
    "mechanism_type": {
        "upr": N_("Universal Periodic Review"),
        "treaty_body": N_("Treaty body"),
        "special_procedure": N_("Special procedure"),
    },
    "follow_up_status": {
        "not_started": N_("Not started"),
        "in_progress": N_("In progress"),
        "partially_implemented": N_("Partially implemented"),
        "implemented": N_("Implemented"),
        "not_local_competence": N_("Not a local competence"),
    },
    "entry_origin": {
        "exercise_input": N_("Reported in a reporting exercise"),
        "institution_update": N_("Reported by the institution"),
        "ministry_validation": N_("Validated by the ministry"),
    },
    "review": {
        "pending": N_("Awaiting validation"),
        "validated": N_("Validated"),
        "returned": N_("Returned by the ministry"),
    },
    "indicator_kind": {
        "structural": N_("Structural (laws, policies, institutions in place)"),
        "process": N_("Process (what is done: budgets, services, cases handled)"),
        "outcome": N_("Outcome (what people enjoy)"),
    },
    "breakdown": {
        "sex": N_("Sex"),
        "age": N_("Age"),
        "disability": N_("Disability"),
        "urban_rural": N_("Urban or rural area"),
        "migratory_status": N_("Migratory status"),
        "ethnicity": N_("Ethnicity"),
        "income": N_("Income"),
        "district": N_("District"),
    },
    "institution_kind": {
        "municipality": N_("Municipality"),
        "regional_government": N_("Regional government"),
        "local_hr_commission": N_("Local human-rights commission"),
        "ombudsperson": N_("Ombudsperson"),
        "ministry": N_("Ministry"),
        "other": N_("Institution"),
    },
}


def label(kind: str, value: str | None, gettext: Callable[[str], str]) -> str:
    """The translated label of ``value`` among ``kind``; unknown ones as plain words."""
    if not value:
        return ""
    english = LABELS.get(kind, {}).get(value)
    if english is not None:
        return gettext(english)
    # A special procedure's mandate ("SR on adequate housing") is already a name.
    return value if kind == "mechanism" else value.replace("_", " ").capitalize()


def choices(kind: str, gettext: Callable[[str], str]) -> list[tuple[str, str]]:
    """(value, translated label) of every known value of ``kind``, in the table's order."""
    return [(value, gettext(english)) for value, english in LABELS[kind].items()]
