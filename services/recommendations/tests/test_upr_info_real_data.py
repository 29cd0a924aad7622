"""The importer against UPR Info's real export: 41,066 recommendations, sessions 1-20.

The files stay in the shared folder beside the clone (no licence to redistribute them);
the expected row counts are read from that folder's README.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from .conftest import UPR_INFO_DATA, Actors

CHUNK = 64 * 1024


def _readme_counts() -> dict[str, int]:
    text = (UPR_INFO_DATA / "README.md").read_text(encoding="utf-8")
    line = text[text.index("Row counts:") :]
    return {
        f"{name}.csv": int(count.replace(",", ""))
        for name, count in re.findall(r"(sessions-\d+-\d+) ([\d,]+)", line)
    }


async def _chunks(path: Path) -> AsyncIterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            yield chunk


async def _import(client: httpx.AsyncClient, actors: Actors, path: Path) -> dict[str, object]:
    response = await client.post(
        "/api/v1/recommendations/import",
        content=_chunks(path),
        headers={**actors.ministry, "content-type": "text/csv"},
        timeout=600,
    )
    assert response.status_code == 200, response.text
    report: dict[str, object] = response.json()
    return report


async def test_every_real_row_is_imported_or_reported_with_a_reason(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    expected = _readme_counts()
    assert sum(expected.values()) == 41_066
    assert sorted(expected) == sorted(p.name for p in UPR_INFO_DATA.glob("*.csv"))

    created_total = 0
    for name, rows in sorted(expected.items()):
        report = await _import(client, actors, UPR_INFO_DATA / name)

        assert report["source_format"] == "upr_info_csv"
        assert report["rows"] == rows, name
        assert report["created"] + report["rejected"] == rows, name  # type: ignore[operator]
        assert (report["updated"], report["unchanged"]) == (0, 0)
        rejected = report["rejected_rows"]
        assert isinstance(rejected, list) and len(rejected) == report["rejected"]
        for problem in rejected:
            assert 2 <= problem["line"] <= rows + 1 and problem["reason"], problem
        # Every name UPR Info writes maps to a country (aliases included).
        assert report["unknown_countries"] == {}, name
        created_total += int(report["created"])  # type: ignore[call-overload]

    listed = await client.get("/api/v1/recommendations", params={"page_size": 1})
    assert listed.json()["total"] == created_total
    # Only exact repeats (same state, session, recommending state and text) are refused.
    assert created_total >= 41_066 - 10

    mac_roman = await client.get(
        "/api/v1/recommendations", params={"q": "lèse-majesté", "country": "TH"}
    )
    assert mac_roman.json()["total"] >= 5
    assert "lèse" in mac_roman.json()["items"][0]["text"].lower()


async def test_reimporting_a_real_file_changes_nothing(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    path = UPR_INFO_DATA / "sessions-1-5.csv"
    first = await _import(client, actors, path)
    again = await _import(client, actors, path)

    assert again["created"] == 0
    assert again["unchanged"] == first["created"]
    assert again["rejected"] == first["rejected"]
