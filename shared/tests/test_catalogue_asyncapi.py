"""The AsyncAPI document: valid AsyncAPI 3.0, complete, and true to the registry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from localrights.events.asyncapi import build_asyncapi
from localrights.events.catalogue import cloudevent_schema, example_cloudevent, webhook_catalogue
from localrights.events.registry import (
    WEBHOOK_EVENT_TYPES,
    all_event_types,
    all_topics,
    consumer_groups,
    get_event_type,
)

# The official schema, vendored from the npm package @asyncapi/specs (see data/asyncapi/).
ASYNCAPI_SCHEMA = Path(__file__).parent / "data" / "asyncapi" / "asyncapi-3.0.0.schema.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    schema = json.loads(ASYNCAPI_SCHEMA.read_text())
    assert schema["$id"] == "http://asyncapi.com/definitions/3.0.0/asyncapi.json"
    return jsonschema.Draft7Validator(schema)


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return build_asyncapi(bootstrap_servers="kafka-a:9092,kafka-b:9092", topic_prefix="prod.")


def resolve(document: dict[str, Any], ref: str) -> Any:
    """The object a reference points at, following references to references."""
    assert ref.startswith("#/"), ref
    target: Any = document
    for part in ref[2:].split("/"):
        assert part in target, f"{ref} does not resolve"
        target = target[part]
    if isinstance(target, dict) and "$ref" in target:
        return resolve(document, target["$ref"])
    return target


def refs(value: Any) -> list[str]:
    if isinstance(value, dict):
        return ([value["$ref"]] if "$ref" in value else []) + [
            r for v in value.values() for r in refs(v)
        ]
    if isinstance(value, list):
        return [r for v in value for r in refs(v)]
    return []


def errors(validator: jsonschema.Draft7Validator, document: dict[str, Any]) -> list[str]:
    return [f"{e.json_path}: {e.message[:200]}" for e in validator.iter_errors(document)]


class TestAgainstTheAsyncAPISchema:
    def test_the_document_is_valid_asyncapi_3(
        self, validator: jsonschema.Draft7Validator, document: dict[str, Any]
    ) -> None:
        assert errors(validator, document) == []
        assert document["asyncapi"] == "3.0.0"

    def test_the_validator_would_catch_a_malformed_document(
        self, validator: jsonschema.Draft7Validator, document: dict[str, Any]
    ) -> None:
        broken = json.loads(json.dumps(document))
        operation = next(iter(broken["operations"].values()))
        operation["action"] = "publish"  # the AsyncAPI 2 verb
        assert errors(validator, broken)

    def test_every_reference_resolves(self, document: dict[str, Any]) -> None:
        for ref in refs(document):
            resolve(document, ref)


class TestCompleteness:
    def test_every_topic_is_a_channel_at_its_prefixed_address(
        self, document: dict[str, Any]
    ) -> None:
        addresses = sorted(channel["address"] for channel in document["channels"].values())
        assert addresses == sorted(f"prod.{topic}" for topic in all_topics())

    def test_every_registered_event_version_is_a_message_on_its_topic(
        self, document: dict[str, Any]
    ) -> None:
        on_channels = {
            (channel["address"], resolve(document, ref["$ref"])["x-event-type"], v)
            for channel in document["channels"].values()
            for ref in channel["messages"].values()
            for v in [resolve(document, ref["$ref"])["x-dataschema-version"]]
        }
        expected = {
            (f"prod.{et.topic}", et.type, version)
            for et in all_event_types()
            for version in et.versions
        }
        assert on_channels == expected

    def test_messages_are_cloudevents_with_the_key_and_dataschema_of_the_registry(
        self, document: dict[str, Any]
    ) -> None:
        for et in all_event_types():
            message = document["components"]["messages"][et.type.replace(".", "_")]
            payload = message["payload"]
            assert message["contentType"].startswith("application/cloudevents+json")
            assert payload["properties"]["type"]["const"] == et.type
            assert payload["properties"]["dataschema"]["const"] == et.dataschema
            assert payload["properties"]["specversion"]["const"] == "1.0"
            assert message["x-partition-key"] == et.key
            key = message["bindings"]["kafka"]["key"]
            assert et.key in key["description"]
            data = resolve(document, payload["properties"]["data"]["$ref"])
            assert set(data["properties"]) == set(et.model.model_fields)

    def test_each_example_validates_against_its_message_schema(
        self, document: dict[str, Any]
    ) -> None:
        for message in document["components"]["messages"].values():
            schema = {**message["payload"], "components": document["components"]}
            for example in message["examples"]:
                jsonschema.Draft202012Validator(
                    schema, format_checker=jsonschema.FormatChecker()
                ).validate(example["payload"])

    def test_servers_are_the_deployments_bootstrap_servers(self, document: dict[str, Any]) -> None:
        hosts = sorted(server["host"] for server in document["servers"].values())
        assert hosts == ["kafka-a:9092", "kafka-b:9092"]
        assert {server["protocol"] for server in document["servers"].values()} == {"kafka"}


class TestOperations:
    def test_each_producer_sends_its_events(self, document: dict[str, Any]) -> None:
        sent = {
            (op["title"].split()[0], resolve(document, m["$ref"])["x-event-type"])
            for op in document["operations"].values()
            if op["action"] == "send"
            for m in op["messages"]
        }
        assert sent == {(et.producer, et.type) for et in all_event_types()}

    def test_each_consumer_group_receives_exactly_what_it_declares(
        self, document: dict[str, Any]
    ) -> None:
        received: dict[str, set[str]] = {}
        for op in document["operations"].values():
            if op["action"] != "receive":
                continue
            group = op["bindings"]["kafka"]["groupId"]["enum"][0]
            assert op["x-consumer-group"] == group
            channel = resolve(document, op["channel"]["$ref"])
            for m in op["messages"]:
                assert m["$ref"].startswith(op["channel"]["$ref"] + "/messages/")
                message = resolve(document, m["$ref"])
                assert get_event_type(message["x-event-type"]).topic in channel["title"]
                received.setdefault(group, set()).add(message["x-event-type"])
        assert received == {g.name: set(g.event_types) for g in consumer_groups()}


class TestWebhookCatalogue:
    def test_it_lists_the_webhook_types_with_a_schema_their_example_satisfies(self) -> None:
        entries = webhook_catalogue()
        assert [e["name"] for e in entries] == sorted(WEBHOOK_EVENT_TYPES)
        for entry in entries:
            et = get_event_type(entry["name"])
            assert entry["description"] == et.description
            assert entry["example"]["type"] == et.type
            assert entry["example"]["data"] == et.example.model_dump(mode="json")
            jsonschema.Draft202012Validator(
                entry["schema"], format_checker=jsonschema.FormatChecker()
            ).validate(entry["example"])

    def test_the_schema_refuses_a_body_of_another_type_or_version(self) -> None:
        et = get_event_type("alert.published")
        schema = cloudevent_schema(et)
        other = example_cloudevent(get_event_type("alert.cancelled"))
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(other, schema)
        future = {**example_cloudevent(et), "dataschema": et.dataschema.replace(":v1", ":v9")}
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(future, schema)
