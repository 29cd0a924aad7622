"""The two column sets: OHCHR's Universal Human Rights Index and UPR Info's database.

A parser is built from the header (CSV) or takes JSON objects, and turns one row into
records or raises ``RowRejected`` with the reason. See FORMATS.md for the columns.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Mapping
from typing import Any, Protocol

from localrights_recommendations.domain import sdg
from localrights_recommendations.domain.countries import country_code
from localrights_recommendations.domain.importing import values as v
from localrights_recommendations.domain.importing.records import (
    ParsedRow,
    RecommendationRecord,
    RowRejected,
)

SOURCE_FORMATS = ("uhri_csv", "uhri_json", "upr_info_csv")

# Canonical field -> header names as exports write them (lower case; OHCHR's typos kept).
UHRI_COLUMNS: dict[str, tuple[str, ...]] = {
    "text": ("text", "recommendation", "recommendation text"),
    "countries": ("countries concerned", "country concerned", "countries", "country"),
    "body": ("reccomending body", "recommending body", "body", "mechanism"),
    "symbol": ("document symbol", "symbol"),
    "themes": ("themes", "theme"),
    "affected": ("affected persons", "affected groups", "affectedpersons"),
    "sdgs": ("sdgs", "sdg", "sdg targets"),
    "date": ("document publication date", "publication date", "publicationdate"),
    "upr_states": (
        "upr reccomending states",
        "upr recommending states",
        "upr reccomending state",
        "upr recommending state",
        "recommending states",
        "uprrecommendingstates",
    ),
    "upr_position": ("upr position", "position", "uprposition"),
    "type": ("type", "annotation type", "annotationtype"),
    "annotation_id": ("ohchr annotation id", "annotation id", "annotationid"),
    "upr_session": ("upr session", "session", "uprsession"),
}
UHRI_REQUIRED = ("text", "countries", "body", "annotation_id")
UPR_INFO_COLUMNS = (
    "To",
    "To-Rgrp",
    "To-Org",
    "Text",
    "From",
    "From-Rgrp",
    "From-Org",
    "Response",
    "Action",
    "Issue",
    "Session",
)
UPR_INFO_REQUIRED = ("to", "text", "from", "response", "session")
UNKNOWN_NAMES = frozenset({"(unknown)", "unknown", ""})


def _header_key(name: str) -> str:
    return " ".join(name.strip().lstrip("\ufeff").lower().split())


class RowParser(Protocol):
    source_format: str

    def parse(self, fields: list[str] | None, values: Mapping[str, Any] | None) -> ParsedRow: ...


def detect_csv_format(header: list[str]) -> str:
    """Which column set a CSV header is, or ValueError naming what is missing."""
    keys = {_header_key(h) for h in header}
    if all(name in keys for name in UPR_INFO_REQUIRED):
        return "upr_info_csv"
    uhri = {canonical for canonical, aliases in UHRI_COLUMNS.items() if keys & set(aliases)}
    if all(name in uhri for name in UHRI_REQUIRED):
        return "uhri_csv"
    raise ValueError(
        "the header matches neither the UHRI export (needs Text, Countries Concerned, "
        "Reccomending Body, OHCHR Annotation Id) nor UPR Info's (needs To, Text, From, "
        f"Response, Session); found: {', '.join(header[:20])}"
    )


def parser_for(source_format: str, header: list[str] | None = None) -> RowParser:
    if source_format == "upr_info_csv":
        return UprInfoParser(header or list(UPR_INFO_COLUMNS))
    if source_format in ("uhri_csv", "uhri_json"):
        return UhriParser(source_format, header)
    raise ValueError(f"unknown source format {source_format!r}")


def _codes(names: list[str], parsed: ParsedRow, what: str) -> list[str]:
    codes: list[str] = []
    for name in names:
        if html.unescape(name).strip().lower() in UNKNOWN_NAMES:
            parsed.warnings.append(f"{what} not recorded in the source")
            continue
        code = country_code(name)
        if code is None:
            parsed.unknown_countries.append(name)
            parsed.warnings.append(f"unknown {what} {name!r}")
        elif code not in codes:
            codes.append(code)
    return codes


class UhriParser:
    """UHRI Excel/CSV export rows (by header) or UHRI data API JSON objects."""

    def __init__(self, source_format: str, header: list[str] | None) -> None:
        self.source_format = source_format
        self._positions: dict[str, int] = {}
        if header is not None:
            for index, name in enumerate(header):
                key = _header_key(name)
                for canonical, aliases in UHRI_COLUMNS.items():
                    if key in aliases and canonical not in self._positions:
                        self._positions[canonical] = index
            missing = [c for c in UHRI_REQUIRED if c not in self._positions]
            if missing:
                raise ValueError(f"UHRI header lacks the columns: {', '.join(missing)}")
        self._json_keys = {
            alias.replace(" ", ""): canonical
            for canonical, aliases in UHRI_COLUMNS.items()
            for alias in aliases
        }

    def _cells_from_json(self, values: Mapping[str, Any]) -> dict[str, list[str]]:
        cells: dict[str, list[str]] = {}
        for key, value in values.items():
            canonical = self._json_keys.get(key.lower().replace(" ", "").replace("_", ""))
            if canonical is None or canonical in cells:
                continue
            cells[canonical] = _json_values(value)
        return cells

    def _cells_from_csv(self, fields: list[str]) -> dict[str, list[str]]:
        cells: dict[str, list[str]] = {}
        for canonical, index in self._positions.items():
            cell = fields[index] if index < len(fields) else ""
            single = canonical in ("text", "symbol", "date", "annotation_id", "upr_session")
            cells[canonical] = [cell] if single else v.items(cell)
        return cells

    def parse(self, fields: list[str] | None, values: Mapping[str, Any] | None) -> ParsedRow:
        if values is not None:
            cells = self._cells_from_json(values)
        else:
            if not fields or len(fields) < len(self._positions):
                raise RowRejected(
                    f"expected at least {len(self._positions)} fields, found {len(fields or [])}"
                )
            cells = self._cells_from_csv(fields)
        first = {k: (vals[0].strip() if vals else "") for k, vals in cells.items()}
        kind = first.get("type", "")
        if kind and "recommendation" not in kind.lower():
            raise RowRejected(f"Type {kind!r} is not a recommendation")
        annotation_id = first.get("annotation_id", "").lower()
        if not annotation_id or len(annotation_id) > 100:
            raise RowRejected("missing OHCHR Annotation Id")
        paragraph, text = v.split_paragraph(v.recommendation_text(first.get("text")))
        mechanism_type, mechanism = v.mechanism(cells.get("body", []))
        parsed = ParsedRow(records=[])
        countries = _codes(cells.get("countries", []), parsed, "country concerned")
        if not countries:
            names = ", ".join(cells.get("countries", [])) or "none"
            raise RowRejected(
                f"no known country concerned ({names})",
                unknown_countries=parsed.unknown_countries,
            )
        targets, unknown_targets = sdg.normalise_targets(cells.get("sdgs", []))
        if unknown_targets:
            raise RowRejected(f"unknown SDG target {unknown_targets[0]!r}")
        session = v.session_number(first.get("upr_session"), required=False)
        is_upr = mechanism_type == "upr"
        raw_date = values.get("PublicationDate") if values is not None else None
        common: dict[str, Any] = {
            "source": "uhri",
            "mechanism_type": mechanism_type,
            "mechanism": mechanism,
            "text": text,
            "paragraph": paragraph,
            "document_symbol": first.get("symbol") or None,
            "date": v.parse_date(
                raw_date if isinstance(raw_date, int | float) else first.get("date")
            ),
            "session": str(session) if session is not None else None,
            "cycle": v.upr_cycle(session) if is_upr and session is not None else None,
            "response": v.response(first.get("upr_position")) if is_upr else None,
            "recommending_states": tuple(
                _codes(cells.get("upr_states", []), parsed, "recommending state")
            )
            if is_upr
            else (),
            "themes": v.bounded(cells.get("themes", []), "Themes"),
            "affected_groups": v.bounded(cells.get("affected", []), "Affected Persons"),
            "sdg_targets": tuple(targets),
        }
        # One UHRI annotation may concern several countries: one record per country.
        parsed.records = [
            RecommendationRecord(natural_key=f"{annotation_id}:{code}", country=code, **common)
            for code in countries
        ]
        return parsed


_NAME_KEYS = ("Name", "name", "Title", "title", "Code", "code")


def _json_values(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        out = []
        for item in value:
            if isinstance(item, dict):
                item = next((item[k] for k in _NAME_KEYS if k in item), "")
            if str(item).strip():
                out.append(str(item).strip())
        return out
    if isinstance(value, str):
        return v.items(value) if value.lstrip().startswith("- ") else [value]
    return [str(value)]


_KEY_SPACE = re.compile(r"\s+")


def _normalised_text(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
    return _KEY_SPACE.sub(" ", text.casefold()).strip(" .;,")


class UprInfoParser:
    """UPR Info database export rows."""

    source_format = "upr_info_csv"

    def __init__(self, header: list[str]) -> None:
        self._width = len(header)
        self._index = {_header_key(name): i for i, name in enumerate(header)}
        missing = [c for c in UPR_INFO_REQUIRED if c not in self._index]
        if missing:
            raise ValueError(f"UPR Info header lacks the columns: {', '.join(missing)}")

    def _cell(self, fields: list[str], name: str) -> str:
        index = self._index.get(name)
        return fields[index].strip() if index is not None else ""

    def parse(self, fields: list[str] | None, values: Mapping[str, Any] | None) -> ParsedRow:
        if fields is None or values is not None:
            raise RowRejected("UPR Info rows come as CSV")
        if len(fields) != self._width:
            raise RowRejected(f"expected {self._width} fields, found {len(fields)}")
        parsed = ParsedRow(records=[])
        under_review = self._cell(fields, "to")
        country = country_code(under_review)
        if country is None:
            raise RowRejected(
                f"unknown country under review {under_review!r}",
                unknown_countries=[under_review],
            )
        text = v.recommendation_text(self._cell(fields, "text"))
        session = v.session_number(self._cell(fields, "session"), required=True)
        assert session is not None
        recommending = self._cell(fields, "from")
        states = _codes([recommending], parsed, "recommending state")
        action_cell = self._cell(fields, "action")
        action = int(action_cell) if action_cell in ("1", "2", "3", "4", "5") else None
        if action_cell and action is None:
            parsed.warnings.append(f"Action {action_cell!r} is not 1-5; left empty")
        # UPR Info has no id: the same state, session, recommending state and wording is
        # the same recommendation (whitespace, case and final punctuation aside).
        from_key = states[0] if states else _normalised_text(html.unescape(recommending))
        digest = hashlib.sha256(
            f"{country}|{session}|{from_key}|{_normalised_text(text)}".encode()
        ).hexdigest()[:32]
        issues = [i.strip() for i in self._cell(fields, "issue").split(",") if i.strip()]
        parsed.records.append(
            RecommendationRecord(
                source="upr_info",
                natural_key=digest,
                mechanism_type="upr",
                mechanism="UPR",
                country=country,
                text=text,
                cycle=v.upr_cycle(session),
                session=str(session),
                recommending_states=tuple(states),
                response=v.response(self._cell(fields, "response")),
                action_category=action,
                themes=v.bounded(list(dict.fromkeys(issues)), "Issue"),
            )
        )
        return parsed
