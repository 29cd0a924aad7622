"""Personal data never goes on a topic: no registered schema has a field that would hold it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from uuid import UUID

from localrights.events.registry import EventPayload, all_event_types

# Words that, as a part of a field name, mean the field would hold something about a person.
PERSONAL_WORDS = frozenset(
    {
        # who someone is
        "name", "names", "firstname", "lastname", "surname", "fullname", "username", "person",
        "user", "resident", "respondent", "birth", "birthday", "dob", "age", "gender", "sex",
        "nationality", "ethnicity", "religion", "disability", "health", "passport", "ssn",
        # how to reach someone
        "email", "mail", "phone", "mobile", "telephone", "address", "street", "postcode", "zip",
        # what identifies a device or a session
        "ip", "useragent", "agent", "device", "cookie", "client", "latitude", "longitude",
        # secrets and the one-time participation codes
        "password", "passcode", "secret", "token", "code", "codes", "otp",
        # what residents wrote
        "answer", "answers", "response", "text", "comment", "comments", "message", "free",
    }
)  # fmt: skip

# Reviewed exceptions: (event type, field path) -> why it is not personal data.
ALLOWED = {
    ("institution.registered", "name"): "an organisation's name (a municipality, a commission)",
    ("institution.updated", "name"): "an organisation's name (a municipality, a commission)",
    ("follow_up.status_returned", "comment"): "a ministry's reason for returning a reported "
    "status, written by its officer about the institution's work, never about a resident",
}

# Fields whose names contain a listed word but count things rather than hold them.
COUNTS = re.compile(r"_(count|counts)$")

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
# International numbers, and national ones written in groups (dates and ids do not match).
PHONE = re.compile(r"\+\d[\d\s().-]{7,}\d|\b\d{2,4}[\s.]\d{3}[\s.]\d{3,4}\b")


def field_paths(schema: dict[str, Any], root: dict[str, Any], prefix: str = "") -> Iterator[str]:
    """Every property path in a schema, through references, arrays and unions."""
    if "$ref" in schema:
        target: Any = root
        for part in schema["$ref"][2:].split("/"):
            target = target[part]
        yield from field_paths(target, root, prefix)
        return
    for name, sub in schema.get("properties", {}).items():
        path = f"{prefix}{name}"
        yield path
        yield from field_paths(sub, root, f"{path}.")
    for keyword in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(keyword, ()):
            yield from field_paths(sub, root, prefix)
    for keyword in ("items", "additionalProperties"):
        if isinstance(schema.get(keyword), dict):
            yield from field_paths(schema[keyword], root, prefix)


def words(path: str) -> set[str]:
    last = path.rsplit(".", 1)[-1]
    parts = set(re.split(r"[_\-]", last.lower())) | {last.lower().replace("_", "")}
    return parts


def personal_fields(event_type: str, model: type[EventPayload]) -> list[str]:
    """Field paths of a payload model that look personal and are not allow-listed."""
    schema = model.model_json_schema()
    return sorted(
        path
        for path in set(field_paths(schema, schema))
        if words(path) & PERSONAL_WORDS
        and not COUNTS.search(path)
        and (event_type, path) not in ALLOWED
    )


class TestNoPersonalDataOnTopics:
    def test_no_registered_schema_has_a_personal_field(self) -> None:
        found = {
            f"{et.type} v{version}": fields
            for et in all_event_types()
            for version in et.versions
            if (fields := personal_fields(et.type, et.model_for(version)))
        }
        assert found == {}, (
            "these event fields would put personal data on a topic; carry ids or counts "
            f"instead, or (for organisations) add a reviewed entry to ALLOWED: {found}"
        )

    def test_no_example_holds_an_email_address_or_phone_number(self) -> None:
        for et in all_event_types():
            for version in et.versions:
                text = json.dumps(et.example_for(version).model_dump(mode="json"))
                assert not EMAIL.search(text), f"{et.type} v{version} example has an e-mail"
                assert not PHONE.search(text), f"{et.type} v{version} example has a phone number"

    def test_every_allow_listed_field_still_exists(self) -> None:
        by_type = {et.type: et for et in all_event_types()}
        for event_type, path in ALLOWED:
            schema = by_type[event_type].model.model_json_schema()
            assert path in set(field_paths(schema, schema)), (event_type, path)


class ContactDetails(EventPayload):
    """What a payload must never look like."""

    consultation_id: UUID
    response_count: int
    contact_email: str
    answers: list[dict[str, str]]
    name: str
    participation_code: str | None = None


class TestTheScanner:
    def test_it_flags_personal_fields_and_spares_counts(self) -> None:
        assert personal_fields("consultation.test", ContactDetails) == [
            "answers",
            "contact_email",
            "name",
            "participation_code",
        ]

    def test_an_allowance_is_per_event_type(self) -> None:
        assert "name" in personal_fields("consultation.opened", ContactDetails)
