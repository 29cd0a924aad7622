"""What a fault test's load acts on, set up through the gateway as real users would.

One run of a fault test gets its own world: an open consultation residents answer, an alert
publisher and a special-procedure mandate named for this run (so only this run's alerts
match this run's subscriptions), institutions subscribed to that mandate by webhook (each
on its own path of the sink) and by inbox, and a ministry's open reporting exercise on
freshly imported recommendations with municipalities invited to give local input.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

from e2e.platform_client import Actor, Platform
from e2e.webhook_sink import WebhookSink

COUNTRY = "UY"
COUNTRY_NAME = "Uruguay"
JURISDICTIONS = ("UY-MO", "UY-CA", "UY-SA", "UY-RV", "UY-PA", "UY-TA")
UHRI_HEADER = (
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
)


@dataclass(frozen=True)
class WebhookSubscription:
    id: str
    path: str
    institution_id: str


@dataclass
class World:
    tag: str
    mandate: str
    consultation_id: str
    publisher: Actor
    webhooks: list[WebhookSubscription]
    inbox_institutions: list[str]
    exercise_id: str
    recommendation_ids: list[str]
    officers: list[Actor]
    # Every (officer index, recommendation id) pair gets at most one input op, in order.
    _next_pair: int = field(default=0)

    def next_input_pair(self) -> tuple[int, str] | None:
        """The next untouched (officer, recommendation) pair, or None when all are used."""
        total = len(self.officers) * len(self.recommendation_ids)
        if self._next_pair >= total:
            return None
        index = self._next_pair
        self._next_pair += 1
        officer, recommendation = divmod(index, len(self.recommendation_ids))
        return officer, self.recommendation_ids[recommendation]


def consultation_body(tag: str) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "title": {"en": f"Which public space first? ({tag})"},
        "jurisdiction": "UY-MO",
        "opens_at": (now - timedelta(minutes=1)).isoformat(),
        "closes_at": (now + timedelta(days=14)).isoformat(),
        "questions": [
            {
                "id": "space",
                "type": "single_choice",
                "required": True,
                "title": {"en": "Which space first?"},
                "options": [
                    {"id": "park", "label": {"en": "The park"}},
                    {"id": "library", "label": {"en": "The library"}},
                    {"id": "market", "label": {"en": "The market"}},
                ],
            }
        ],
    }


def uhri_csv(tag: str, count: int) -> bytes:
    """A UHRI export of ``count`` CERD recommendations to Uruguay, themed with this run's tag."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(UHRI_HEADER)
    for n in range(count):
        writer.writerow(
            (
                f"{n + 1}. The Committee recommends that the State party ensure equal access "
                f"to municipal services for Afro-descendant residents ({tag} #{n})",
                COUNTRY_NAME,
                "- CERD",
                "CERD/C/URY/CO/24-26",
                f"- Racial discrimination\n- Fault run {tag}",
                "- People of African descent",
                "- 10.2 - Empower and promote the social, economic and political inclusion",
                "2022-09-20",
                "",
                "",
                "Recommendation",
                str(uuid4()),
                "",
                "- Americas",
                "",
                "2022-10-01",
            )
        )
    return buffer.getvalue().encode()


async def build_world(
    platform: Platform,
    sink: WebhookSink,
    *,
    webhooks: int = 2,
    inboxes: int = 1,
    officers: int = 2,
    recommendations: int = 40,
) -> World:
    """Create everything one run's load needs, through the gateway."""
    tag = uuid4().hex[:8]
    mandate = f"SR on fault drills {tag}"
    publisher = await platform.institution_with_officer(
        name=f"UN information desk {tag}",
        kind="other",
        country=COUNTRY,
        jurisdiction=COUNTRY,
        roles=("alert_publisher",),
    )

    city = await platform.institution_with_officer(
        name=f"Intendencia de Montevideo {tag}",
        kind="municipality",
        country=COUNTRY,
        jurisdiction="UY-MO",
    )
    consultation = await city.call("POST", "/api/v1/consultations", json=consultation_body(tag))
    await city.call("POST", f"/api/v1/consultations/{consultation['id']}/open")

    subscription = {"mechanisms": [mandate], "kinds": ["country_visit"], "countries": [COUNTRY]}
    hooks: list[WebhookSubscription] = []
    for n in range(webhooks):
        commission = await platform.institution_with_officer(
            name=f"Comisión de derechos humanos {tag} {n}",
            kind="local_hr_commission",
            country=COUNTRY,
            jurisdiction=JURISDICTIONS[n % len(JURISDICTIONS)],
        )
        path = f"{tag}-{n}"
        created = await commission.call(
            "POST",
            "/api/v1/subscriptions",
            json={**subscription, "channel": "webhook", "url": sink.url(path)},
        )
        sink.expect(path, created["secret"])
        hooks.append(WebhookSubscription(created["id"], path, str(commission.institution_id)))
    inbox_institutions: list[str] = []
    for n in range(inboxes):
        division = await platform.institution_with_officer(
            name=f"División de derechos humanos {tag} {n}",
            kind="regional_government",
            country=COUNTRY,
            jurisdiction=JURISDICTIONS[n % len(JURISDICTIONS)],
        )
        await division.call(
            "POST", "/api/v1/subscriptions", json={**subscription, "channel": "inbox"}
        )
        inbox_institutions.append(str(division.institution_id))

    ministry = await platform.institution_with_officer(
        name=f"Ministerio de Relaciones Exteriores {tag}",
        kind="ministry",
        country=COUNTRY,
        jurisdiction=COUNTRY,
        roles=("ministry_officer",),
    )
    report = await ministry.call(
        "POST",
        "/api/v1/recommendations/import",
        content=uhri_csv(tag, recommendations),
        headers={"content-type": "text/csv"},
        params={"format": "uhri_csv"},
    )
    assert report["created"] == recommendations, report
    found = await ministry.call(
        "GET",
        "/api/v1/recommendations",
        params={"country": COUNTRY, "q": tag, "page_size": 200},
    )
    recommendation_ids = [r["id"] for r in found["items"] if tag in r["text"]]
    assert len(recommendation_ids) == recommendations, found["total"]

    municipalities = [
        await platform.institution_with_officer(
            name=f"Municipio {tag} {n}",
            kind="municipality",
            country=COUNTRY,
            jurisdiction=JURISDICTIONS[n % len(JURISDICTIONS)],
        )
        for n in range(officers)
    ]
    exercise = await ministry.call(
        "POST",
        "/api/v1/exercises",
        json={
            "report_type": "treaty_body_report",
            "country": COUNTRY,
            "mechanism": "CERD",
            "title": f"Local input for CERD ({tag})",
            "deadline": (date.today() + timedelta(days=60)).isoformat(),
            "recommendation_ids": recommendation_ids,
            "invited_institution_ids": [str(m.institution_id) for m in municipalities],
        },
    )
    await ministry.call("POST", f"/api/v1/exercises/{exercise['id']}/open")
    return World(
        tag=tag,
        mandate=mandate,
        consultation_id=consultation["id"],
        publisher=publisher,
        webhooks=hooks,
        inbox_institutions=inbox_institutions,
        exercise_id=exercise["id"],
        recommendation_ids=recommendation_ids,
        officers=municipalities,
    )
