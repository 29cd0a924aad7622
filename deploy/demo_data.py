"""Demo data for `make up` (launch.py up --demo), loaded only through the gateway's public API.

What a new user finds after `make up`:

- a ministry (Italy's CIDU) with a ministry officer and an alert publisher, two Italian
  municipalities (Bologna, Torino), a Uruguayan department (Canelones) and a US city
  commission (Minneapolis), each with an institution officer;
- the UHRI sample exports of tests/data imported (UPR recommendations to Italy and
  Indonesia, CERD concluding observations on Uruguay), two Italian ones owned locally;
- an open UPR mid-term reporting exercise of the ministry inviting Bologna and Torino, with
  Bologna's input (good practice, indicator, and its published consultation attached);
- an open consultation of Canelones with every question type, in Spanish, English and French;
- a published consultation of Bologna with 48 responses, what happens next, and results by
  age band and by district (one district too small to show on its own);
- inbox subscriptions, and alerts: the CERD review of Uruguay, the housing rapporteur's visit
  to the United States and a UPR call for input on Italy;
- follow-up between reviews (demo_follow_up.py): a few of Italy's second-cycle
  recommendations with their confirmed repeats, Bologna's and Torino's published statuses
  (validated, returned) and Bologna's indicators observed over three years.

It runs once per database: when the demo ministry already exists (``up --keep``), nothing is
added and the same credentials are returned. Only aiohttp (a runtime dependency) is used.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import demo_back_office
from demo_follow_up import load_follow_up

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
# The administrator the launcher bootstraps (GATEWAY_BOOTSTRAP_ADMIN_*).
DEMO_ADMIN = ("admin@localrights.example", "demo-admin-password")
DOMAIN = "demo.localrights.example"
MINISTRY = "Comitato interministeriale per i diritti umani (CIDU)"
PUBLISHED_RESPONSES = 48


class DemoDataError(RuntimeError):
    """A call of the public API did not answer as the demo expects."""


@dataclass(frozen=True)
class DemoUser:
    role: str
    email: str
    password: str
    institution: str


@dataclass(frozen=True)
class DemoInstitution:
    key: str
    name: str
    kind: str
    country: str
    jurisdiction: str
    municipality: str | None = None


INSTITUTIONS = (
    DemoInstitution("ministry", MINISTRY, "ministry", "IT", "IT"),
    DemoInstitution("bologna", "Comune di Bologna", "municipality", "IT", "IT-BO", "Bologna"),
    DemoInstitution("torino", "Comune di Torino", "municipality", "IT", "IT-TO", "Torino"),
    DemoInstitution(
        "canelones", "Intendencia de Canelones", "regional_government", "UY", "UY-CA", None
    ),
    DemoInstitution(
        "minneapolis",
        "Minneapolis Commission on Civil Rights",
        "local_hr_commission",
        "US",
        "US-MN",
        "Minneapolis",
    ),
)
USERS = (
    DemoUser("ministry_officer", f"ministry@{DOMAIN}", "demo-ministry-password", "ministry"),
    DemoUser("alert_publisher", f"alerts@{DOMAIN}", "demo-alerts-password", "ministry"),
    DemoUser("institution_officer", f"bologna@{DOMAIN}", "demo-bologna-password", "bologna"),
    DemoUser("institution_officer", f"torino@{DOMAIN}", "demo-torino-password", "torino"),
    DemoUser("institution_officer", f"canelones@{DOMAIN}", "demo-canelones-password", "canelones"),
    DemoUser(
        "institution_officer",
        f"minneapolis@{DOMAIN}",
        "demo-minneapolis-password",
        "minneapolis",
    ),
)


class Api:
    """One caller of the gateway: anonymous, or signed in with a bearer token."""

    def __init__(self, session: aiohttp.ClientSession, token: str | None = None) -> None:
        self.session = session
        self.token = token

    async def call(
        self,
        method: str,
        path: str,
        *,
        expect: tuple[int, ...] = (200, 201),
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> Any:
        sent = dict(headers or {})
        if self.token:
            sent["authorization"] = f"Bearer {self.token}"
        async with self.session.request(method, path, headers=sent, **kwargs) as response:
            text = await response.text()
            if response.status not in expect:
                raise DemoDataError(f"{method} {path} -> {response.status}: {text[:500]}")
            if response.content_type.endswith("json"):
                return await response.json(content_type=None)
            return text

    async def login(self, email: str, password: str) -> Api:
        token = await self.call(
            "POST", "/api/v1/auth/token", data={"username": email, "password": password}
        )
        return Api(self.session, token["access_token"])


def credentials() -> list[tuple[str, str, str]]:
    """(role, e-mail, password) of every demo user, as the launcher prints them."""
    return [(u.role, u.email, u.password) for u in USERS]


def _texts(es: str, en: str, fr: str) -> dict[str, str]:
    return {"es": es, "en": en, "fr": fr}


def _options(*rows: tuple[str, str, str, str]) -> list[dict[str, Any]]:
    return [{"id": i, "label": _texts(es, en, fr)} for i, es, en, fr in rows]


def canelones_consultation() -> dict[str, Any]:
    """Open for 30 days; one question of each type, then three demographic questions."""
    now = datetime.now(UTC)
    return {
        "title": _texts(
            "Prioridades de derechos humanos en Canelones",
            "Human-rights priorities in Canelones",
            "Priorités des droits humains à Canelones",
        ),
        "description": _texts(
            "Sus respuestas alimentan el informe de Uruguay al CERD.",
            "Your answers feed Uruguay's report to CERD.",
            "Vos réponses nourrissent le rapport de l'Uruguay au CERD.",
        ),
        "jurisdiction": "UY-CA",
        "opens_at": (now - timedelta(minutes=1)).isoformat(),
        "closes_at": (now + timedelta(days=30)).isoformat(),
        "sdg_targets": ["10.2", "11.1"],
        "topics": ["equality", "participation"],
        "questions": [
            {
                "id": "priority",
                "type": "single_choice",
                "required": True,
                "title": _texts("¿Qué tema primero?", "Which issue first?", "Quel sujet d'abord ?"),
                "options": _options(
                    ("housing", "Vivienda", "Housing", "Logement"),
                    ("work", "Empleo", "Work", "Emploi"),
                    ("racism", "Racismo", "Racism", "Racisme"),
                ),
            },
            {
                "id": "services",
                "type": "multiple_choice",
                "max_picks": 2,
                "title": _texts(
                    "¿Qué servicios usa?",
                    "Which services do you use?",
                    "Quels services utilisez-vous ?",
                ),
                "options": _options(
                    ("health", "Policlínica", "Health clinic", "Centre de santé"),
                    ("transport", "Ómnibus", "Buses", "Autobus"),
                    ("library", "Biblioteca", "Library", "Bibliothèque"),
                ),
            },
            {
                "id": "trust",
                "type": "rating",
                "min": 1,
                "max": 5,
                "title": _texts(
                    "¿Confía en la Intendencia?",
                    "Do you trust the department?",
                    "Faites-vous confiance au département ?",
                ),
                "min_label": _texts("Nada", "Not at all", "Pas du tout"),
                "max_label": _texts("Mucho", "Very much", "Beaucoup"),
            },
            {
                "id": "idea",
                "type": "free_text",
                "max_length": 500,
                "title": _texts("Su propuesta", "Your proposal", "Votre proposition"),
            },
            {
                "id": "ranking",
                "type": "ranking",
                "title": _texts("Ordene", "Rank these", "Classez"),
                "options": _options(
                    ("youth", "Jóvenes", "Young people", "Jeunes"),
                    ("elderly", "Personas mayores", "Older persons", "Personnes âgées"),
                    ("afro", "Afrodescendientes", "People of African descent", "Afrodescendants"),
                ),
            },
            {
                "id": "budget",
                "type": "budget",
                "total_budget": 10_000_000,
                "currency": "UYU",
                "title": _texts(
                    "Reparta 10 millones", "Split 10 million", "Répartissez 10 millions"
                ),
                "projects": [
                    {
                        "id": pid,
                        "label": _texts(es, en, fr),
                        "cost": cost,
                    }
                    for pid, es, en, fr, cost in (
                        (
                            "plaza",
                            "Plaza accesible",
                            "Accessible square",
                            "Place accessible",
                            4_000_000,
                        ),
                        ("center", "Centro juvenil", "Youth centre", "Centre de jeunes", 6_000_000),
                        ("lights", "Alumbrado", "Street lights", "Éclairage", 3_000_000),
                    )
                ],
            },
            {
                "id": "age",
                "type": "single_choice",
                "demographic": True,
                "title": _texts("Edad", "Age band", "Tranche d'âge"),
                "options": _options(
                    ("a15_29", "15-29", "15-29", "15-29"),
                    ("a30_59", "30-59", "30-59", "30-59"),
                    ("a60", "60 y más", "60 and over", "60 et plus"),
                ),
            },
            {
                "id": "gender",
                "type": "single_choice",
                "demographic": True,
                "title": _texts("Género", "Gender", "Genre"),
                "options": _options(
                    ("f", "Mujer", "Woman", "Femme"),
                    ("m", "Hombre", "Man", "Homme"),
                    ("x", "Otro", "Other", "Autre"),
                ),
            },
            {
                "id": "district",
                "type": "single_choice",
                "demographic": True,
                "title": _texts("Municipio", "Municipality", "Commune"),
                "options": _options(
                    ("las_piedras", "Las Piedras", "Las Piedras", "Las Piedras"),
                    ("pando", "Pando", "Pando", "Pando"),
                    ("costa", "Ciudad de la Costa", "Ciudad de la Costa", "Ciudad de la Costa"),
                ),
            },
        ],
    }


def bologna_consultation(exercise_id: str, recommendation_id: str) -> dict[str, Any]:
    now = datetime.now(UTC)

    def it_en(it: str, en: str) -> dict[str, str]:
        return {"it": it, "en": en}

    return {
        "title": it_en("Abitare nei campi e nelle micro-aree", "Living in camps and micro-areas"),
        "jurisdiction": "IT-BO",
        "municipality": "Bologna",
        "opens_at": (now - timedelta(minutes=1)).isoformat(),
        "closes_at": (now + timedelta(days=14)).isoformat(),
        "recommendation_ids": [recommendation_id],
        "exercise_id": exercise_id,
        "sdg_targets": ["11.1"],
        "topics": ["housing", "equality"],
        "questions": [
            {
                "id": "better",
                "type": "single_choice",
                "required": True,
                "title": it_en("La micro-area è meglio del campo?", "Is the micro-area better?"),
                "options": [
                    {"id": "yes", "label": it_en("Sì", "Yes")},
                    {"id": "no", "label": it_en("No", "No")},
                ],
            },
            {
                "id": "safety",
                "type": "rating",
                "title": it_en("Quanto ti senti sicuro/a?", "How safe do you feel?"),
            },
            {
                "id": "age",
                "type": "single_choice",
                "demographic": True,
                "title": it_en("Età", "Age band"),
                "options": [
                    {"id": "under_30", "label": it_en("Meno di 30", "Under 30")},
                    {"id": "over_30", "label": it_en("30 e più", "30 and over")},
                ],
            },
            {
                "id": "district",
                "type": "single_choice",
                "demographic": True,
                "title": it_en("Quartiere", "District"),
                "options": [
                    {"id": "navile", "label": it_en("Navile", "Navile")},
                    {
                        "id": "san_donato",
                        "label": it_en("San Donato-San Vitale", "San Donato-San Vitale"),
                    },
                    {
                        "id": "borgo_panigale",
                        "label": it_en("Borgo Panigale-Reno", "Borgo Panigale-Reno"),
                    },
                ],
            },
        ],
    }


def bologna_district(n: int) -> str:
    """24 residents of Navile, 20 of San Donato, 4 of Borgo Panigale: too few to show alone."""
    if n % 2 == 0:
        return "navile"
    return "borgo_panigale" if n % 12 == 1 else "san_donato"


BOLOGNA_NEXT_STEPS = {
    "it": "La Giunta discute i risultati con le famiglie delle micro-aree a febbraio e li "
    "allega al contributo di Bologna alla relazione intermedia UPR dell'Italia.",
    "en": "The city council discusses the results with the families of the micro-areas in "
    "February and attaches them to Bologna's input to Italy's UPR mid-term report.",
}


async def _existing(admin: Api) -> bool:
    institutions = await admin.call("GET", "/api/v1/institutions", params={"country": "IT"})
    return any(i["name"] == MINISTRY for i in institutions)


async def _people(admin: Api) -> dict[str, str]:
    """Register the institutions and their users; institution key -> id."""
    ids: dict[str, str] = {}
    for institution in INSTITUTIONS:
        created = await admin.call(
            "POST",
            "/api/v1/institutions",
            json={
                "name": institution.name,
                "kind": institution.kind,
                "country": institution.country,
                "jurisdiction": institution.jurisdiction,
                "municipality": institution.municipality,
            },
        )
        ids[institution.key] = created["id"]
    for user in USERS:
        await admin.call(
            "POST",
            "/api/v1/users",
            json={
                "email": user.email,
                "password": user.password,
                "roles": [user.role],
                "institution_id": ids[user.institution],
            },
        )
    return ids


async def _recommendations(ministry: Api) -> dict[str, str]:
    """Import the sample exports; paragraph -> id of Italy's A/HRC/43/4 recommendations."""
    for name in (
        "uhri_italy_upr.csv",
        "uhri_sample.csv",
        "uhri_uruguay_cerd.csv",
        "uhri_indonesia_upr.csv",
    ):
        await ministry.call(
            "POST",
            "/api/v1/recommendations/import",
            data=(DATA / name).read_bytes(),
            headers={"content-type": "text/csv"},
        )
    page = await ministry.call(
        "GET", "/api/v1/recommendations", params={"country": "IT", "page_size": "200"}
    )
    italy = {r["paragraph"]: r["id"] for r in page["items"] if r["document_symbol"] == "A/HRC/43/4"}
    for paragraph in ("148.41", "148.98"):
        await ministry.call(
            "PATCH",
            f"/api/v1/recommendations/{italy[paragraph]}",
            json={"owner_level": "local", "jurisdictions": ["IT-BO", "IT-TO"]},
        )
    return italy


async def _subscriptions(officers: dict[str, Api]) -> None:
    filters = {
        "bologna": {"countries": ["IT"]},
        "canelones": {"countries": ["UY"], "mechanisms": ["CERD"]},
        "minneapolis": {"countries": ["US"], "kinds": ["treaty_body_review", "country_visit"]},
    }
    for key, wanted in filters.items():
        await officers[key].call(
            "POST", "/api/v1/subscriptions", json={**wanted, "channel": "inbox"}
        )


async def _alerts(publisher: Api) -> None:
    today = date.today()
    alerts: list[dict[str, Any]] = [
        {
            "kind": "treaty_body_review",
            "stage": "dialogue",
            "country": "UY",
            "mechanism": "CERD",
            "title": {"en": "CERD reviews Uruguay", "es": "El CERD examina a Uruguay"},
            "starts_on": (today + timedelta(days=40)).isoformat(),
            "ends_on": (today + timedelta(days=41)).isoformat(),
            "deadline": (today + timedelta(days=20)).isoformat(),
            "themes": ["racial-discrimination"],
            "how_to_take_part": {"en": "Send local data on people of African descent."},
            "source_url": "https://www.ohchr.org/en/treaty-bodies/cerd",
        },
        {
            "kind": "country_visit",
            "stage": "announced",
            "country": "US",
            "mechanism": "SR on adequate housing",
            "title": {"en": "Special Rapporteur on adequate housing to visit the United States"},
            "starts_on": (today + timedelta(days=90)).isoformat(),
            "ends_on": (today + timedelta(days=101)).isoformat(),
            "themes": ["housing"],
            "how_to_take_part": {"en": "Cities may send information and host a site visit."},
        },
        {
            "kind": "call_for_input",
            "country": "IT",
            "mechanism": "UPR",
            "title": {"en": "Stakeholder input for Italy's UPR mid-term report"},
            "deadline": (today + timedelta(days=45)).isoformat(),
        },
    ]
    for alert in alerts:
        await publisher.call("POST", "/api/v1/alerts", json=alert)


async def _published_consultation(
    bologna: Api, anonymous: Api, exercise_id: str, recommendation_id: str
) -> str:
    """Bologna's consultation with 48 residents' answers, closed and published."""
    consultation = await bologna.call(
        "POST", "/api/v1/consultations", json=bologna_consultation(exercise_id, recommendation_id)
    )
    cid = consultation["id"]
    await bologna.call("POST", f"/api/v1/consultations/{cid}/open")

    async def answer(n: int) -> None:
        await anonymous.call(
            "POST",
            f"/api/v1/consultations/{cid}/responses",
            json={
                "language": "it" if n % 4 else "en",
                "answers": {
                    "better": "no" if n % 5 == 0 or (n > 30 and n % 3 == 0) else "yes",
                    "safety": 2 + n % 4 if n < 20 else 1 + n % 5,
                    "age": "under_30" if n < 20 else "over_30",
                    "district": bologna_district(n),
                },
            },
            # Each resident is a different phone on a different connection, to the gateway's
            # per-device cap and per-address rate limit (the launcher runs on loopback, whose
            # X-Forwarded-For the gateway trusts).
            headers={
                "user-agent": f"LocalrightsDemo/1.0 (resident {n})",
                "x-forwarded-for": f"192.0.2.{n + 1}",
            },
        )

    await asyncio.gather(*(answer(n) for n in range(PUBLISHED_RESPONSES)))
    await bologna.call("POST", f"/api/v1/consultations/{cid}/close")
    await bologna.call(
        "POST",
        f"/api/v1/consultations/{cid}/publish",
        json={"what_happens_next": BOLOGNA_NEXT_STEPS},
    )
    return str(cid)


async def load_demo_data(gateway_url: str, admin: tuple[str, str]) -> list[tuple[str, str, str]]:
    """Load the demo through the gateway; (role, e-mail, password) of the demo users."""
    async with aiohttp.ClientSession(
        base_url=gateway_url, timeout=aiohttp.ClientTimeout(total=60)
    ) as session:
        anonymous = Api(session)
        administrator = await anonymous.login(*admin)
        if await _existing(administrator):
            return credentials()
        ids = await _people(administrator)
        passwords = {u.email: u.password for u in USERS}

        async def login(name: str) -> Api:
            email = f"{name}@{DOMAIN}"
            return await anonymous.login(email, passwords[email])

        ministry = await login("ministry")
        publisher = await login("alerts")
        officers = {
            key: await login(key) for key in ("bologna", "torino", "canelones", "minneapolis")
        }
        italy = await _recommendations(ministry)
        await _subscriptions(officers)
        await _alerts(publisher)

        exercise = await ministry.call(
            "POST",
            "/api/v1/exercises",
            json={
                "report_type": "upr_midterm_report",
                "country": "IT",
                "mechanism": "UPR",
                "title": "Italy: UPR mid-term report (4th cycle), local implementation",
                "deadline": (date.today() + timedelta(days=45)).isoformat(),
                "recommendation_ids": [italy[p] for p in ("148.41", "148.75", "148.98")],
                "invited_institution_ids": [ids["bologna"], ids["torino"]],
            },
        )
        await ministry.call("POST", f"/api/v1/exercises/{exercise['id']}/open")
        consultation_id = await _published_consultation(
            officers["bologna"], anonymous, exercise["id"], italy["148.98"]
        )
        await officers["bologna"].call(
            "POST",
            f"/api/v1/exercises/{exercise['id']}/inputs",
            json={
                "recommendation_id": italy["148.98"],
                "status": "partially_implemented",
                "measures_taken": "Two camps replaced by micro-areas of social housing.",
                "good_practice": "Families chose their micro-area in a participatory process.",
                "indicators": [
                    {
                        "name": "Roma and Sinti households in camps",
                        "value": 41,
                        "unit": "households",
                        "period": "2025",
                        "disaggregation": [
                            {"group": "with children", "dimension": "household", "value": 29},
                            {"group": "without children", "dimension": "household", "value": 12},
                        ],
                    }
                ],
                "consultation_id": consultation_id,
            },
        )
        await load_follow_up(ministry, officers["bologna"], officers["torino"], italy)
        canelones = officers["canelones"]
        consultation = await canelones.call(
            "POST", "/api/v1/consultations", json=canelones_consultation()
        )
        await canelones.call("POST", f"/api/v1/consultations/{consultation['id']}/open")
        await demo_back_office.load(
            ministry=ministry, publisher=publisher, officers=officers, ids=ids, italy=italy
        )
    return credentials()


if __name__ == "__main__":  # pragma: no cover (a manual run against a running gateway)
    import sys

    url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
    for row in asyncio.run(load_demo_data(url, admin=DEMO_ADMIN)):
        print(*row)
