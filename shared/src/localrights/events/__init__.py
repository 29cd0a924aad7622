"""Events: the envelope, the registry, and (in ``catalog``) every event type of the platform."""

from localrights.events import catalog as _catalog  # noqa: F401  (fills the registry)
from localrights.events.envelope import Envelope, schema_urn
from localrights.events.registry import (
    ALERT_EVENTS,
    CONSULTATION_EVENTS,
    EXERCISE_EVENTS,
    FOLLOW_UP_EVENTS,
    INDICATOR_EVENTS,
    INSTITUTION_EVENTS,
    RECOMMENDATION_EVENTS,
    SUBSCRIPTION_EVENTS,
    EventPayload,
    EventType,
    UnknownEventType,
    all_event_types,
    all_topics,
    dlq_topic,
    event_type_of,
    get_event_type,
    key_of,
    new_event,
    parse_payload,
)

__all__ = [
    "ALERT_EVENTS",
    "CONSULTATION_EVENTS",
    "EXERCISE_EVENTS",
    "FOLLOW_UP_EVENTS",
    "INDICATOR_EVENTS",
    "INSTITUTION_EVENTS",
    "RECOMMENDATION_EVENTS",
    "SUBSCRIPTION_EVENTS",
    "Envelope",
    "EventPayload",
    "EventType",
    "UnknownEventType",
    "all_event_types",
    "all_topics",
    "dlq_topic",
    "event_type_of",
    "get_event_type",
    "key_of",
    "new_event",
    "parse_payload",
    "schema_urn",
]
