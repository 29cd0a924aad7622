"""Demo data for the back office (loaded by demo_data.py, through the public API only).

What it adds so each role's pages show a working day:

- the alert publisher: a Special Rapporteur's visit to Italy (about Bologna and Torino) and the
  UPR session calendar of tests/data imported as alerts; Bologna also receives alerts on a
  webhook that does not answer (its deliveries show as retrying), Torino by e-mail;
- the ministry: a draft exercise (a voluntary national review) waiting to be opened, and
  levels of government set for recommendations on violence against women;
- Torino, invited to the open exercise, has not answered yet (the coverage page offers to
  remind it); Bologna and Canelones each have a consultation still in draft.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
# Nothing listens on the discard port: a webhook there is retried, as a real outage would be.
SILENT_WEBHOOK = "http://127.0.0.1:9/localrights-alerts"


class Caller(Protocol):
    async def call(self, method: str, path: str, **kwargs: Any) -> Any: ...


async def load(
    *,
    ministry: Caller,
    publisher: Caller,
    officers: dict[str, Caller],
    ids: dict[str, str],
    italy: dict[str, str],
) -> None:
    """Add the back office's demo to what demo_data.py made (institution key -> id in ids)."""
    await officers["bologna"].call(
        "POST",
        "/api/v1/subscriptions",
        json={
            "name": "Our case-management system",
            "channel": "webhook",
            "url": SILENT_WEBHOOK,
            "countries": ["IT"],
            "kinds": ["country_visit", "upr_review"],
        },
    )
    await officers["torino"].call(
        "POST",
        "/api/v1/subscriptions",
        json={
            "name": "Human-rights office mailbox",
            "channel": "email",
            "email": "diritti.umani@comune.torino.example",
            "countries": ["IT"],
            "mechanisms": ["UPR", "SR on adequate housing"],
            "themes": ["housing", "sdg-11"],
            "mode": "daily_digest",
        },
    )
    await officers["torino"].call(
        "POST",
        "/api/v1/subscriptions",
        json={"name": "Everything about Italy", "channel": "inbox", "countries": ["IT"]},
    )
    today = date.today()
    await publisher.call(
        "POST",
        "/api/v1/alerts",
        json={
            "kind": "country_visit",
            "stage": "announced",
            "country": "IT",
            "mechanism": "SR on adequate housing",
            "jurisdictions": ["IT-BO", "IT-TO"],
            "title": {
                "en": "Special Rapporteur on adequate housing to visit Italy",
                "fr": "Le Rapporteur spécial sur le logement convenable se rendra en Italie",
                "es": "El Relator Especial sobre una vivienda adecuada visitará Italia",
            },
            "body": {
                "en": "The visit looks at evictions, informal settlements and social housing, "
                "with meetings in Bologna and Torino."
            },
            "how_to_take_part": {
                "en": "Municipalities may send figures on evictions and waiting lists for "
                "social housing, and propose a site visit.",
                "es": "Los municipios pueden enviar cifras sobre desalojos y listas de espera "
                "de vivienda social, y proponer una visita sobre el terreno.",
            },
            "starts_on": (today + timedelta(days=75)).isoformat(),
            "ends_on": (today + timedelta(days=86)).isoformat(),
            "deadline": (today + timedelta(days=40)).isoformat(),
            "themes": ["housing", "sdg-11"],
            "source_url": "https://www.ohchr.org/en/special-procedures/sr-housing",
        },
    )
    await publisher.call(
        "POST",
        "/api/v1/alerts/import",
        params={"dry_run": "false"},
        data=(DATA / "upr_session_calendar.csv").read_bytes(),
        headers={"content-type": "text/csv"},
    )
    await ministry.call(
        "PATCH",
        "/api/v1/recommendations",
        json={
            "ids": [italy["148.35"], italy["148.75"]],
            "owner_level": "shared",
            "jurisdictions": ["IT-BO", "IT-TO"],
        },
    )
    await ministry.call(
        "POST",
        "/api/v1/exercises",
        json={
            "report_type": "vnr",
            "country": "IT",
            "title": "Italy's voluntary national review 2028: what cities do",
            "description": "Tell us what your city does on the recommendations below, with "
            "figures where you have them.",
            "deadline": (today + timedelta(days=120)).isoformat(),
            "recommendation_ids": [italy["148.35"], italy["148.75"]],
            "invited_institution_ids": [ids["bologna"], ids["torino"]],
        },
    )
    now = datetime.now(UTC)
    await officers["bologna"].call(
        "POST",
        "/api/v1/consultations",
        json={
            "title": {
                "it": "Trasporto pubblico accessibile",
                "en": "Accessible public transport",
            },
            "description": {
                "it": "Quali fermate e linee rendere accessibili per prime?",
                "en": "Which stops and lines should become accessible first?",
            },
            "jurisdiction": "IT-BO",
            "municipality": "Bologna",
            "opens_at": (now + timedelta(days=7)).isoformat(),
            "closes_at": (now + timedelta(days=37)).isoformat(),
            "topics": ["disability", "transport"],
            "sdg_targets": ["11.2"],
            "questions": [
                {
                    "id": "first",
                    "type": "single_choice",
                    "required": True,
                    "title": {"it": "Cosa migliorare prima?", "en": "What to improve first?"},
                    "options": [
                        {"id": "stops", "label": {"it": "Le fermate", "en": "The stops"}},
                        {"id": "buses", "label": {"it": "Gli autobus", "en": "The buses"}},
                        {"id": "info", "label": {"it": "Le informazioni", "en": "Information"}},
                    ],
                }
            ],
        },
    )
