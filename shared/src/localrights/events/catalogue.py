"""The event catalogue as integrators read it: CloudEvent schemas, examples, webhook types.

Everything here is derived from the registry. The schema of an event is the schema of the
whole CloudEvent (structured JSON mode) with ``data`` as the payload model's schema, so a
receiver can validate a Kafka record's value or a webhook body in one step.
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, uuid5

from localrights.events import catalog as _catalog  # noqa: F401  (fills the registry)
from localrights.events.envelope import schema_urn
from localrights.events.registry import (
    EventPayload,
    EventType,
    consumers_of,
    webhook_event_types,
)

CLOUDEVENTS_CONTENT_TYPE = "application/cloudevents+json; charset=utf-8"
DEFS_REF = "#/$defs/{model}"


def payload_schema(
    event_type: EventType, version: int | None = None, *, ref_template: str = DEFS_REF
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(schema of the payload, the definitions it refers to) for one version."""
    model = event_type.model_for(event_type.version if version is None else version)
    schema = model.model_json_schema(mode="validation", ref_template=ref_template)
    definitions = schema.pop("$defs", {})
    return schema, definitions


def cloudevent_schema(
    event_type: EventType,
    version: int | None = None,
    *,
    data: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """JSON schema of the CloudEvent carrying one payload version (``data`` given or built)."""
    version = event_type.version if version is None else version
    definitions: dict[str, Any] = {}
    if data is None:
        data, definitions = payload_schema(event_type, version)
    key = event_type.key
    schema: dict[str, Any] = {
        "title": f"{event_type.type} (CloudEvent, dataschema v{version})",
        "description": event_type.description,
        "type": "object",
        "required": [
            "specversion",
            "id",
            "source",
            "type",
            "time",
            "subject",
            "datacontenttype",
            "dataschema",
            "data",
        ],
        "properties": {
            "specversion": {"type": "string", "const": "1.0"},
            "id": {
                "type": "string",
                "minLength": 1,
                "description": "Unique per event; receivers deduplicate on it",
            },
            "source": {
                "type": "string",
                "const": f"/{event_type.producer}",
                "description": "The producing service",
            },
            "type": {"type": "string", "const": event_type.type},
            "time": {"type": "string", "format": "date-time"},
            "subject": {
                "type": "string",
                "description": f"The aggregate id: data.{key}, also the Kafka message key",
            },
            "datacontenttype": {"type": "string", "const": "application/json"},
            "dataschema": {"type": "string", "const": schema_urn(event_type.type, version)},
            "requestid": {
                "type": "string",
                "description": "CloudEvents extension: the API request that caused the event",
            },
            "data": data,
        },
        # Extension attributes may be added later; receivers ignore the ones they do not know.
        "additionalProperties": True,
    }
    if definitions:
        schema["$defs"] = definitions
    return schema


def _example_time(example: EventPayload) -> datetime | None:
    for value in example.__dict__.values():
        if isinstance(value, datetime):
            return value
    return None


def example_cloudevent(event_type: EventType, version: int | None = None) -> dict[str, Any]:
    """The registered example as a receiver gets it (deterministic id and time)."""
    version = event_type.version if version is None else version
    example = event_type.example_for(version)
    when = _example_time(example)
    return {
        "specversion": "1.0",
        "id": str(uuid5(NAMESPACE_URL, f"urn:localrights:example:{event_type.type}:v{version}")),
        "source": f"/{event_type.producer}",
        "type": event_type.type,
        "time": (when.isoformat() if when else "2026-01-01T00:00:00+00:00").replace("+00:00", "Z"),
        "subject": str(getattr(example, event_type.key)),
        "datacontenttype": "application/json",
        "dataschema": schema_urn(event_type.type, version),
        "requestid": "5f0c6a52d3b94e0f8f3f1c2b7a9d4e61",
        "data": example.model_dump(mode="json"),
    }


def webhook_catalogue() -> list[dict[str, Any]]:
    """GET /api/v1/webhooks/event-types: what a webhook receiver may get, one entry per type."""
    return [
        {
            "name": et.type,
            "description": et.description,
            "version": et.version,
            "dataschema": et.dataschema,
            "accepted_versions": et.versions,
            "topic": et.topic,
            "producer": et.producer,
            "schema": cloudevent_schema(et),
            "example": example_cloudevent(et),
        }
        for et in webhook_event_types()
    ]


def consumer_group_names(event_type: EventType) -> list[str]:
    """Names of the platform's consumer groups that apply ``event_type``."""
    return [group.name for group in consumers_of(event_type.type)]


def deep_copy(value: dict[str, Any]) -> dict[str, Any]:
    """A copy callers may change without touching cached catalogue documents."""
    return copy.deepcopy(value)
