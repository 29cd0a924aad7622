"""Test data for the page tests, made through the public API as a real client would.

Shared with tests/browser (loaded there by file path), so the data both suites see is made
in one place.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

PASSWORD = "a-long-test-password-1"


@dataclass(frozen=True)
class Officer:
    email: str
    password: str
    institution_id: str
    token: str


def token_for(client: httpx.Client, email: str, password: str) -> str:
    answer = client.post("/api/v1/auth/token", data={"username": email, "password": password})
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def csrf_of(html: str) -> str:
    """The CSRF token of the first form of a page."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def sign_in(browser: httpx.Client, officer: Officer) -> str:
    """Sign in through the login form; the CSRF token of the session's forms."""
    token = csrf_of(browser.get("/login").text)
    signed = browser.post(
        "/login",
        data={"csrf_token": token, "email": officer.email, "password": officer.password},
    )
    assert signed.status_code == 303, signed.text[-2000:]
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def make_officer(
    client: httpx.Client,
    admin_token: str,
    *,
    role: str = "institution_officer",
    kind: str = "municipality",
    country: str = "UY",
    jurisdiction: str = "UY-MO",
    name: str | None = None,
) -> Officer:
    """A new institution and one officer of it, signed in."""
    suffix = secrets.token_hex(4)
    institution = client.post(
        "/api/v1/institutions",
        json={
            "name": name or f"Intendencia de Montevideo {suffix}",
            "kind": kind,
            "country": country,
            "jurisdiction": jurisdiction,
        },
        headers=bearer(admin_token),
    )
    institution.raise_for_status()
    email = f"officer-{suffix}@example.org"
    user = client.post(
        "/api/v1/users",
        json={
            "email": email,
            "password": PASSWORD,
            "roles": [role],
            "institution_id": institution.json()["id"],
        },
        headers=bearer(admin_token),
    )
    user.raise_for_status()
    return Officer(email, PASSWORD, institution.json()["id"], token_for(client, email, PASSWORD))


def every_question_type(*, title_prefix: str = "") -> dict[str, Any]:
    """A consultation definition with each question type and an optional demographic one."""
    now = datetime.now(UTC)

    def text(en: str, fr: str, es: str) -> dict[str, str]:
        return {"en": en, "fr": fr, "es": es}

    def options(*labels: tuple[str, str, str]) -> list[dict[str, Any]]:
        return [{"id": f"o{i}", "label": text(*label)} for i, label in enumerate(labels, 1)]

    return {
        "title": text(
            f"{title_prefix}Our neighbourhood's priorities",
            f"{title_prefix}Les priorités du quartier",
            f"{title_prefix}Prioridades del barrio",
        ),
        "description": text(
            "Tell the city what matters to you.",
            "Dites à la ville ce qui compte pour vous.",
            "Diga a la ciudad lo que le importa.",
        ),
        "jurisdiction": "UY-MO",
        "municipality": "Montevideo",
        "opens_at": (now - timedelta(minutes=5)).isoformat(),
        "closes_at": (now + timedelta(days=7)).isoformat(),
        "questions": [
            {
                "id": "safety",
                "type": "single_choice",
                "required": True,
                "title": text(
                    "Do you feel safe at night?",
                    "Vous sentez-vous en sécurité la nuit ?",
                    "¿Se siente seguro de noche?",
                ),
                "options": options(("Yes", "Oui", "Sí"), ("No", "Non", "No")),
            },
            {
                "id": "services",
                "type": "multiple_choice",
                "min_picks": 1,
                "max_picks": 2,
                "title": text(
                    "Which services should improve?",
                    "Quels services améliorer ?",
                    "¿Qué servicios mejorar?",
                ),
                "options": options(
                    ("Water", "Eau", "Agua"),
                    ("Transport", "Transports", "Transporte"),
                    ("Health", "Santé", "Salud"),
                ),
            },
            {
                "id": "housing",
                "type": "rating",
                "min": 1,
                "max": 5,
                "title": text(
                    "Rate access to housing",
                    "Notez l'accès au logement",
                    "Califique el acceso a la vivienda",
                ),
                "min_label": text("Very poor", "Très mauvais", "Muy malo"),
                "max_label": text("Very good", "Très bon", "Muy bueno"),
            },
            {
                "id": "ideas",
                "type": "free_text",
                "max_length": 200,
                "title": text("Your ideas", "Vos idées", "Sus ideas"),
            },
            {
                "id": "order",
                "type": "ranking",
                "title": text("Rank these rights", "Classez ces droits", "Ordene estos derechos"),
                "options": options(
                    ("Education", "Éducation", "Educación"),
                    ("Work", "Travail", "Trabajo"),
                    ("Culture", "Culture", "Cultura"),
                ),
            },
            {
                "id": "budget",
                "type": "budget",
                "total_budget": 1000,
                "currency": "UYU",
                "title": text(
                    "Share the budget", "Répartissez le budget", "Reparta el presupuesto"
                ),
                "projects": [
                    {
                        "id": "park",
                        "label": text("New park", "Nouveau parc", "Parque nuevo"),
                        "cost": 600,
                    },
                    {
                        "id": "lights",
                        "label": text("Street lights", "Éclairage", "Alumbrado"),
                        "cost": 500,
                    },
                ],
            },
            {
                "id": "age",
                "type": "single_choice",
                "demographic": True,
                "title": text("Your age", "Votre âge", "Su edad"),
                "options": [
                    {"id": "young", "label": text("Under 30", "Moins de 30 ans", "Menos de 30")},
                    {"id": "older", "label": text("30 or more", "30 ans ou plus", "30 o más")},
                ],
            },
        ],
    }


def open_consultation(
    client: httpx.Client, officer: Officer, definition: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Create a consultation (every question type by default) and open it."""
    created = client.post(
        "/api/v1/consultations",
        json=definition or every_question_type(),
        headers=bearer(officer.token),
    )
    assert created.status_code == 201, created.text
    consultation_id = created.json()["id"]
    opened = client.post(
        f"/api/v1/consultations/{consultation_id}/open", headers=bearer(officer.token)
    )
    assert opened.status_code == 200, opened.text
    return dict(opened.json())


UHRI_COLUMNS = [
    "Text",
    "Countries Concerned",
    "Reccomending Body",
    "Document Symbol",
    "Themes",
    "Affected Persons",
    "Sdgs",
    "Document Publication Date",
    "UPR Reccomending States",
    "UPR Position",
    "Type",
    "OHCHR Annotation Id",
    "UPR Session",
    "Regions Concerned",
    "Recommending Regions",
    "Date of publication on UHRI",
]


def uhri_csv(texts: list[str]) -> bytes:
    """A small UHRI export for Uruguay, one UPR recommendation per text."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(UHRI_COLUMNS)
    for text in texts:
        writer.writerow(
            [
                text,
                "Uruguay",
                "- UPR",
                "A/HRC/47/4",
                "- Housing",
                "- Persons with disabilities",
                "",
                "2021-03-22",
                "- Chile",
                "Supported",
                "Recommendation",
                str(uuid.uuid4()),
                "UPR 37",
                "- Americas",
                "- Americas",
                "2021-06-01",
            ]
        )
    return out.getvalue().encode()


UPR_INFO_COLUMNS = ["To", "To-Rgrp", "To-Org", "Text", "From", "From-Rgrp", "From-Org",
                    "Response", "Action", "Issue", "Session"]  # fmt: skip
# Italy's recommendations of two UPR cycles (sessions 7 and 20), as UPR Info writes them.
ITALY = {
    "nhri_7": ("Establish an independent national human rights institution in accordance with "
               "the Paris Principles", "Canada", "National Human Rights Institution", 7),
    "housing_7": ("Take measures to reduce the number of families waiting for social housing",
                  "Spain", "Right to housing", 7),
    "nhri_20": ("Establish a national human rights institution in accordance with the Paris "
                "Principles", "Chile", "National Human Rights Institution", 20),
    "housing_20": ("Adopt a national plan to reduce the number of households waiting for social "
                   "housing, with data disaggregated by sex", "Portugal", "Right to housing", 20),
    "roma_20": ("Ensure effective access to education by Roma and Sinti children", "Slovakia",
                "Minorities", 20),
}  # fmt: skip


def italy_upr_info_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r")
    writer.writerow(UPR_INFO_COLUMNS)
    for text, recommending, issue, session in ITALY.values():
        writer.writerow(
            ["Italy", "WEOG", "EU", text, recommending, "", "", "Accepted", "5", issue, session]
        )
    return out.getvalue().encode()


@dataclass(frozen=True)
class FollowUpWorld:
    """Italy's ministry, Bologna (which publishes its follow-up) and Torino (which does not),
    two UPR cycles of recommendations, statuses, a confirmed repeat, an indicator by sex."""

    ministry: Officer
    bologna: Officer
    torino: Officer
    recommendations: dict[str, str]
    indicator_id: str


def follow_up_world(client: httpx.Client, admin_token: str) -> FollowUpWorld:
    suffix = secrets.token_hex(3)
    ministry = make_officer(
        client, admin_token, role="ministry_officer", kind="ministry", country="IT",
        jurisdiction="IT", name=f"Comitato interministeriale per i diritti umani {suffix}",
    )  # fmt: skip
    bologna = make_officer(client, admin_token, country="IT", jurisdiction="IT-BO",
                           name=f"Comune di Bologna {suffix}")  # fmt: skip
    torino = make_officer(client, admin_token, country="IT", jurisdiction="IT-TO",
                          name=f"Città di Torino {suffix}")  # fmt: skip
    imported = client.post(
        "/api/v1/recommendations/import",
        content=italy_upr_info_csv(),
        headers={**bearer(ministry.token), "content-type": "text/csv"},
    )
    assert imported.status_code == 200, imported.text
    found = client.get(
        "/api/v1/recommendations", params={"country": "IT", "page_size": 200}
    ).json()["items"]
    by_text = {r["text"]: r["id"] for r in found}
    recommendations = {key: by_text[text] for key, (text, *_rest) in ITALY.items()}

    def report(officer: Officer, key: str, status: str, as_of: str, measures: str) -> None:
        response = client.post(
            "/api/v1/follow-up/statuses",
            json={"recommendation_id": recommendations[key], "status": status,
                  "as_of": as_of, "measures": measures},
            headers=bearer(officer.token),
        )  # fmt: skip
        assert response.status_code == 201, response.text

    report(bologna, "nhri_7", "in_progress", "2023-04-01", "A municipal ombudsperson's office")
    report(bologna, "housing_20", "in_progress", "2025-02-01", "Waiting list published monthly")
    report(bologna, "housing_20", "partially_implemented", "2026-02-01",
           "Two new social housing blocks in Navile")  # fmt: skip
    report(torino, "housing_20", "not_started", "2026-03-01", "Budget not yet allocated")
    published = client.put(
        "/api/v1/follow-up/publication", json={"published": True}, headers=bearer(bologna.token)
    )
    assert published.status_code == 200, published.text
    indicator = client.post(
        "/api/v1/indicators",
        json={
            "name": {"en": "Households waiting for social housing",
                     "fr": "Ménages en attente d'un logement social",
                     "es": "Hogares en espera de vivienda social"},
            "unit": "households", "kind": "outcome", "sdg_target": "11.1",
            "sdg_indicator": "11.1.1", "breakdowns": ["sex"], "baseline_value": 4800,
            "baseline_year": 2023, "target_value": 3000, "target_year": 2030,
            "source": "Municipal housing register", "update_every_months": 12,
            "recommendation_ids": [recommendations["housing_20"]],
        },
        headers=bearer(bologna.token),
    )  # fmt: skip
    assert indicator.status_code == 201, indicator.text
    for day, total, women, men in (("2024-12-31", 4800, 2900, 1900),
                                   ("2025-12-31", 4410, 2640, 1770),
                                   ("2026-06-30", 4120, 2470, 1650)):  # fmt: skip
        observed = client.post(
            f"/api/v1/indicators/{indicator.json()['id']}/observations",
            json={"observed_on": day, "period": day[:4], "value": total, "breakdown": [
                {"dimension": "sex", "group": "women", "value": women},
                {"dimension": "sex", "group": "men", "value": men}]},
            headers=bearer(bologna.token),
        )  # fmt: skip
        assert observed.status_code in (200, 201), observed.text
    return FollowUpWorld(ministry, bologna, torino, recommendations, indicator.json()["id"])


def suggested_repeats(client: httpx.Client, *, timeout: float = 30) -> list[dict[str, Any]]:
    """Italy's suggested repeats, once the import's event has been handled."""
    deadline = time.monotonic() + timeout
    while True:
        items = client.get(
            "/api/v1/recurrences", params={"country": "IT", "status": "suggested"}
        ).json()["items"]
        if items or time.monotonic() > deadline:
            return list(items)
        time.sleep(0.3)
