"""Rules without infrastructure: decoding, record assembly, cell values, countries, SDGs."""

from __future__ import annotations

import datetime as dt
from importlib import resources

import pytest

from localrights.csvsafe import safe_cell as spreadsheet_safe
from localrights_recommendations.domain import sdg
from localrights_recommendations.domain.countries import country_code, is_jurisdiction_of
from localrights_recommendations.domain.exercises import is_invited, jurisdiction_covers
from localrights_recommendations.domain.importing import (
    CsvRecordReader,
    JsonRecordReader,
    LineDecoder,
    RowRejected,
)
from localrights_recommendations.domain.importing import values as v


class TestLineDecoder:
    @pytest.mark.parametrize(
        ("raw", "expected", "encoding"),
        [
            ("lèse-majesté".encode(), "lèse-majesté", "utf-8"),
            ("lèse-majesté".encode("mac_roman"), "lèse-majesté", "mac_roman"),
            ("coup d'état".encode("mac_roman"), "coup d'état", "mac_roman"),
            ("Defensoría".encode("mac_roman"), "Defensoría", "mac_roman"),
            ("the State’s report".encode("cp1252"), "the State’s report", "cp1252"),
            ("don’t".encode("cp1252"), "don’t", "cp1252"),
            ("Élysée café".encode("cp1252"), "Élysée café", "cp1252"),
            ("España".encode("cp1252"), "España", "cp1252"),
        ],
    )
    def test_each_line_gets_the_encoding_that_reads_as_text(
        self, raw: bytes, expected: str, encoding: str
    ) -> None:
        decoder = LineDecoder()
        assert decoder.decode(raw) == expected
        assert dict(decoder.used) == {encoding: 1}

    def test_a_named_encoding_is_strict(self) -> None:
        with pytest.raises(RowRejected, match="not valid utf-8 at column 2"):
            LineDecoder("utf-8").decode(b"l\x8fse")


class TestCsvRecordReader:
    def test_cr_line_ends_split_across_chunks_and_quoted_newlines(self) -> None:
        data = b'a,b\r1,"x, y"\r2,"multi\rline"\r\r3,z\r'
        reader = CsvRecordReader(LineDecoder())
        records = []
        for i in range(len(data)):  # one byte at a time: the worst chunking there is
            records += reader.feed(data[i : i + 1])
        records += reader.finish()
        assert [(r.line, r.fields) for r in records] == [
            (1, ["a", "b"]),
            (2, ["1", "x, y"]),
            (3, ["2", "multi\nline"]),
            (6, ["3", "z"]),
        ]

    def test_crlf_and_a_missing_final_line_end(self) -> None:
        reader = CsvRecordReader(LineDecoder())
        records = reader.feed(b"\xef\xbb\xbfa,b\r\n1,2\r") + reader.feed(b"\n3,4")
        records += reader.finish()
        assert [r.fields for r in records] == [["a", "b"], ["1", "2"], ["3", "4"]]

    def test_an_unterminated_quote_is_reported_at_its_line(self) -> None:
        reader = CsvRecordReader(LineDecoder())
        records = reader.feed(b'a,b\n1,"open\n2,3\n') + reader.finish()
        assert records[-1].line == 2 and records[-1].error == "unterminated quoted field"


class TestJsonRecordReader:
    def test_array_wrapper_and_lines_in_small_chunks(self) -> None:
        for body in (
            b'[{"a": 1},\n {"a": "\xc3\xa9"}, 3]',
            b'{"value": [{"a": 1},\n{"a": "\xc3\xa9"}, 3]}',
            b'{"a": 1}\n{"a": "\xc3\xa9"}\n3\n',
        ):
            reader = JsonRecordReader()
            records = []
            for i in range(0, len(body), 3):
                records += reader.feed(body[i : i + 3])
            records += reader.finish()
            assert [r.values for r in records[:2]] == [{"a": 1}, {"a": "é"}]
            assert records[1].line == 2
            assert records[2].error == "record 3 is not an object"

    def test_a_truncated_body_is_an_error(self) -> None:
        reader = JsonRecordReader()
        reader.feed(b'[{"a": ')
        with pytest.raises(ValueError, match="incomplete|invalid"):
            reader.finish()


class TestValues:
    def test_multi_value_cells(self) -> None:
        assert v.items("- Women\n- Girls") == ["Women", "Girls"]
        assert v.items("- SR on housing; - Special Procedures") == [
            "SR on housing",
            "Special Procedures",
        ]
        assert v.items("") == []

    def test_a_leading_paragraph_number_is_split_from_the_text(self) -> None:
        assert v.split_paragraph("114.35. Continue the reforms") == (
            "114.35",
            "Continue the reforms",
        )
        assert v.split_paragraph("23. The Committee") == ("23", "The Committee")
        assert v.split_paragraph("2030 Agenda targets") == (None, "2030 Agenda targets")

    def test_dates_are_read_in_every_way_un_sources_write_them(self) -> None:
        assert v.parse_date("2019-12-16") == dt.date(2019, 12, 16)
        assert v.parse_date("05/07/2023") == dt.date(2023, 7, 5)
        assert v.parse_date("45672") == dt.date(2025, 1, 15)
        assert v.parse_date("/Date(1577836800000)/") == dt.date(2020, 1, 1)
        with pytest.raises(RowRejected):
            v.parse_date("soon")

    def test_responses_are_normalised_and_sessions_give_the_upr_cycle(self) -> None:
        assert v.response("Accepted") == "supported"
        assert v.response("Supported in part") == "supported_in_part"
        assert v.response("") is None
        assert [v.upr_cycle(s) for s in (1, 12, 13, 26, 27, 40, 41)] == [1, 1, 2, 2, 3, 3, 4]

    def test_the_recommending_body_gives_the_mechanism_and_its_type(self) -> None:
        assert v.mechanism(["UPR"]) == ("upr", "UPR")
        assert v.mechanism(["cedaw"]) == ("treaty_body", "CEDAW")
        assert v.mechanism(["Special Procedures", "SR on water"]) == (
            "special_procedure",
            "SR on water",
        )
        with pytest.raises(RowRejected, match="unknown recommending body"):
            v.mechanism(["ILO"])


def test_country_names_as_un_sources_write_them() -> None:
    assert [
        country_code(n)
        for n in (
            "Viet Nam",
            "Macedonia FYR",
            "Palestine",
            "Bolivia (Plurinational State of)",
            "St Vincent & the Grenadines",
            "Türkiye",
            "Holy See",
        )
    ] == ["VN", "MK", "PS", "BO", "VC", "TR", "VA"]
    assert country_code("&#40;Unknown&#41;") is None
    assert is_jurisdiction_of("UY-MO", "UY") and not is_jurisdiction_of("UY-XX", "UY")


def test_the_sdg_taxonomy_has_169_targets_and_normalises_their_spellings() -> None:
    assert len(sdg.targets()) == 169 and len(sdg.goals("es")) == 17
    assert sdg.normalise_targets(["1.4 - Equal rights", "SDG 16.B", "18.1"]) == (
        ["1.4", "16.b"],
        ["18.1"],
    )


def test_the_sdg_data_ships_with_its_mit_notice() -> None:
    data = resources.files("localrights_recommendations") / "data" / "sdg"
    notice = (data / "LICENSE").read_text()
    assert notice.startswith("MIT License") and "Copyright (c) 2019 Open SDG" in notice
    assert "LICENSE" in (data / "README.md").read_text()
    # The official short text, as served and as validated against.
    assert sdg.targets()["5.2"].title.startswith("Eliminate all forms of violence against")


def test_invitation_by_institution_or_jurisdiction() -> None:
    from uuid import uuid4

    named = uuid4()
    assert jurisdiction_covers("UY", "UY-CA") and not jurisdiction_covers("UY-C", "UY-CA")
    kwargs = {"invited_institution_ids": [named], "invited_jurisdictions": ["UY-CA"]}
    assert is_invited(institution_id=named, jurisdiction="UY-RV", **kwargs)  # type: ignore[arg-type]
    assert is_invited(institution_id=uuid4(), jurisdiction="UY-CA", **kwargs)  # type: ignore[arg-type]
    assert not is_invited(institution_id=uuid4(), jurisdiction="UY-RV", **kwargs)  # type: ignore[arg-type]
    assert not is_invited(institution_id=None, jurisdiction="UY-CA", **kwargs)  # type: ignore[arg-type]


def test_spreadsheet_formulas_are_neutralised() -> None:
    assert [spreadsheet_safe(x) for x in ("=1+1", "+A1", "-2", "@SUM", "plain", None)] == [
        "'=1+1",
        "'+A1",
        "'-2",
        "'@SUM",
        "plain",
        "",
    ]
