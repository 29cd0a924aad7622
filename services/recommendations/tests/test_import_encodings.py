"""Imports of files a spreadsheet saved as "Unicode text" and other encodings and separators.

Each upload is the real UHRI sample (tests/data/uhri_sample.csv) written again as a
spreadsheet would: so every variant must give the very report the original gives.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import AsyncIterator

import httpx
import pytest

from localrights_recommendations.domain.importing.encodings import (
    Transcoder,
    UploadEncoding,
    sniff_encoding,
)
from localrights_recommendations.domain.importing.streams import sniff_separator

from .conftest import SAMPLES, Actors, upload

SAMPLE = (SAMPLES / "uhri_sample.csv").read_bytes()


def _rows() -> list[list[str]]:
    return list(csv.reader(io.StringIO(SAMPLE.decode("utf-8"), newline="")))


def saved_as(encoding: str, *, separator: str = "\t", bom: bytes = b"") -> bytes:
    """The sample as a spreadsheet writes it: CRLF line ends, the separator, the encoding."""
    out = io.StringIO()
    csv.writer(out, delimiter=separator, lineterminator="\r\n").writerows(_rows())
    return bom + out.getvalue().encode(encoding)


UNICODE_TEXT = saved_as("utf-16-le", bom=codecs.BOM_UTF16_LE)  # Excel's "Unicode Text (*.txt)"


def _outcome(report: dict[str, object]) -> tuple[object, ...]:
    reasons = {row["line"]: row["reason"] for row in report["rejected_rows"]}  # type: ignore[attr-defined, index]
    return (report["source_format"], report["rows"], report["rejected"], reasons)


@pytest.fixture
async def expected(client: httpx.AsyncClient, actors: Actors) -> tuple[object, ...]:
    """What the original comma-separated UTF-8 sample gives (imported once, then again)."""
    response = await upload(client, actors.ministry, SAMPLE)
    assert response.status_code == 200, response.text
    return _outcome(response.json())


async def test_the_report_names_the_encoding_and_separator(
    client: httpx.AsyncClient, actors: Actors
) -> None:
    report = (await upload(client, actors.ministry, SAMPLE)).json()
    assert (report["encoding"], report["separator"], report["byte_order_mark"]) == (
        "utf-8",
        "comma",
        False,
    )


class TestUnicodeText:
    @pytest.mark.parametrize("encoding", ["auto", "utf-16", "utf-16-le"])
    async def test_a_spreadsheets_unicode_text_imports_as_the_csv_does(
        self, client: httpx.AsyncClient, actors: Actors, expected: tuple[object, ...], encoding: str
    ) -> None:
        response = await upload(client, actors.ministry, UNICODE_TEXT, encoding=encoding)
        assert response.status_code == 200, response.text
        report = response.json()
        assert _outcome(report) == expected
        assert report["unchanged"] == 4  # the same four recommendations, read the same way
        assert (report["encoding"], report["separator"], report["byte_order_mark"]) == (
            "utf-16-le",
            "tab",
            True,
        )
        assert report["decoded_lines"] == {"utf-16-le": 21}

    @pytest.mark.parametrize(
        ("body", "encoding", "bom"),
        [
            (saved_as("utf-16-be", bom=codecs.BOM_UTF16_BE), "utf-16-be", True),
            (saved_as("utf-16-le"), "utf-16-le", False),  # no byte order mark: from the NULs
            (saved_as("utf-16-be"), "utf-16-be", False),
            (saved_as("utf-32-le", bom=codecs.BOM_UTF32_LE), "utf-32-le", True),
            (saved_as("utf-32-be", bom=codecs.BOM_UTF32_BE), "utf-32-be", True),
            (saved_as("utf-8", bom=codecs.BOM_UTF8), "utf-8", True),
        ],
        ids=[
            "utf-16-be",
            "utf-16-le-no-bom",
            "utf-16-be-no-bom",
            "utf-32-le",
            "utf-32-be",
            "utf-8-bom",
        ],
    )
    async def test_every_byte_order_mark_and_bomless_utf16_is_recognised(
        self,
        client: httpx.AsyncClient,
        actors: Actors,
        expected: tuple[object, ...],
        body: bytes,
        encoding: str,
        bom: bool,
    ) -> None:
        response = await upload(client, actors.ministry, body)
        assert response.status_code == 200, response.text
        report = response.json()
        assert _outcome(report) == expected
        assert (report["encoding"], report["byte_order_mark"]) == (encoding, bom)

    async def test_streamed_in_odd_sized_chunks(
        self, client: httpx.AsyncClient, actors: Actors, expected: tuple[object, ...]
    ) -> None:
        """Chunks that split a UTF-16 character, a CRLF and the byte order mark itself."""

        async def chunks() -> AsyncIterator[bytes]:
            for start in range(0, len(UNICODE_TEXT), 333):
                yield UNICODE_TEXT[start : start + 333]

        response = await client.post(
            "/api/v1/recommendations/import",
            content=chunks(),
            headers={**actors.ministry, "content-type": "text/plain"},
        )
        assert response.status_code == 200, response.text
        assert _outcome(response.json()) == expected

    async def test_a_broken_utf16_upload_gets_a_422_naming_the_byte(
        self, client: httpx.AsyncClient, actors: Actors
    ) -> None:
        broken = UNICODE_TEXT[:100] + b"\x00\xd8" + UNICODE_TEXT[100:]  # lone surrogate
        response = await upload(client, actors.ministry, broken, encoding="utf-16")
        assert response.status_code == 422, response.text
        assert "not valid utf-16-le at byte 101" in response.json()["detail"]


class TestSeparators:
    @pytest.mark.parametrize(("separator", "name"), [(";", "semicolon"), ("\t", "tab")])
    async def test_the_separator_is_found_in_the_header(
        self,
        client: httpx.AsyncClient,
        actors: Actors,
        expected: tuple[object, ...],
        separator: str,
        name: str,
    ) -> None:
        body = saved_as("utf-8", separator=separator)
        response = await upload(client, actors.ministry, body)
        assert response.status_code == 200, response.text
        report = response.json()
        assert _outcome(report) == expected
        assert (report["encoding"], report["separator"]) == ("utf-8", name)


class TestSniffing:
    """The rules alone, no infrastructure."""

    @pytest.mark.parametrize(
        ("head", "declared", "expected"),
        [
            (UNICODE_TEXT, "auto", UploadEncoding("utf-16-le", True, True)),
            (UNICODE_TEXT, "utf-16", UploadEncoding("utf-16-le", True, True)),
            (UNICODE_TEXT, "cp1252", UploadEncoding("utf-16-le", True, True)),  # the mark wins
            (saved_as("utf-16-le"), "utf-16", UploadEncoding("utf-16-le", False, True)),
            (saved_as("utf-16-be"), "utf-16", UploadEncoding("utf-16-be", False, True)),
            (saved_as("utf-16-be"), "auto", UploadEncoding("utf-16-be", False, True)),
            (b"\xff\xfe\x00\x00T\x00\x00\x00", "auto", UploadEncoding("utf-32-le", True, True)),
            (b"\x00\x00\xfe\xff\x00\x00\x00T", "auto", UploadEncoding("utf-32-be", True, True)),
            (codecs.BOM_UTF8 + b"Text,To", "auto", UploadEncoding("auto", True, False)),
            (codecs.BOM_UTF8 + b"Text,To", "utf-8", UploadEncoding("utf-8", True, False)),
            (SAMPLE, "auto", UploadEncoding("auto")),
            (SAMPLE, "latin-1", UploadEncoding("iso8859-1")),
            (SAMPLE, "utf-32", UploadEncoding("utf-32-le", False, True)),
            ("Text,To".encode("cp037"), "cp037", UploadEncoding("cp037", False, True)),
            ("l\x8fse majest\x8e, T".encode("latin-1"), "auto", UploadEncoding("auto")),
        ],
    )
    def test_the_encoding_of_an_upload(
        self, head: bytes, declared: str, expected: UploadEncoding
    ) -> None:
        assert sniff_encoding(head, declared) == expected

    def test_an_unknown_encoding_name_is_a_lookup_error(self) -> None:
        with pytest.raises(LookupError):
            sniff_encoding(SAMPLE, "klingon")

    @pytest.mark.parametrize(
        ("header", "separator"),
        [
            ("Text,Countries Concerned,Reccomending Body", ","),
            ("Text\tCountries Concerned\tReccomending Body", "\t"),
            ("Text;Countries Concerned;Reccomending Body", ";"),
            ('"Text; or not",Countries,Body', ","),
            ('"a,b"\t"c,d"\te', "\t"),
            ("Text", ","),
        ],
    )
    def test_the_separator_of_a_header(self, header: str, separator: str) -> None:
        assert sniff_separator(header) == separator

    def test_the_transcoder_takes_any_chunking(self) -> None:
        transcoder = Transcoder(sniff_encoding(UNICODE_TEXT))
        out = b"".join(transcoder.feed(UNICODE_TEXT[i : i + 1]) for i in range(len(UNICODE_TEXT)))
        out += transcoder.finish()
        assert out == saved_as("utf-8")

    def test_a_truncated_last_character_is_an_error(self) -> None:
        transcoder = Transcoder(UploadEncoding("utf-16-le"))
        transcoder.feed(b"T\x00e")
        with pytest.raises(ValueError, match="not valid utf-16-le at byte 3"):
            transcoder.finish()
