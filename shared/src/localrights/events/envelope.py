"""The one event envelope: CloudEvents 1.0 attributes in structured JSON mode.

``dataschema`` names the payload model and its version
(``urn:localrights:event:consultation.opened:v1``), so a consumer can refuse a version it
does not understand instead of misreading it. ``requestid`` is a CloudEvents extension
attribute carrying the HTTP request id that caused the event, for tracing across services.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal
from uuid import uuid4

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_URN_PREFIX = "urn:localrights:event:"


def schema_urn(event_type: str, version: int) -> str:
    """The ``dataschema`` value of a payload version."""
    return f"{SCHEMA_URN_PREFIX}{event_type}:v{version}"


def parse_schema_urn(urn: str) -> tuple[str, int]:
    """Split a ``dataschema`` value into (event type, version); ValueError if foreign."""
    if not urn.startswith(SCHEMA_URN_PREFIX):
        raise ValueError(f"dataschema {urn!r} is not a Localrights event schema")
    event_type, _, version = urn[len(SCHEMA_URN_PREFIX) :].rpartition(":v")
    if not event_type or not version.isdigit():
        raise ValueError(f"dataschema {urn!r} has no version")
    return event_type, int(version)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Envelope(BaseModel):
    """A CloudEvent as it travels on a topic and in a webhook body."""

    model_config = ConfigDict(frozen=True, extra="allow")

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(default_factory=lambda: str(uuid4()))
    source: str = Field(description="URI reference of the producing service, e.g. /consultation")
    type: str = Field(description="Dotted past-tense fact, e.g. consultation.opened")
    time: datetime = Field(default_factory=utcnow)
    subject: str | None = Field(default=None, description="Id of the aggregate the event is about")
    datacontenttype: Literal["application/json"] = "application/json"
    dataschema: str
    requestid: str | None = Field(default=None, description="Request id that caused the event")
    data: dict[str, Any]

    @property
    def schema_version(self) -> int:
        return parse_schema_urn(self.dataschema)[1]

    def to_json_bytes(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode()
