"""What a fault test's load acts on, set up through the gateway as real users would.

The cast (an alert publisher, a city, human-rights commissions and divisions, a ministry,
municipalities) is registered once per stack. Each fault test then gets its own world: a
special-procedure mandate named for this run (so only this run's alerts match this run's
subscriptions), the commissions subscribed to it by webhook (each on its own path of the
sink) and the divisions by inbox, an open consultation residents answer, and the ministry's
open reporting exercise on freshly imported recommendations, municipalities invited.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

from e2e.platform_client import Actor, Platform
from e2e.webhook_sink import WebhookSink

COUNTRY = "UY"
COUNTRY_NAME = "Uruguay"
JURISDICTIONS = ("UY-MO", "UY-CA", "UY-SA", "UY-RV", "UY-PA", "UY-TA")
# The header of a real UHRI export (the e2e samples), so the load's recommendations are
# imported as a ministry's would be.
UHRI_SAMPLE = Path(__file__).resolve().parent.parent / "data" / "uhri_uruguay_cerd.csv"


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
    with UHRI_SAMPLE.open(newline="") as sample:
        header = next(csv.reader(sample))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, restval="")
    writer.writeheader()
    for n in range(count):
        writer.writerow(
            {
                "Text": f"{n + 1}. The Committee recommends that the State party ensure equal "
                f"access to municipal services for Afro-descendant residents ({tag} #{n})",
                "Countries Concerned": COUNTRY_NAME,
                "Reccomending Body": "- CERD",
                "Document Symbol": "CERD/C/URY/CO/24-26",
                "Themes": f"- Racial discrimination\n- Fault run {tag}",
                "Affected Persons": "- People of African descent",
                "Document Publication Date": "2022-09-20",
                "Type": "Recommendation",
                "OHCHR Annotation Id": str(uuid4()),
                "Regions Concerned": "- Americas",
                "Date of publication on UHRI": "2022-10-01",
            }
        )
    return buffer.getvalue().encode()


@dataclass(frozen=True)
class Cast:
    """The people the fault runs act as, registered once per stack (sign-ups hash passwords)."""

    publisher: Actor
    city: Actor
    commissions: list[Actor]
    divisions: list[Actor]
    ministry: Actor
    municipalities: list[Actor]


async def register_cast(
    platform: Platform, *, webhooks: int = 2, inboxes: int = 1, officers: int = 2
) -> Cast:
    """Institutions and their officers, through the gateway as the admin would register them."""
    tag = uuid4().hex[:8]

    def officer(name: str, kind: str, n: int = 0, *roles: str) -> Awaitable[Actor]:
        national = kind in ("other", "ministry")
        return platform.institution_with_officer(
            name=f"{name} {tag} {n}",
            kind=kind,
            country=COUNTRY,
            jurisdiction=COUNTRY if national else JURISDICTIONS[n % len(JURISDICTIONS)],
            roles=roles or ("institution_officer",),
        )

    publisher, city, ministry, *others = await asyncio.gather(
        officer("UN information desk", "other", 0, "alert_publisher"),
        officer("Intendencia de Montevideo", "municipality"),
        officer("Ministerio de Relaciones Exteriores", "ministry", 0, "ministry_officer"),
        *(officer("Comisión DDHH", "local_hr_commission", n) for n in range(webhooks)),
        *(officer("División DDHH", "regional_government", n) for n in range(inboxes)),
        *(officer("Municipio", "municipality", n) for n in range(officers)),
    )
    return Cast(
        publisher=publisher,
        city=city,
        commissions=others[:webhooks],
        divisions=others[webhooks : webhooks + inboxes],
        ministry=ministry,
        municipalities=others[webhooks + inboxes :],
    )


async def build_world(cast: Cast, sink: WebhookSink, *, recommendations: int = 40) -> World:
    """One run's own mandate, subscriptions, consultation and exercise, through the gateway."""
    tag = uuid4().hex[:8]
    mandate = f"SR on fault drills {tag}"
    consultation = await cast.city.call(
        "POST", "/api/v1/consultations", json=consultation_body(tag)
    )
    await cast.city.call("POST", f"/api/v1/consultations/{consultation['id']}/open")

    subscription = {"mechanisms": [mandate], "kinds": ["country_visit"], "countries": [COUNTRY]}
    hooks: list[WebhookSubscription] = []
    for n, commission in enumerate(cast.commissions):
        path = f"{tag}-{n}"
        created = await commission.call(
            "POST",
            "/api/v1/subscriptions",
            json={**subscription, "channel": "webhook", "url": sink.url(path)},
        )
        sink.expect(path, created["secret"])
        hooks.append(WebhookSubscription(created["id"], path, str(commission.institution_id)))
    for division in cast.divisions:
        await division.call(
            "POST", "/api/v1/subscriptions", json={**subscription, "channel": "inbox"}
        )

    report = await cast.ministry.call(
        "POST",
        "/api/v1/recommendations/import",
        content=uhri_csv(tag, recommendations),
        headers={"content-type": "text/csv"},
        params={"format": "uhri_csv"},
    )
    assert report["created"] == recommendations, report
    found = await cast.ministry.call(
        "GET",
        "/api/v1/recommendations",
        params={"country": COUNTRY, "q": tag, "page_size": 200},
    )
    recommendation_ids = [r["id"] for r in found["items"] if tag in r["text"]]
    assert len(recommendation_ids) == recommendations, found["total"]

    exercise = await cast.ministry.call(
        "POST",
        "/api/v1/exercises",
        json={
            "report_type": "treaty_body_report",
            "country": COUNTRY,
            "mechanism": "CERD",
            "title": f"Local input for CERD ({tag})",
            "deadline": (date.today() + timedelta(days=60)).isoformat(),
            "recommendation_ids": recommendation_ids,
            "invited_institution_ids": [str(m.institution_id) for m in cast.municipalities],
        },
    )
    await cast.ministry.call("POST", f"/api/v1/exercises/{exercise['id']}/open")
    return World(
        tag=tag,
        mandate=mandate,
        consultation_id=consultation["id"],
        publisher=cast.publisher,
        webhooks=hooks,
        inbox_institutions=[str(d.institution_id) for d in cast.divisions],
        exercise_id=exercise["id"],
        recommendation_ids=recommendation_ids,
        officers=cast.municipalities,
    )
