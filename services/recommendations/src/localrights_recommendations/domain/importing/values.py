"""Cell-level rules shared by the formats: lists, dates, paragraphs, responses, sessions."""

from __future__ import annotations

import datetime as dt
import re

from localrights_recommendations.domain.importing.records import RowRejected

MAX_TEXT = 20_000
MAX_VALUE = 300
MAX_VALUES = 60

TREATY_BODIES = frozenset(
    {
        "CAT",
        "CCPR",
        "CED",
        "CEDAW",
        "CERD",
        "CESCR",
        "CMW",
        "CRC",
        "CRC-OP-AC",
        "CRC-OP-SC",
        "CRPD",
        "SPT",
    }
)
SPECIAL_PROCEDURE_PREFIXES = ("SR ", "WG ", "IE ")

RESPONSES = {
    "supported": "supported",
    "accepted": "supported",
    "supported in part": "supported_in_part",
    "supported_in_part": "supported_in_part",
    "partially supported": "supported_in_part",
    "partially accepted": "supported_in_part",
    "noted": "noted",
    "rejected": "noted",
    "not supported": "noted",
}
_NO_RESPONSE = frozenset({"", "-", "pending", "no response", "unknown", "n/a"})

# "- Women\n- Girls", "- SR on housing; - Special Procedures"
_ITEM_SPLIT = re.compile(r"\r\n|\r|\n|;\s*(?=-\s)")
# "114.35. Continue ..." (UPR), "12. The Committee recommends ..." (treaty bodies)
_PARAGRAPH = re.compile(r"^\s*(?:(\d+(?:\.\d+)+)\.?|(\d+)\.)\s+(.*)$", re.S)
_SESSION = re.compile(
    r"^\s*(?:upr\s*(?:wg\s*)?(?:session\s*)?)?(\d{1,3})(?:st|nd|rd|th)?(?:\s*session)?\s*$", re.I
)
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_ODATA_DATE = re.compile(r"^/Date\((-?\d+)[^)]*\)/$")
_DATE_FORMATS = ("%d/%m/%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y")


def items(cell: str | None) -> list[str]:
    """The values of a multi-value cell, without the "- " bullets and blanks."""
    if not cell:
        return []
    values = []
    for part in _ITEM_SPLIT.split(cell):
        value = part.strip()
        if value.startswith("- ") or value == "-":
            value = value[1:].strip()
        if value and value not in values:
            values.append(value)
    return values


def bounded(values: list[str], what: str) -> tuple[str, ...]:
    """Values refused when absurdly many or long (a misaligned column, usually)."""
    if len(values) > MAX_VALUES:
        raise RowRejected(f"{what}: {len(values)} values, at most {MAX_VALUES} allowed")
    for value in values:
        if len(value) > MAX_VALUE:
            raise RowRejected(f"{what}: a value longer than {MAX_VALUE} characters")
    return tuple(values)


def recommendation_text(raw: str | None) -> str:
    text = (raw or "").strip()
    if not text:
        raise RowRejected("empty recommendation text")
    if len(text) > MAX_TEXT:
        raise RowRejected(f"recommendation text longer than {MAX_TEXT:,} characters")
    return text


def split_paragraph(text: str) -> tuple[str | None, str]:
    """The paragraph number that starts a UHRI text, and the text without it."""
    match = _PARAGRAPH.match(text)
    if match is None or not match[3].strip():
        return None, text
    return match[1] or match[2], match[3].strip()


def response(raw: str | None) -> str | None:
    """UPR response in the UN's vocabulary (UPR Info's "Accepted" means supported)."""
    key = " ".join((raw or "").lower().replace("-", " ").split())
    if key in _NO_RESPONSE:
        return None
    if key in RESPONSES:
        return RESPONSES[key]
    raise RowRejected(f"unknown UPR response {raw!r} (expected Supported, Noted or Accepted)")


def session_number(raw: str | None, *, required: bool) -> int | None:
    value = (raw or "").strip()
    if not value:
        if required:
            raise RowRejected("missing UPR session")
        return None
    match = _SESSION.match(value)
    if match is None or not 1 <= int(match[1]) <= 200:
        raise RowRejected(f"{value!r} is not a UPR session number")
    return int(match[1])


def upr_cycle(session: int) -> int:
    """UPR cycle of a Working Group session: 1-12 first cycle, then 14 sessions per cycle."""
    return 1 if session <= 12 else 2 + (session - 13) // 14


def parse_date(raw: str | float | int | None) -> dt.date | None:
    """A publication date as UHRI writes it: ISO, d/m/Y, an Excel serial, or OData's /Date()/."""
    if raw is None:
        return None
    if isinstance(raw, int | float):
        return _excel(float(raw))
    value = raw.strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        pass
    try:
        return _excel(float(value))
    except ValueError:
        pass
    odata = _ODATA_DATE.match(value)
    if odata:
        return dt.datetime.fromtimestamp(int(odata[1]) / 1000, tz=dt.UTC).date()
    for pattern in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise RowRejected(f"unreadable date {value!r}")


def _excel(serial: float) -> dt.date:
    # Excel serials of 1950-2100: anything else is not a date column.
    if not 18_264 <= serial <= 73_051:
        raise RowRejected(f"{serial!r} is not a date")
    return _EXCEL_EPOCH + dt.timedelta(days=int(serial))


def mechanism(bodies: list[str]) -> tuple[str, str]:
    """(mechanism type, mechanism) from UHRI's recommending-body values."""
    generic_special_procedure = False
    for body in bodies:
        upper = body.upper()
        if upper in ("UPR", "UNIVERSAL PERIODIC REVIEW"):
            return "upr", "UPR"
        if upper in TREATY_BODIES:
            return "treaty_body", upper
        if body.startswith(SPECIAL_PROCEDURE_PREFIXES):
            return "special_procedure", body
        if upper == "SPECIAL PROCEDURES":
            generic_special_procedure = True
    if generic_special_procedure:
        return "special_procedure", "Special Procedures"
    shown = ", ".join(bodies) or "none"
    raise RowRejected(f"unknown recommending body ({shown})")
