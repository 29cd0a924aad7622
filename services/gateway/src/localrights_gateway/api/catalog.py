"""The event catalogue for integrators: AsyncAPI (JSON and a readable page), webhook types.

Public and read-only: every document here is generated from the shared event registry
(``localrights.events``), so it always says what the running code publishes. The gateway's
``api.router`` includes ``router``, under the API prefix with the default rate limit.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, select_autoescape
from pydantic import BaseModel, ConfigDict, Field

from localrights.app import API_PREFIX
from localrights.errors import NotFound, problem_responses
from localrights.events.asyncapi import build_asyncapi
from localrights.events.catalogue import webhook_catalogue
from localrights.events.registry import (
    all_event_types,
    consumer_groups,
    dlq_topic,
    webhook_event_types,
)

router = APIRouter(tags=["event catalogue"])

ASYNCAPI_JSON = f"{API_PREFIX}/asyncapi.json"


class WebhookEventTypeRead(BaseModel):
    """An event type a webhook subscriber may receive; the body is ``example``'s shape."""

    model_config = ConfigDict(populate_by_name=True)

    name: str = Field(description="The CloudEvent type, e.g. alert.published")
    description: str
    version: int = Field(description="Current dataschema version")
    dataschema: str = Field(description="dataschema of the current version")
    accepted_versions: list[int] = Field(description="Versions still in circulation")
    topic: str = Field(description="The Kafka topic carrying the same CloudEvents")
    producer: str
    json_schema: dict[str, Any] = Field(
        alias="schema", description="JSON schema of the whole delivered CloudEvent"
    )
    example: dict[str, Any] = Field(description="A delivered webhook body (the CloudEvent)")


@lru_cache(maxsize=8)
def _asyncapi_text(bootstrap_servers: str, topic_prefix: str) -> str:
    return json.dumps(
        build_asyncapi(bootstrap_servers=bootstrap_servers, topic_prefix=topic_prefix)
    )


def _document(request: Request) -> dict[str, Any]:
    settings = request.app.state.settings
    document: dict[str, Any] = json.loads(
        _asyncapi_text(settings.kafka_bootstrap_servers, settings.kafka_topic_prefix)
    )
    return document


@router.get(
    "/asyncapi.json",
    status_code=200,
    response_class=Response,
    responses={200: {"description": "AsyncAPI 3.0 document", "content": {"application/json": {}}}},
)
async def get_asyncapi(request: Request) -> Response:
    """The AsyncAPI 3.0 document of every topic and event (readable at /api/v1/asyncapi.html)."""
    settings = request.app.state.settings
    return Response(
        _asyncapi_text(settings.kafka_bootstrap_servers, settings.kafka_topic_prefix),
        media_type="application/json",
        headers={"cache-control": "public, max-age=300"},
    )


@router.get("/asyncapi.html", status_code=200, response_class=HTMLResponse)
async def get_asyncapi_page(request: Request) -> HTMLResponse:
    """The event catalogue as a page: topics, keys, consumer groups, schemas and examples."""
    return HTMLResponse(_render_page(_document(request)))


@router.get("/asyncapi.css", status_code=200, include_in_schema=False)
async def get_asyncapi_css() -> Response:
    """The catalogue page's stylesheet (served here: the page allows only 'self' styles)."""
    return Response(_CSS, media_type="text/css", headers={"cache-control": "public, max-age=3600"})


@router.get(
    "/webhooks/event-types",
    status_code=200,
    response_model=list[WebhookEventTypeRead],
)
async def list_webhook_event_types() -> list[dict[str, Any]]:
    """Event types delivered to webhook subscribers, each with its schema and an example body."""
    return webhook_catalogue()


@router.get(
    "/webhooks/event-types/{name}",
    status_code=200,
    response_model=WebhookEventTypeRead,
    responses=problem_responses(404),
)
async def get_webhook_event_type(name: str) -> dict[str, Any]:
    """One webhook event type by name (e.g. alert.published)."""
    for entry in webhook_catalogue():
        if entry["name"] == name:
            return entry
    known = ", ".join(et.type for et in webhook_event_types())
    raise NotFound(f"no webhook event type {name!r}; the types are: {known}")


# -- the readable page -------------------------------------------------------------------

_env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
_env.filters["pretty"] = lambda value: json.dumps(value, indent=2, ensure_ascii=False)


def _resolve(document: dict[str, Any], value: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in value:
        target: Any = document
        for part in value["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        value = target
    return value


def _type_of(document: dict[str, Any], schema: dict[str, Any]) -> str:
    schema = _resolve(document, schema)
    if "anyOf" in schema:
        return " | ".join(_type_of(document, s) for s in schema["anyOf"])
    kind = schema.get("type", "any")
    if kind == "array":
        return f"list of {_type_of(document, schema.get('items', {}))}"
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return f"map of {_type_of(document, schema['additionalProperties'])}"
    if "format" in schema:
        return f"{kind} ({schema['format']})"
    return str(kind)


def _fields(document: dict[str, Any], message: dict[str, Any]) -> list[dict[str, Any]]:
    data = _resolve(document, message["payload"]["properties"]["data"])
    required = set(data.get("required", ()))
    return [
        {
            "name": name,
            "type": _type_of(document, schema),
            "required": name in required,
            "description": _resolve(document, schema).get("description", ""),
        }
        for name, schema in data.get("properties", {}).items()
    ]


def _render_page(document: dict[str, Any]) -> str:
    groups_by_type: dict[str, list[str]] = {}
    for group in consumer_groups():
        for event_type in group.event_types:
            groups_by_type.setdefault(event_type, []).append(group.name)
    webhook = {et.type for et in webhook_event_types()}
    registry = {et.type: et for et in all_event_types()}
    channels = []
    for channel in document["channels"].values():
        messages = []
        for ref in channel["messages"].values():
            message = _resolve(document, ref)
            name = message["x-event-type"]
            messages.append(
                {
                    "id": message["name"],
                    "type": name,
                    "title": message["title"],
                    "summary": message["summary"],
                    "version": message["x-dataschema-version"],
                    "dataschema": message["payload"]["properties"]["dataschema"]["const"],
                    "key": message["x-partition-key"],
                    "producer": message["x-producer"],
                    "groups": sorted(groups_by_type.get(name, [])),
                    "webhook": name in webhook,
                    "fields": _fields(document, message),
                    "example": message["examples"][0]["payload"],
                    "current": message["x-dataschema-version"] == registry[name].version,
                }
            )
        channels.append(
            {
                "address": channel["address"],
                "dlq": dlq_topic(channel["address"]),
                "description": channel["description"],
                "messages": messages,
                "groups": sorted({g for m in messages for g in m["groups"]}),
            }
        )
    return _PAGE.render(
        document=document,
        channels=channels,
        servers=list(document.get("servers", {}).values()),
        json_url=ASYNCAPI_JSON,
        api=API_PREFIX,
    )


_CSS = """\
body{font-family:system-ui,sans-serif;max-width:72rem;margin:0 auto;padding:1rem;
line-height:1.5;color:#1a1a1a}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border:1px solid #bbb;padding:.25rem .5rem;text-align:left;vertical-align:top}
pre{background:#f4f4f4;padding:.75rem;overflow-x:auto;font-size:.85rem}
code{font-size:.9em}.event{border-top:2px solid #444;margin-top:1.5rem}
a{color:#0645ad}
"""

_PAGE = _env.from_string("""\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ document.info.title }} – event catalogue</title>
<link rel="stylesheet" href="{{ api }}/asyncapi.css">
</head>
<body>
<header>
<h1>{{ document.info.title }} <small>(AsyncAPI {{ document.asyncapi }})</small></h1>
<p>Machine-readable: <a href="{{ json_url }}">{{ json_url }}</a> ·
webhook event types: <a href="{{ api }}/webhooks/event-types">{{ api }}/webhooks/event-types</a> ·
HTTP API: <a href="/docs">/docs</a></p>
</header>
<main>
<p>{{ document.info.description }}</p>
<h2 id="servers">Kafka bootstrap servers</h2>
<ul>{% for s in servers %}<li><code>{{ s.host }}</code> ({{ s.protocol }})</li>{% endfor %}</ul>
<h2 id="topics">Topics</h2>
<table>
<thead><tr><th scope="col">Topic</th><th scope="col">Events</th>
<th scope="col">Platform consumer groups</th><th scope="col">Dead-letter topic</th></tr></thead>
<tbody>
{% for c in channels %}<tr><td><a href="#{{ c.address }}"><code>{{ c.address }}</code></a></td>
<td>{% for m in c.messages %}<a href="#{{ m.id }}">{{ m.title }}</a>
{%- if not loop.last %}, {% endif %}{% endfor %}</td>
<td>{{ c.groups | join(", ") or "none" }}</td><td><code>{{ c.dlq }}</code></td></tr>
{% endfor %}</tbody>
</table>
{% for c in channels %}
<section aria-labelledby="{{ c.address }}">
<h2 id="{{ c.address }}">Topic <code>{{ c.address }}</code></h2>
<p>{{ c.description }}</p>
{% for m in c.messages %}
<article class="event" aria-labelledby="{{ m.id }}">
<h3 id="{{ m.id }}">{{ m.title }}</h3>
<p>{{ m.summary }}</p>
<dl>
<dt>dataschema</dt><dd><code>{{ m.dataschema }}</code></dd>
<dt>Kafka key and CloudEvent subject</dt><dd><code>data.{{ m.key }}</code></dd>
<dt>Produced by</dt><dd>{{ m.producer }}</dd>
<dt>Consumed by (consumer groups)</dt><dd>{{ m.groups | join(", ") or "none in the platform" }}</dd>
<dt>Delivered by webhook</dt><dd>{{ "yes" if m.webhook else "no" }}</dd>
</dl>
<table>
<caption><code>data</code> fields of {{ m.type }} v{{ m.version }}</caption>
<thead><tr><th scope="col">Field</th><th scope="col">Type</th><th scope="col">Required</th>
<th scope="col">Description</th></tr></thead>
<tbody>{% for f in m.fields %}<tr><td><code>{{ f.name }}</code></td><td>{{ f.type }}</td>
<td>{{ "yes" if f.required else "no" }}</td><td>{{ f.description }}</td></tr>
{% endfor %}</tbody>
</table>
<details><summary>Example CloudEvent</summary>
<pre><code>{{ m.example | pretty }}</code></pre>
</details>
</article>
{% endfor %}
</section>
{% endfor %}
</main>
</body>
</html>
""")
