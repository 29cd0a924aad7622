"""The AsyncAPI 3.0 document of the platform's topics, generated from the registry.

- channels: one per Kafka topic (``address`` is the topic name with the deployment's
  prefix), listing every message that may be on it, older accepted versions included;
- messages: CloudEvents in structured JSON mode: the payload schema is the whole envelope
  with ``data`` as the event's payload schema; the Kafka key (the aggregate id) is in the
  message's Kafka binding; each message has its registered example;
- operations: ``send`` by the producing service, ``receive`` by each consumer group that
  handles the event (with its group id in the Kafka binding);
- servers: the Kafka bootstrap servers of the deployment serving the document.

Run ``python -m localrights.events.asyncapi`` to print it.
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from typing import Any

from localrights.events.catalogue import (
    CLOUDEVENTS_CONTENT_TYPE,
    cloudevent_schema,
    example_cloudevent,
    payload_schema,
)
from localrights.events.registry import (
    EventType,
    all_event_types,
    consumer_groups,
    dlq_topic,
)

ASYNCAPI_VERSION = "3.0.0"
KAFKA_BINDING = "0.5.0"
SCHEMAS_REF = "#/components/schemas/{model}"
TOPIC_PARTITIONS = 3  # the default of KAFKA_TOPIC_PARTITIONS (a cluster may have more)

DESCRIPTION = """\
Facts the Localrights services publish on Kafka, one topic per producing service and
aggregate family. Every message is a CloudEvent 1.0 in structured JSON mode
(`content-type: application/cloudevents+json`); its Kafka key is the aggregate id (also the
CloudEvent `subject`), so one aggregate's events stay in order within a partition.
`dataschema` (`urn:localrights:event:<type>:v<N>`) names the payload version; an
incompatible change gets a new version, and consumers ignore fields they do not know.
Events carry ids, places, dates and aggregates, never personal data.
Integrators read with their own read-only consumer group (for example `ext-<yourname>`);
the same CloudEvents reach webhook subscribers (GET /api/v1/webhooks/event-types).
"""


def _ident(text: str) -> str:
    """An AsyncAPI component key (letters, digits, ``_``)."""
    return re.sub(r"[^A-Za-z0-9_]", "_", text)


def _channel_id(topic: str) -> str:
    return _ident(topic)


def _message_id(event_type: str, version: int, current: bool) -> str:
    return _ident(event_type) + ("" if current else f"_v{version}")


def _server_entries(bootstrap_servers: str) -> dict[str, Any]:
    hosts = [h.strip() for h in bootstrap_servers.split(",") if h.strip()]
    return {
        f"broker{i + 1}" if len(hosts) > 1 else "broker": {
            "host": host,
            "protocol": "kafka",
            "description": "Kafka bootstrap server of this deployment (PLAINTEXT)",
        }
        for i, host in enumerate(hosts)
    }


def _message(
    event_type: EventType, version: int, schemas: dict[str, Any], message_name: str
) -> dict[str, Any]:
    payload, definitions = payload_schema(event_type, version, ref_template=SCHEMAS_REF)
    schemas.update(definitions)
    payload_name = f"{_ident(event_type.type)}_v{version}_data"
    schemas[payload_name] = payload
    current = version == event_type.version
    key_schema = dict(payload["properties"][event_type.key])
    key_schema.pop("title", None)
    key_schema["description"] = (
        f"Partition key: data.{event_type.key} (the {event_type.key.removesuffix('_id')} id)"
    )
    return {
        "name": message_name,
        "title": event_type.type + ("" if current else f" (v{version}, still accepted)"),
        "summary": event_type.description,
        "contentType": CLOUDEVENTS_CONTENT_TYPE,
        "headers": {
            "type": "object",
            "properties": {
                "content-type": {"type": "string", "const": CLOUDEVENTS_CONTENT_TYPE},
            },
        },
        "payload": cloudevent_schema(
            event_type, version, data={"$ref": f"#/components/schemas/{payload_name}"}
        ),
        "correlationId": {
            "description": "The API request that caused the event",
            "location": "$message.payload#/requestid",
        },
        "bindings": {"kafka": {"key": key_schema, "bindingVersion": KAFKA_BINDING}},
        "examples": [
            {
                "name": _ident(event_type.type) + f"_v{version}",
                "summary": f"The registered example of {event_type.type} v{version}",
                "headers": {"content-type": CLOUDEVENTS_CONTENT_TYPE},
                "payload": example_cloudevent(event_type, version),
            }
        ],
        "x-event-type": event_type.type,
        "x-dataschema-version": version,
        "x-producer": event_type.producer,
        "x-partition-key": event_type.key,
    }


def build_asyncapi(
    *,
    bootstrap_servers: str = "127.0.0.1:9092",
    topic_prefix: str = "",
    version: str = "0.1.0",
) -> dict[str, Any]:
    """The AsyncAPI 3.0 document of every registered event type."""
    schemas: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    by_topic: dict[str, list[EventType]] = defaultdict(list)
    for et in all_event_types():
        by_topic[et.topic].append(et)

    for topic, event_types in sorted(by_topic.items()):
        channel_id = _channel_id(topic)
        channel_messages: dict[str, Any] = {}
        producers: dict[str, list[str]] = defaultdict(list)
        for et in event_types:
            for v in et.versions:
                message_id = _message_id(et.type, v, v == et.version)
                messages[message_id] = _message(et, v, schemas, message_id)
                channel_messages[message_id] = {"$ref": f"#/components/messages/{message_id}"}
                producers[et.producer].append(message_id)
        address = topic_prefix + topic
        channels[channel_id] = {
            "address": address,
            "title": topic,
            "description": (
                f"Kafka topic `{address}`, {TOPIC_PARTITIONS} partitions, keyed by the "
                f"aggregate id. Records that a consumer cannot process go to "
                f"`{dlq_topic(address)}` with the error in their headers."
            ),
            "messages": channel_messages,
            "bindings": {
                "kafka": {
                    "topic": address,
                    "partitions": TOPIC_PARTITIONS,
                    "bindingVersion": KAFKA_BINDING,
                }
            },
        }
        for producer, ids in sorted(producers.items()):
            operations[f"{_ident(producer)}_sends_{channel_id}"] = {
                "action": "send",
                "title": f"{producer} publishes on {topic}",
                "summary": f"The {producer} service publishes these facts through its outbox.",
                "channel": {"$ref": f"#/channels/{channel_id}"},
                "messages": [{"$ref": f"#/channels/{channel_id}/messages/{i}"} for i in ids],
            }
        for group in consumer_groups():
            handled = [
                message_id
                for et in event_types
                if et.type in group.event_types
                for v in et.versions
                for message_id in [_message_id(et.type, v, v == et.version)]
            ]
            if not handled:
                continue
            operations[f"{_ident(group.name)}_receives_{channel_id}"] = {
                "action": "receive",
                "title": f"consumer group {group.name} reads {topic}",
                "summary": group.description,
                "channel": {"$ref": f"#/channels/{channel_id}"},
                "messages": [{"$ref": f"#/channels/{channel_id}/messages/{i}"} for i in handled],
                "bindings": {
                    "kafka": {
                        "groupId": {"type": "string", "enum": [group.name]},
                        "bindingVersion": KAFKA_BINDING,
                    }
                },
                "x-consumer-group": group.name,
                "x-service": group.service,
            }

    return {
        "asyncapi": ASYNCAPI_VERSION,
        "id": "urn:localrights:events",
        "info": {
            "title": "Localrights events",
            "version": version,
            "description": DESCRIPTION,
        },
        "defaultContentType": CLOUDEVENTS_CONTENT_TYPE,
        "servers": _server_entries(bootstrap_servers),
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


def main() -> int:
    """Print the document (for a deployment: pass bootstrap servers and topic prefix)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m localrights.events.asyncapi")
    parser.add_argument("--bootstrap-servers", default="127.0.0.1:9092")
    parser.add_argument("--topic-prefix", default="")
    args = parser.parse_args()
    document = build_asyncapi(
        bootstrap_servers=args.bootstrap_servers, topic_prefix=args.topic_prefix
    )
    sys.stdout.write(json.dumps(document, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
