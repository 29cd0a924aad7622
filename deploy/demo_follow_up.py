"""Demo follow-up between reviews, loaded through the gateway after the rest of the demo.

Italy's second-cycle recommendations (a few, written as UPR Info's export writes them)
come in after the third-cycle ones of the UHRI sample; the platform suggests which third-cycle
recommendations repeat them and the ministry confirms two. Bologna and Torino publish their
follow-up: statuses over several years (the ministry validated some and returned one), and
Bologna's indicators observed three times each, one by sex. So that `make up` shows the
place's, the country's and a recommendation's follow-up pages with something to read.
"""

from __future__ import annotations

import asyncio
import csv
import io
from typing import Any

from demo_back_office import Caller

# Italy's second UPR review (session 20, 2014), the earlier versions of A/HRC/43/4's asks.
SECOND_CYCLE = (
    ("nhri", "Establish a national human rights institution in accordance with the Paris "
     "Principles, with a broad mandate and adequate resources", "Chile",
     "National Human Rights Institution"),
    ("roma", "Stop the forced evictions of Roma and Sinti communities and ensure their access to "
     "adequate housing", "Sweden", "Minorities,Right to housing"),
    ("violence", "Ensure that women victims of violence have access to shelters and anti-violence "
     "centres in every region", "Spain", "Women's rights"),
)  # fmt: skip


def second_cycle_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r")
    writer.writerow(["To", "To-Rgrp", "To-Org", "Text", "From", "From-Rgrp", "From-Org",
                     "Response", "Action", "Issue", "Session"])  # fmt: skip
    for _key, text, recommending, issue in SECOND_CYCLE:
        writer.writerow(["Italy", "WEOG", "EU", text, recommending, "", "", "Accepted", "5",
                         issue, "20"])  # fmt: skip
    return out.getvalue().encode()


async def _second_cycle(ministry: Caller) -> dict[str, str]:
    await ministry.call(
        "POST",
        "/api/v1/recommendations/import",
        data=second_cycle_csv(),
        headers={"content-type": "text/csv"},
    )
    found: dict[str, str] = {}
    for key, text, *_ in SECOND_CYCLE:
        page = await ministry.call(
            "GET",
            "/api/v1/recommendations",
            params={"country": "IT", "session": "20", "q": text, "page_size": "200"},
        )
        (found[key],) = [r["id"] for r in page["items"] if r["text"] == text]
    return found


async def _confirm_repeats(ministry: Caller, later: set[str], *, attempts: int = 60) -> None:
    """Confirm the suggested repeats of these third-cycle recommendations once suggested."""
    for _ in range(attempts):
        page = await ministry.call(
            "GET", "/api/v1/recurrences", params={"country": "IT", "status": "suggested"}
        )
        wanted = [link for link in page["items"] if link["later"]["id"] in later]
        if wanted:
            for link in wanted:
                await ministry.call("POST", f"/api/v1/recurrences/{link['id']}/confirm")
            return
        await asyncio.sleep(0.5)


async def _status(
    officer: Caller, recommendation: str, status: str, as_of: str, measures: str | None = None
) -> str:
    entry = await officer.call(
        "POST",
        "/api/v1/follow-up/statuses",
        json={"recommendation_id": recommendation, "status": status, "as_of": as_of,
              "measures": measures},
    )  # fmt: skip
    return str(entry["id"])


async def _indicator(
    officer: Caller, definition: dict[str, Any], values: list[tuple[str, float, list[Any]]]
) -> None:
    created = await officer.call("POST", "/api/v1/indicators", json=definition)
    for observed_on, value, breakdown in values:
        await officer.call(
            "POST",
            f"/api/v1/indicators/{created['id']}/observations",
            json={"observed_on": observed_on, "period": observed_on[:4], "value": value,
                  "breakdown": breakdown},
        )  # fmt: skip


def _by_sex(women: float, men: float) -> list[dict[str, Any]]:
    return [
        {"dimension": "sex", "group": "women", "value": women},
        {"dimension": "sex", "group": "men", "value": men},
    ]


async def load_follow_up(
    ministry: Caller, bologna: Caller, torino: Caller, italy: dict[str, str]
) -> None:
    """``italy``: paragraph -> id of the third-cycle (A/HRC/43/4) recommendations."""
    earlier = await _second_cycle(ministry)
    await _confirm_repeats(ministry, {italy["148.12"], italy["148.98"]})
    for officer in (bologna, torino):
        await officer.call("PUT", "/api/v1/follow-up/publication", json={"published": True})

    bologna_said = (
        (earlier["roma"], "in_progress", "2016-05-01",
         "A plan to close the Via Erbosa camp, agreed with the families."),
        (earlier["nhri"], "not_local_competence", "2015-03-01",
         "A national competence; the city has a municipal ombudsperson."),
        (italy["148.98"], "partially_implemented", "2024-03-01",
         "Two camps replaced by micro-areas of social housing."),
        (italy["148.41"], "implemented", "2023-10-01",
         "Every municipal police officer trained on hate crimes in 2023."),
        (italy["148.75"], "partially_implemented", "2024-01-15",
         "Two anti-violence centres funded; a third one is planned in Navile."),
        (italy["148.160"], "in_progress", "2022-09-01", "Accessible buses on 12 of 40 lines."),
    )  # fmt: skip
    entries = [await _status(bologna, *said) for said in bologna_said]
    roma, police = entries[2], entries[3]
    await _status(torino, italy["148.98"], "not_started", "2023-06-01")
    torino_shelters = await _status(
        torino, italy["148.75"], "implemented", "2024-02-01", "A shelter in every district."
    )
    await _status(torino, italy["148.41"], "in_progress", "2023-11-15")
    for entry in (roma, police):
        await ministry.call("POST", f"/api/v1/follow-up/statuses/{entry}/validate")
    await ministry.call(
        "POST",
        f"/api/v1/follow-up/statuses/{torino_shelters}/return",
        json={"comment": "Two districts have no shelter yet: report it as partially implemented."},
    )

    await _indicator(
        bologna,
        {
            "name": {"en": "Households waiting for social housing",
                     "fr": "Ménages en attente d'un logement social",
                     "es": "Hogares en espera de vivienda social",
                     "it": "Nuclei familiari in attesa di un alloggio popolare"},
            "unit": "households", "kind": "outcome", "sdg_target": "11.1",
            "sdg_indicator": "11.1.1", "breakdowns": ["sex"], "baseline_value": 4800,
            "baseline_year": 2022, "target_value": 3000, "target_year": 2030,
            "source": "Comune di Bologna, housing register", "update_every_months": 12,
            "recommendation_ids": [italy["148.98"]],
        },
        [("2022-12-31", 4800, _by_sex(2910, 1890)), ("2023-12-31", 4410, _by_sex(2650, 1760)),
         ("2024-12-31", 4120, _by_sex(2470, 1650))],
    )  # fmt: skip
    await _indicator(
        bologna,
        {
            "name": {"en": "Roma and Sinti households living in camps",
                     "fr": "Ménages roms et sintés vivant dans des camps",
                     "es": "Hogares romaníes y sinti que viven en campamentos",
                     "it": "Nuclei rom e sinti che vivono nei campi"},
            "unit": "households", "kind": "outcome", "baseline_value": 58,
            "baseline_year": 2022, "target_value": 0, "target_year": 2028,
            "source": "Comune di Bologna, social services", "update_every_months": 12,
            "recommendation_ids": [italy["148.98"], earlier["roma"]],
        },
        [("2022-12-31", 58, []), ("2023-12-31", 49, []), ("2024-12-31", 41, [])],
    )  # fmt: skip
