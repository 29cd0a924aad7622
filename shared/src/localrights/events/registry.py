"""The one registry of event types, topics and the consumer groups that read them.

Every event the platform emits is declared here once: its dotted type, the topic it goes
to, the payload field that keys it (so one aggregate's events stay ordered), its schema
version, its pydantic model, a one-line description, an example and the producing service.
Below them, ``CONSUMER_GROUPS`` declares which consumer group (one per service) handles
which event types, and ``WEBHOOK_EVENT_TYPES`` which events reach webhook subscribers. The
AsyncAPI document (``localrights.events.asyncapi``), the webhook event-type catalogue, the
schema snapshots (``localrights.events.compat``) and the contract tests are generated from
this module: adding an event means adding it here (in ``catalog/``), nowhere else.

Versioning rules (enforced by ``shared/tests/test_catalogue_compat.py`` against the
snapshots in ``events/schemas/<type>.v<N>.json``):

- Compatible, same version: adding an optional field (with a default), loosening a
  required field to optional, editing descriptions or examples. Refresh the snapshot with
  ``uv run python -m localrights.events.compat --write``.
- Incompatible, new version: removing or renaming a field, changing its type (narrowing
  or widening, ``None`` included), adding a required field, making an optional field
  required. Bump ``version`` (the ``dataschema`` becomes ``...:v<N+1>``), keep the old
  model as ``older_versions={N: OldModel}`` with ``older_examples={N: OldModel(...)}`` for
  as long as events of that version may still be on a topic (topic retention), and write
  the new snapshot; the old snapshot stays as it is.
- Consumers read tolerantly: fields they do not know are ignored (so an added optional
  field never breaks an older consumer), and they accept every version the registry
  declares (the current one and ``older_versions``); any other version is dead-lettered.
  Contract tests feed every consumer each declared version's example.
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
FOLLOW_UP_EVENTS = "follow_up.events"
INDICATOR_EVENTS = "indicator.events"
SUBSCRIPTION_EVENTS = "subscription.events"

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
    # Older payload versions still accepted from the topic, by version number, each with
    # an example that the contract tests feed to every consumer.
    older_versions: Mapping[int, builtins.type[EventPayload]] = field(default_factory=dict)
    older_examples: Mapping[int, EventPayload] = field(default_factory=dict)

    @property
    def dataschema(self) -> str:
        return schema_urn(self.type, self.version)

    @property
    def versions(self) -> list[int]:
        """Every schema version consumers accept, oldest first."""
        return sorted({*self.older_versions, self.version})

    def example_for(self, version: int) -> EventPayload:
        """The registered example of one accepted version."""
        if version == self.version:
            return self.example
        try:
            return self.older_examples[version]
        except KeyError:
            raise UnknownEventType(f"{self.type} has no example of version {version}") from None

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
    for version, model in event_type.older_versions.items():
        if version >= event_type.version:
            raise ValueError(f"{event_type.type}: older version {version} is not older")
        example = event_type.older_examples.get(version)
        if not isinstance(example, model):
            raise ValueError(f"{event_type.type}: older version {version} needs an example")
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
    """Validate an envelope's data against the model of its type and schema version.

    Tolerant reader: fields the model does not know are dropped first, so a producer that
    added an optional field (a compatible change) never breaks a consumer built before it.
    """
    event_type = get_event_type(envelope.type)
    schema_type, version = parse_schema_urn(envelope.dataschema)
    if schema_type != envelope.type:
        raise UnknownEventType(f"dataschema {envelope.dataschema} does not match {envelope.type}")
    model = event_type.model_for(version)
    known = {
        name
        for field_name, info in model.model_fields.items()
        for name in (field_name, info.alias)
        if name is not None
    }
    return model.model_validate({k: v for k, v in envelope.data.items() if k in known})


def key_of(envelope: Envelope) -> bytes:
    """Kafka message key: the aggregate id, so one aggregate's events stay in order."""
    return (envelope.subject or envelope.id).encode()


def example_envelope(event_type: EventType) -> Envelope:
    """The registered example wrapped as it would travel."""
    return new_event(event_type.example, source=f"/{event_type.producer}")


def json_schema(event_type: EventType) -> dict[str, Any]:
    return event_type.model.model_json_schema()


@dataclass(frozen=True)
class ConsumerGroup:
    """A consumer group: the service running it and the event types its handlers apply.

    The contract tests hold each service's ``handlers.EVENT_HANDLERS`` to exactly these
    types, so this declaration (and the AsyncAPI document built from it) cannot drift.
    """

    name: str
    service: str
    event_types: frozenset[str]
    description: str

    @property
    def topics(self) -> list[str]:
        """The topics the group subscribes to (those of its event types)."""
        return sorted({get_event_type(t).topic for t in self.event_types})


CONSUMER_GROUPS: tuple[ConsumerGroup, ...] = (
    ConsumerGroup(
        name="notifications",
        service="notifications",
        event_types=frozenset(
            {
                "alert.published",
                "alert.updated",
                "alert.cancelled",
                "alert.reminder_due",
                "consultation.opened",
                "exercise.opened",
                "exercise.closed",
                "exercise.reminder_sent",
                "institution.registered",
                "institution.updated",
                "follow_up.status_changed",
                "follow_up.status_returned",
                "indicator.observed",
                "indicator.update_due",
                "subscription.disabled",
            }
        ),
        description="Fans alerts, opened consultations, opened reporting exercises and their "
        "reminders out to subscribed institutions (webhook, e-mail, inbox); stops inviting "
        "to an exercise once it is closed; keeps a projection of institutions; tells an "
        "institution in its inbox and by e-mail that one of its subscriptions was disabled. "
        "Passes follow-up status changes, returns and indicator observations to their "
        "subscribers (those of an unpublished institution only to it and its country's "
        "ministries) and puts indicator update reminders in the responsible institution's "
        "inbox.",
    ),
    ConsumerGroup(
        name="recommendations",
        service="recommendations",
        event_types=frozenset(
            {
                "consultation.results_published",
                "institution.registered",
                "institution.updated",
                "exercise.input_submitted",
                "recommendation.imported",
            }
        ),
        description="Attaches published consultation results to local input on "
        "recommendations; keeps a projection of institutions; records each local input as an "
        "entry of the recommendation's implementation timeline in that place; suggests which "
        "newly imported recommendations repeat an earlier cycle's.",
    ),
)

# Events the notifications service delivers to webhook subscribers. The webhook body is the
# event's CloudEvent exactly as it travels on its topic (Standard Webhooks signature headers).
WEBHOOK_EVENT_TYPES: frozenset[str] = frozenset(
    {
        "alert.published",
        "alert.updated",
        "alert.cancelled",
        "alert.reminder_due",
        "consultation.opened",
        "exercise.opened",
        "exercise.reminder_sent",
        "follow_up.status_changed",
        "follow_up.status_returned",
        "indicator.observed",
        "indicator.update_due",
    }
)


def consumer_groups() -> tuple[ConsumerGroup, ...]:
    """Every declared consumer group."""
    return CONSUMER_GROUPS


def consumers_of(event_type: str) -> list[ConsumerGroup]:
    """The consumer groups whose handlers apply ``event_type``."""
    return [group for group in CONSUMER_GROUPS if event_type in group.event_types]


def webhook_event_types() -> list[EventType]:
    """The registered event types delivered to webhook subscribers, by name."""
    return [et for et in all_event_types() if et.type in WEBHOOK_EVENT_TYPES]
