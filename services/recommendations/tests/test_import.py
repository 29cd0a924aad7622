"""Importing UHRI (CSV and JSON) and UPR Info exports through the API."""

from __future__ import annotations

import httpx

from localrights.events import RECOMMENDATION_EVENTS
from localrights.testing.helpers import read_topic

from .conftest import SAMPLES, Actors, upload


def _reasons(report: dict[str, object]) -> dict[int, str]:
    return {row["line"]: row["reason"] for row in report["rejected_rows"]}  # type: ignore[attr-defined, index]


async def _count(client: httpx.AsyncClient, **params: str) -> int:
    response = await client.get("/api/v1/recommendations", params=params)
    assert response.status_code == 200, response.text
    return int(response.json()["total"])


class TestUhriCsv:
    async def test_good_rows_import_and_each_bad_row_is_reported_with_its_line(
        self, client: httpx.AsyncClient, actors: Actors
    ) -> None:
        response = await upload(client, actors.ministry, (SAMPLES / "uhri_sample.csv").read_bytes())

        assert response.status_code == 200, response.text
        report = response.json()
        assert report["source_format"] == "uhri_csv"
        assert report["rows"] == 11
        assert (report["created"], report["updated"], report["rejected"]) == (4, 0, 7)
        reasons = _reasons(report)
        # Multi-line cells make rows span lines: the line is where the row starts.
        assert reasons == {
            14: "no known country concerned (Atlantis)",
            15: "Type 'Concerns/Observations' is not a recommendation",
            16: "unknown SDG target '99.1 - A target that does not exist'",
            17: "empty recommendation text",
            18: "unknown recommending body (ABC)",
            19: "missing OHCHR Annotation Id",
            21: "unreadable date 'not a date'",
        }
        assert report["unknown_countries"] == {"Atlantis": 1}
        assert report["countries"] == ["ID", "IT", "US", "UY"]

    async def test_fields_are_read_as_uhri_writes_them(
        self, client: httpx.AsyncClient, actors: Actors
    ) -> None:
        await upload(client, actors.ministry, (SAMPLES / "uhri_sample.csv").read_bytes())

        page = (await client.get("/api/v1/recommendations", params={"country": "IT"})).json()
        [italy] = page["items"]
        assert italy["mechanism_type"] == "upr"
        assert italy["mechanism"] == "UPR"
        assert italy["paragraph"] == "148.35"
        assert italy["text"].startswith("Adopt a national action plan")
        assert italy["themes"] == ["Women", "Gender-based violence"]
        assert italy["affected_groups"] == ["Women", "Girls"]
        assert italy["sdg_targets"] == ["5.2", "16.1"]
        assert italy["recommending_states"] == ["ES"]
        assert italy["response"] == "supported"
        assert (italy["session"], italy["cycle"]) == ("34", 3)
        assert italy["date"] == "2019-12-16"
        assert italy["owner_level"] == "national"
        indonesia = (await client.get("/api/v1/recommendations", params={"country": "ID"})).json()
        assert indonesia["items"][0]["response"] == "supported_in_part"
        assert indonesia["items"][0]["recommending_states"] == ["MX", "PE"]
        us = (await client.get("/api/v1/recommendations", params={"country": "US"})).json()
        assert us["items"][0]["mechanism_type"] == "special_procedure"
        assert us["items"][0]["mechanism"] == "SR on the right to adequate housing"
        assert us["items"][0]["date"] == "2025-01-15"  # Excel serial 45672
        uy = (await client.get("/api/v1/recommendations", params={"country": "UY"})).json()
        assert uy["items"][0]["mechanism"] == "CEDAW"
        assert uy["items"][0]["paragraph"] == "23"
        assert uy["items"][0]["date"] == "2023-07-05"

    async def test_reimport_updates_instead_of_duplicating(
        self, client: httpx.AsyncClient, actors: Actors
    ) -> None:
        body = (SAMPLES / "uhri_sample.csv").read_bytes()
        await upload(client, actors.ministry, body)
        italy = (await client.get("/api/v1/recommendations", params={"country": "IT"})).json()
        rec_id = italy["items"][0]["id"]
        owned = await client.patch(
            f"/api/v1/recommendations/{rec_id}",
            json={"owner_level": "regional", "jurisdictions": ["IT-25"]},
            headers=actors.ministry,
        )
        assert owned.status_code == 200, owned.text

        again = (await upload(client, actors.ministry, body)).json()
        assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 4)
        changed = (
            await upload(
                client,
                actors.ministry,
                body.replace(b"that gives municipalities", b"giving regions"),
            )
        ).json()
        assert (changed["created"], changed["updated"], changed["unchanged"]) == (0, 1, 3)

        assert await _count(client) == 4
        after = (await client.get(f"/api/v1/recommendations/{rec_id}")).json()
        assert "giving regions" in after["text"]
        # What the ministry decided survives the re-import.
        assert (after["owner_level"], after["jurisdictions"]) == ("regional", ["IT-25"])


class TestUhriJson:
    async def test_json_records_import_and_bad_ones_are_reported(
        self, client: httpx.AsyncClient, actors: Actors
    ) -> None:
        body = (SAMPLES / "uhri_sample.json").read_bytes()
        report = (
            await upload(client, actors.ministry, body, content_type="application/json")
        ).json()

        assert report["source_format"] == "uhri_json"
        assert (report["rows"], report["created"], report["rejected"]) == (5, 3, 2)
        assert _reasons(report) == {
            4: "no known country concerned (Freedonia)",
            5: "record 4 is not an object",
        }
        italy = (await client.get("/api/v1/recommendations", params={"country": "IT"})).json()
        [rec] = italy["items"]
        assert (rec["mechanism"], rec["paragraph"], rec["response"]) == ("UPR", "42.7", "noted")
        assert (rec["session"], rec["cycle"], rec["recommending_states"]) == ("37", 3, ["SE"])
        again = (
            await upload(client, actors.ministry, body, content_type="application/json")
        ).json()
        assert (again["created"], again["unchanged"]) == (0, 3)

    async def test_a_broken_json_body_is_refused_whole(
        self, client: httpx.AsyncClient, actors: Actors
    ) -> None:
        response = await upload(
            client,
            actors.ministry,
            b'[{"AnnotationId": "x", "Text": ',
            content_type="application/json",
        )
        assert response.status_code == 422
        assert (
            "incomplete" in response.json()["detail"] or "invalid JSON" in response.json()["detail"]
        )
        assert await _count(client) == 0


class TestUprInfoCsv:
    async def test_cr_lines_mixed_encodings_and_country_names(
        self, client: httpx.AsyncClient, actors: Actors
    ) -> None:
        report = (
            await upload(client, actors.ministry, (SAMPLES / "upr_info_sample.csv").read_bytes())
        ).json()

        assert report["source_format"] == "upr_info_csv"
        assert (report["rows"], report["created"], report["rejected"]) == (11, 6, 5)
        assert _reasons(report) == {
            6: "unknown country under review 'Narnia'",
            8: "'abc' is not a UPR session number",
            9: "unknown UPR response 'Maybe' (expected Supported, Noted or Accepted)",
            10: "expected 11 fields, found 5",
            11: "duplicate of line 2 (same recommendation in this upload)",
        }
        assert report["unknown_countries"] == {"Narnia": 1}
        assert report["warnings"] == [
            {"line": 7, "message": "recommending state not recorded in the source"}
        ]
        assert report["decoded_lines"] == {"utf-8": 11, "mac_roman": 1}
        assert report["countries"] == ["CI", "CL", "MK", "PS", "TH", "VN"]
        thailand = (await client.get("/api/v1/recommendations", params={"country": "TH"})).json()
        assert (
            thailand["items"][0]["text"] == "Amend the lèse-majesté provisions of the Criminal Code"
        )
        vietnam = (await client.get("/api/v1/recommendations", params={"country": "VN"})).json()
        [rec] = vietnam["items"]
        assert rec["text"].startswith("Ensure that provincial authorities register births")
        assert (rec["response"], rec["action_category"], rec["recommending_states"]) == (
            "supported",
            5,
            ["MX"],
        )
        assert rec["themes"] == ["Rights of the Child", "Migrants"]
        assert (rec["session"], rec["cycle"]) == ("18", 2)

    async def test_reimport_updates_instead_of_duplicating(
        self, client: httpx.AsyncClient, actors: Actors
    ) -> None:
        body = (SAMPLES / "upr_info_sample.csv").read_bytes()
        await upload(client, actors.ministry, body)
        again = (
            await upload(client, actors.ministry, body.replace(b",Noted,4,", b",Accepted,4,"))
        ).json()
        assert (again["created"], again["unchanged"], again["updated"]) == (0, 6, 0)
        noted_to_supported = (
            await upload(
                client,
                actors.ministry,
                body.replace(b"Slovenia,EEG,EU,Noted", b"Slovenia,EEG,EU,Accepted"),
            )
        ).json()
        assert (noted_to_supported["created"], noted_to_supported["updated"]) == (0, 1)
        assert await _count(client) == 6


class TestImportAccess:
    async def test_only_ministries_import(self, client: httpx.AsyncClient, actors: Actors) -> None:
        body = (SAMPLES / "uhri_sample.csv").read_bytes()
        from uuid import uuid4

        local = await upload(client, actors.institution(uuid4(), "UY-MO"), body)
        anonymous = await client.post("/api/v1/recommendations/import", content=body)

        assert local.status_code == 403
        assert anonymous.status_code == 401
        assert await _count(client) == 0

    async def test_an_unknown_header_is_refused_with_what_is_missing(
        self, client: httpx.AsyncClient, actors: Actors
    ) -> None:
        response = await upload(client, actors.ministry, b"Name,Value\r\nx,1\r\n")
        assert response.status_code == 422
        assert "Countries Concerned" in response.json()["detail"]


async def test_import_emits_a_batch_summary(
    client: httpx.AsyncClient, actors: Actors, kafka_bootstrap_servers: str, topic_prefix: str
) -> None:
    report = (
        await upload(client, actors.ministry, (SAMPLES / "upr_info_sample.csv").read_bytes())
    ).json()

    events = await read_topic(
        kafka_bootstrap_servers,
        topic_prefix + RECOMMENDATION_EVENTS,
        until=lambda seen: any(e.type == "recommendation.imported" for e in seen),
    )
    [event] = [e for e in events if e.type == "recommendation.imported"]
    assert event.subject == report["import_id"]
    assert event.data["source_format"] == "upr_info_csv"
    assert (event.data["created"], event.data["rejected"], event.data["rows"]) == (6, 5, 11)
    assert event.data["countries"] == ["CI", "CL", "MK", "PS", "TH", "VN"]
