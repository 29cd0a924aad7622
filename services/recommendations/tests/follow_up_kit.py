"""What the follow-up tests share: Italy's two UPR cycles in small, people acting in Italy.

The recommendations are written as UPR Info's export writes them (CSV, sessions 7 and 20),
so the import, the cycle of each session and the recurrence suggestions are the real ones.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

import httpx

from localrights.auth import Role
from localrights.testing.helpers import bearer, eventually

from .conftest import upload

HEADER = ["To", "To-Rgrp", "To-Org", "Text", "From", "From-Rgrp", "From-Org", "Response",
          "Action", "Issue", "Session"]  # fmt: skip
ITALY_TEXTS = {
    # session 7 (cycle 1)
    "nhri_7": ("Establish an independent national human rights institution in accordance with "
               "the Paris Principles", "Canada", "National Human Rights Institution", 7),
    "ced_7": ("Ratify the International Convention for the Protection of All Persons from "
              "Enforced Disappearance", "France", "International instruments", 7),
    "housing_7": ("Take measures to reduce the number of families waiting for social housing, in "
                  "particular in large cities", "Spain", "Right to housing", 7),
    "roma_7": ("Continue to contribute to the integration of the Roma and the Sinti into local "
               "communities", "Hungary", "Minorities", 7),
    # session 20 (cycle 2)
    "nhri_20": ("Establish a national human rights institution in accordance with the Paris "
                "Principles", "Chile", "National Human Rights Institution", 20),
    "ced_20": ("Ratify ICPPED", "Uruguay", "International instruments", 20),
    "housing_20": ("Adopt a national plan to reduce the number of households waiting for social "
                   "housing, with data disaggregated by sex", "Portugal", "Right to housing", 20),
    "drugs_20": ("Scale up efforts to face the scourge of drugs", "Egypt", "Health", 20),
}  # fmt: skip


def italy_csv() -> bytes:
    """Italy's recommendations of sessions 7 and 20 as a UPR Info export (CR line ends)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r")
    writer.writerow(HEADER)
    for text, recommending, issue, session in ITALY_TEXTS.values():
        writer.writerow(
            ["Italy", "WEOG", "EU", text, recommending, "", "", "Accepted", "5", issue, session]
        )
    return out.getvalue().encode()


@dataclass(frozen=True)
class Italy:
    """People acting in Italy and the recommendations by their key in ``ITALY_TEXTS``."""

    secret: str
    ministry_id: UUID
    bologna_id: UUID
    torino_id: UUID
    recommendations: dict[str, dict[str, Any]]

    @property
    def ministry(self) -> dict[str, str]:
        return bearer(
            self.secret, Role.MINISTRY_OFFICER, institution_id=self.ministry_id, country="IT",
            jurisdiction="IT",
        )  # fmt: skip

    @property
    def bologna(self) -> dict[str, str]:
        return bearer(
            self.secret, Role.INSTITUTION_OFFICER, institution_id=self.bologna_id, country="IT",
            jurisdiction="IT-BO",
        )  # fmt: skip

    @property
    def torino(self) -> dict[str, str]:
        return bearer(
            self.secret, Role.INSTITUTION_OFFICER, institution_id=self.torino_id, country="IT",
            jurisdiction="IT-TO",
        )  # fmt: skip

    def other_ministry(self) -> dict[str, str]:
        return bearer(
            self.secret, Role.MINISTRY_OFFICER, institution_id=uuid4(), country="UY",
            jurisdiction="UY",
        )  # fmt: skip

    def foreign_officer(self) -> dict[str, str]:
        """An institution officer of Canelones (Uruguay)."""
        return bearer(
            self.secret, Role.INSTITUTION_OFFICER, institution_id=uuid4(), country="UY",
            jurisdiction="UY-CA",
        )  # fmt: skip

    def rec(self, key: str) -> str:
        return str(self.recommendations[key]["id"])


async def import_italy(client: httpx.AsyncClient, secret: str) -> Italy:
    ministry = bearer(secret, Role.MINISTRY_OFFICER, institution_id=uuid4(), country="IT")
    report = (await upload(client, ministry, italy_csv())).json()
    assert report["created"] == len(ITALY_TEXTS), report
    page = (
        await client.get("/api/v1/recommendations", params={"country": "IT", "page_size": 50})
    ).json()
    by_text = {r["text"]: r for r in page["items"]}
    recommendations = {key: by_text[text] for key, (text, *_) in ITALY_TEXTS.items()}
    return Italy(
        secret=secret,
        ministry_id=uuid4(),
        bologna_id=uuid4(),
        torino_id=uuid4(),
        recommendations=recommendations,
    )


async def report(
    client: httpx.AsyncClient, headers: dict[str, str], recommendation_id: str, **fields: Any
) -> httpx.Response:
    return await client.post(
        "/api/v1/follow-up/statuses",
        json={"recommendation_id": recommendation_id, **fields},
        headers=headers,
    )


async def suggestions(client: httpx.AsyncClient, **params: str) -> list[dict[str, Any]]:
    """The recurrence links of Italy, once the import's event has been handled."""
    found: list[dict[str, Any]] = []

    async def some() -> None:
        page = (await client.get("/api/v1/recurrences", params={"country": "IT", **params})).json()
        assert page["items"], page
        found[:] = page["items"]

    await eventually(some, timeout=30)
    return found
