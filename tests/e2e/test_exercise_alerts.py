"""A reporting exercise asks its invited institutions for input, across three services.

The ministry opens the exercise in the recommendations service; exercise.opened travels
through its outbox and Kafka to the notifications service, which resolves the invitation
(institutions named by id, and every institution of an invited jurisdiction, from its
projection of institution.registered events) into one inbox item per invited institution.
The same event reaches an integrator as docs/integrators.md tells them to receive it: a
signed webhook verified with the Standard Webhooks library, and a plain Kafka reader.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from uuid import uuid4

import jsonschema  # type: ignore[import-untyped]
import pytest
import uvicorn

from localrights.embedded import free_port

from .platform_client import Actor, Platform, eventually

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "integrators.md"

UHRI_HEADER = (
    "Text,Countries Concerned,Reccomending Body,Document Symbol,Themes,Affected Persons,"
    "Sdgs,Document Publication Date,UPR Reccomending States,UPR Position,Type,"
    "OHCHR Annotation Id,UPR Session,Regions Concerned,Recommending Regions,"
    "Date of publication on UHRI"
)


def uhri_rows(country: str, symbol: str) -> bytes:
    """Two UPR recommendations to one country, as a UHRI export has them."""
    lines = [UHRI_HEADER]
    for n, text in enumerate(
        (
            "Ensure that local governments register births of all children",
            "Give municipalities the means to run shelters for victims of violence",
        ),
        start=1,
    ):
        lines.append(
            f'"130.{n}. {text}",{country},- UPR,{symbol},- Children,- Children,,'
            f"2024-02-01,- Chile,Supported,Recommendation,{uuid4()},UPR 45,"
            "- Americas,- Americas,2024-03-01"
        )
    return ("\n".join(lines) + "\n").encode()


async def open_exercise(
    ministry: Actor, *, country: str, institution_ids: list[str], jurisdictions: list[str]
) -> dict[str, Any]:
    """Import two recommendations, then create and open an exercise on them."""
    symbol = f"A/HRC/{uuid4().hex[:6]}/1"
    report = await ministry.call(
        "POST",
        "/api/v1/recommendations/import",
        content=uhri_rows(country, symbol),
        headers={"content-type": "text/csv"},
        expect=200,
    )
    assert report["created"] == 2 and report["rejected"] == 0, report
    page = await ministry.call(
        "GET",
        "/api/v1/recommendations",
        params={"country": country, "q": "births OR shelters", "page_size": 200},
        expect=200,
    )
    ids = [r["id"] for r in page["items"] if r["document_symbol"] == symbol]
    assert len(ids) == 2, page
    exercise = await ministry.call(
        "POST",
        "/api/v1/exercises",
        json={
            "report_type": "upr_midterm_report",
            "country": country,
            "mechanism": "UPR",
            "title": f"UPR mid-term report {symbol}: local input",
            "deadline": (datetime.now(UTC) + timedelta(days=30)).date().isoformat(),
            "recommendation_ids": ids,
            "invited_institution_ids": institution_ids,
            "invited_jurisdictions": jurisdictions,
        },
        expect=201,
    )
    assert exercise["recommendation_count"] == 2, exercise
    opened: dict[str, Any] = await ministry.call(
        "POST", f"/api/v1/exercises/{exercise['id']}/open", expect=200
    )
    assert opened["status"] == "open"
    return opened


async def invitations(actor: Actor, exercise_id: str) -> list[dict[str, Any]]:
    """The inbox items of the actor's institution about this exercise."""
    page = await actor.call("GET", "/api/v1/inbox", params={"limit": 200}, expect=200)
    return [i for i in page["items"] if i["facts"].get("exercise_id") == exercise_id]


async def test_exercise_opened_reaches_every_invited_inbox_and_no_other(
    platform: Platform,
) -> None:
    ministry = await platform.institution_with_officer(
        name="Ministerio de Relaciones Exteriores",
        kind="ministry",
        country="UY",
        jurisdiction="UY",
        roles=("ministry_officer",),
    )
    # Named by id, in a jurisdiction that is not invited.
    montevideo = await platform.institution_with_officer(
        name="Intendencia de Montevideo", kind="municipality", country="UY", jurisdiction="UY-MO"
    )
    # Two institutions of the invited department, neither named.
    canelones = await platform.institution_with_officer(
        name="Intendencia de Canelones", kind="municipality", country="UY", jurisdiction="UY-CA"
    )
    las_piedras = await platform.institution_with_officer(
        name="Municipio de Las Piedras", kind="municipality", country="UY", jurisdiction="UY-CA"
    )
    # Neither named nor in an invited jurisdiction.
    rocha = await platform.institution_with_officer(
        name="Intendencia de Rocha", kind="municipality", country="UY", jurisdiction="UY-RO"
    )

    exercise = await open_exercise(
        ministry,
        country="UY",
        institution_ids=[str(montevideo.institution_id)],
        jurisdictions=["UY-CA"],
    )

    async def each_invited_has_one(actor: Actor) -> dict[str, Any]:
        items = await invitations(actor, exercise["id"])
        assert len(items) == 1, (actor.email, items)
        return items[0]

    for invited in (montevideo, canelones, las_piedras):
        item = await eventually(partial(each_invited_has_one, invited))
        assert item["kind"] == "input_requested"
        assert item["facts"]["deadline"] == exercise["deadline"]
        assert item["facts"]["recommendation_count"] == exercise["recommendation_count"]
        assert item["facts"]["ministry_institution_id"] == ministry.institution_id

    # The invitation is real in the recommendations service too: the uninvited institution,
    # which never heard of the exercise, may not answer it either.
    recommendation_id = exercise["recommendation_ids"][0]
    body = {"recommendation_id": recommendation_id, "status": "in_progress"}
    await las_piedras.call(
        "POST", f"/api/v1/exercises/{exercise['id']}/inputs", json=body, expect=201
    )
    await rocha.call("POST", f"/api/v1/exercises/{exercise['id']}/inputs", json=body, expect=403)
    # Everything above was processed by the same consumer after the invitations: had Rocha's
    # inbox been sent the exercise, it would be there by now.
    assert await invitations(rocha, exercise["id"]) == []


async def test_a_country_wide_invitation_reaches_the_institutions_of_its_subdivisions(
    platform: Platform,
) -> None:
    ministry = await platform.institution_with_officer(
        name="Ministerio de Relaciones Exteriores del Paraguay",
        kind="ministry",
        country="PY",
        jurisdiction="PY",
        roles=("ministry_officer",),
    )
    asuncion = await platform.institution_with_officer(
        name="Municipalidad de Asunción", kind="municipality", country="PY", jurisdiction="PY-ASU"
    )
    # Another country's institution is not inside "PY".
    rocha = await platform.institution_with_officer(
        name="Intendencia de Rocha", kind="municipality", country="UY", jurisdiction="UY-RO"
    )

    exercise = await open_exercise(ministry, country="PY", institution_ids=[], jurisdictions=["PY"])

    async def invited() -> None:
        assert len(await invitations(asuncion, exercise["id"])) == 1

    await eventually(invited)
    assert await invitations(rocha, exercise["id"]) == []


async def test_an_institution_registered_after_the_opening_is_still_invited(
    platform: Platform,
) -> None:
    ministry = await platform.institution_with_officer(
        name="Ministerio de Relaciones Exteriores",
        kind="ministry",
        country="UY",
        jurisdiction="UY",
        roles=("ministry_officer",),
    )
    exercise = await open_exercise(
        ministry, country="UY", institution_ids=[], jurisdictions=["UY-TA"]
    )
    # The jurisdiction invites whoever sits in it while the exercise runs: an institution
    # registered afterwards may answer, so it must also be told.
    tacuarembo = await platform.institution_with_officer(
        name="Intendencia de Tacuarembó", kind="municipality", country="UY", jurisdiction="UY-TA"
    )

    async def invited() -> None:
        assert len(await invitations(tacuarembo, exercise["id"])) == 1

    await eventually(invited)


def guide_block(name: str) -> str:
    """The guide's Python block that defines ``name``, as a reader would paste it."""
    blocks = re.findall(r"```python\n(.*?)```", GUIDE.read_text(), flags=re.S)
    [block] = [b for b in blocks if f"def {name}(" in b]
    return str(block)


async def test_the_integrators_guide_followed_on_a_running_platform(
    platform: Platform, capsys: pytest.CaptureFixture[str]
) -> None:
    anonymous = platform.anonymous()
    # 1. The catalogue: the webhook type's schema, and where the broker and topic are.
    types = (await anonymous.get("/api/v1/webhooks/event-types")).json()
    [opened_type] = [t for t in types if t["name"] == "exercise.opened"]
    asyncapi = (await anonymous.get("/api/v1/asyncapi.json")).json()
    bootstrap = asyncapi["servers"]["broker"]["host"]
    [topic] = [
        c["address"]
        for c in asyncapi["channels"].values()
        if c["address"].endswith("exercise.events")
    ]

    # 2-3. The guide's receiver, verifying with the standardwebhooks library.
    city = await platform.institution_with_officer(
        name="Intendencia de Florida", kind="municipality", country="UY", jurisdiction="UY-FD"
    )
    port = free_port()
    subscription = await city.call(
        "POST",
        "/api/v1/subscriptions",
        json={
            "name": "case-management",
            "channel": "webhook",
            "url": f"http://127.0.0.1:{port}/localrights/webhook",
            "countries": ["UY"],
            "kinds": ["input_requested"],
        },
        expect=201,
    )
    receiver: dict[str, Any] = {}
    exec(guide_block("verify_delivery"), receiver)
    exec(guide_block("receive").replace('"whsec_..."', repr(subscription["secret"])), receiver)
    verified: list[dict[str, Any]] = []
    verify = receiver["verify_delivery"]

    def recording(*args: Any) -> dict[str, Any] | None:
        event: dict[str, Any] | None = verify(*args)
        if event is not None:
            verified.append(event)
        return event

    receiver["verify_delivery"] = recording  # the receiver looks it up at each call
    server = uvicorn.Server(
        uvicorn.Config(receiver["app"], host="127.0.0.1", port=port, log_level="warning")
    )
    serving = asyncio.create_task(server.serve())
    # 4. The guide's reader, as a read-only group of the integrator's own.
    reader: dict[str, Any] = {}
    exec(guide_block("follow").split("\nasyncio.run(")[0], reader)
    reading = asyncio.create_task(reader["follow"](bootstrap, [topic], f"ext-{uuid4().hex[:8]}"))
    try:
        ministry = await platform.institution_with_officer(
            name="Ministerio de Relaciones Exteriores",
            kind="ministry",
            country="UY",
            jurisdiction="UY",
            roles=("ministry_officer",),
        )
        exercise = await open_exercise(
            ministry, country="UY", institution_ids=[], jurisdictions=["UY-FD"]
        )
        printed: list[str] = []

        async def delivered_and_read() -> None:
            printed.append(capsys.readouterr().out)
            lines = [line for line in "".join(printed).splitlines() if exercise["id"] in line]
            # One line from the receiver (it deduplicates), at least one from the reader.
            assert len(receiver["seen"]) == 1 and len(lines) >= 2, lines

        await eventually(delivered_and_read, timeout=60)
    finally:
        reading.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reading
        server.should_exit = True
        await serving
    # What was delivered, and verified, is the catalogued CloudEvent.
    [event] = [e for e in verified if e["data"]["exercise_id"] == exercise["id"]]
    jsonschema.validate(event, opened_type["schema"])
    assert receiver["seen"] == {event["id"]}
    assert event["type"] == "exercise.opened" and event["subject"] == exercise["id"]
