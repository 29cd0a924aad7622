"""The one registry of event types and topics.

Every event the platform emits is declared here once: its dotted type, the topic it goes
to, the payload field that keys it (so one aggregate's events stay ordered), its schema
version, its pydantic model, a one-line description and an example. The AsyncAPI document,
the webhook event-type catalogue and the contract tests are generated from this registry.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict

from localrights.events.envelope import Envelope, parse_schema_urn, schema_urn

# Topics, one per producing service and aggregate family.
CONSULTATION_EVENTS = "consultation.events"
ALERT_EVENTS = "alert.events"
RECOMMENDATION_EVENTS = "recommendation.events"
EXERCISE_EVENTS = "exercise.events"
INSTITUTION_EVENTS = "institution.events"

DLQ_SUFFIX = ".dlq"


def dlq_topic(topic: str) -> str:
    """Dead-letter topic of a topic."""
    return f"{topic}{DLQ_SUFFIX}"


class EventPayload(BaseModel):
    """Base of every event payload: frozen facts, unknown fields refused at the producer."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class UnknownEventType(LookupError):
    """An event type or schema version that is not in the registry."""


@dataclass(frozen=True)
class EventType:
    """Everything the platform knows about one kind of event."""

    type: str
    topic: str
    key: str
    version: int
    model: builtins.type[EventPayload]
    description: str
    example: EventPayload
    producer: str
    # Older payload versions still accepted from the topic, by version number.
    older_versions: Mapping[int, builtins.type[EventPayload]] = field(default_factory=dict)

    @property
    def dataschema(self) -> str:
        return schema_urn(self.type, self.version)

    def model_for(self, version: int) -> builtins.type[EventPayload]:
        if version == self.version:
            return self.model
        try:
            return self.older_versions[version]
        except KeyError:
            raise UnknownEventType(f"{self.type} has no schema version {version}") from None


_BY_TYPE: dict[str, EventType] = {}
_BY_MODEL: dict[type[EventPayload], EventType] = {}


def register(event_type: EventType) -> EventType:
    """Add an event type; each type and each model may be registered once."""
    if event_type.type in _BY_TYPE:
        raise ValueError(f"event type {event_type.type} is registered twice")
    if event_type.key not in event_type.model.model_fields:
        raise ValueError(f"{event_type.type}: key field {event_type.key!r} is not in the model")
    if not isinstance(event_type.example, event_type.model):
        raise ValueError(f"{event_type.type}: the example is not a {event_type.model.__name__}")
    _BY_TYPE[event_type.type] = event_type
    _BY_MODEL[event_type.model] = event_type
    return event_type


def get_event_type(name: str) -> EventType:
    try:
        return _BY_TYPE[name]
    except KeyError:
        raise UnknownEventType(f"unknown event type {name!r}") from None


def event_type_of(payload: EventPayload) -> EventType:
    try:
        return _BY_MODEL[type(payload)]
    except KeyError:
        raise UnknownEventType(f"{type(payload).__name__} is not a registered event") from None


def all_event_types() -> Iterator[EventType]:
    return iter(sorted(_BY_TYPE.values(), key=lambda et: et.type))


def all_topics() -> list[str]:
    return sorted({et.topic for et in _BY_TYPE.values()})


def new_event(payload: EventPayload, *, source: str, request_id: str | None = None) -> Envelope:
    """Wrap a payload in the envelope its registry entry prescribes."""
    event_type = event_type_of(payload)
    return Envelope(
        source=source,
        type=event_type.type,
        subject=str(getattr(payload, event_type.key)),
        dataschema=event_type.dataschema,
        requestid=request_id,
        data=payload.model_dump(mode="json"),
    )


def parse_payload(envelope: Envelope) -> EventPayload:
    """Validate an envelope's data against the model of its type and schema version."""
    event_type = get_event_type(envelope.type)
    schema_type, version = parse_schema_urn(envelope.dataschema)
    if schema_type != envelope.type:
        raise UnknownEventType(f"dataschema {envelope.dataschema} does not match {envelope.type}")
    return event_type.model_for(version).model_validate(envelope.data)


def key_of(envelope: Envelope) -> bytes:
    """Kafka message key: the aggregate id, so one aggregate's events stay in order."""
    return (envelope.subject or envelope.id).encode()


def example_envelope(event_type: EventType) -> Envelope:
    """The registered example wrapped as it would travel."""
    return new_event(event_type.example, source=f"/{event_type.producer}")


def json_schema(event_type: EventType) -> dict[str, Any]:
    return event_type.model.model_json_schema()
