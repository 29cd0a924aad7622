"""One OpenAPI document for the whole public API, merged from the services' own.

Each service publishes /api/v1/openapi.json. The gateway fetches them (cached briefly, so a
redeployed service shows up without restarting the gateway), keeps the paths it routes to
that service, and merges components: a schema name two documents define differently is
renamed ``<Service><Name>`` in the later one, with every ``$ref`` to it rewritten.
"""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Callable
from typing import Any

import structlog

from localrights.app import OPENAPI_PATH
from localrights.openapi_problems import operations, problem_content
from localrights_gateway.exceptions import UpstreamError
from localrights_gateway.upstreams import SERVICES, Upstreams, service_for

log = structlog.get_logger(__name__)

Document = dict[str, Any]
_REF = "#/components/schemas/"
_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
_FETCH_TIMEOUT = 3.0
_RETRY_AFTER_FAILURE = 5.0


def _rewrite_refs(node: Any, renames: dict[str, str]) -> Any:
    if not renames:
        return node
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(_REF):
                name = value[len(_REF) :]
                out[key] = _REF + renames.get(name, name)
            else:
                out[key] = _rewrite_refs(value, renames)
        return out
    if isinstance(node, list):
        return [_rewrite_refs(item, renames) for item in node]
    return node


def _unique(name: str, service: str, taken: dict[str, Any]) -> str:
    candidate = f"{service.capitalize()}{name}"
    n = 2
    while candidate in taken:
        candidate = f"{service.capitalize()}{name}{n}"
        n += 1
    return candidate


def merge_documents(base: Document, others: dict[str, Document]) -> Document:
    """``base`` (the gateway's own) plus the routed paths and components of each service."""
    merged = copy.deepcopy(base)
    components = merged.setdefault("components", {})
    schemas: dict[str, Any] = components.setdefault("schemas", {})
    paths: dict[str, Any] = merged.setdefault("paths", {})
    tags = {tag["name"]: tag for tag in merged.get("tags", [])}
    operation_ids = {
        op.get("operationId")
        for item in paths.values()
        for method, op in item.items()
        if method in _METHODS and isinstance(op, dict)
    }
    security: list[dict[str, list[str]]] = [
        {"OAuth2PasswordBearer": []},
        {"APIKeyHeader": []},
        {},
    ]

    for service, document in others.items():
        theirs: dict[str, Any] = document.get("components", {}).get("schemas", {})
        # Rename until stable: a schema that refers to a renamed one differs too.
        renames: dict[str, str] = {}
        changed = True
        while changed:
            changed = False
            for name, schema in theirs.items():
                if name in renames or name not in schemas:
                    continue
                if schemas[name] != _rewrite_refs(schema, renames):
                    renames[name] = _unique(name, service, {**schemas, **theirs})
                    changed = True
        for name, schema in theirs.items():
            schemas[renames.get(name, name)] = _rewrite_refs(schema, renames)
        for section, entries in document.get("components", {}).items():
            if section != "schemas" and isinstance(entries, dict):
                for key, value in entries.items():
                    components.setdefault(section, {}).setdefault(key, value)

        for path, item in document.get("paths", {}).items():
            if service_for(path) != service:
                continue  # not reachable through the gateway
            target = paths.setdefault(path, {})
            for method, operation in _rewrite_refs(item, renames).items():
                if method in target:
                    continue
                if method in _METHODS and isinstance(operation, dict):
                    operation.setdefault("security", security)
                    op_id = operation.get("operationId")
                    if op_id in operation_ids:
                        operation["operationId"] = f"{service}_{op_id}"
                    operation_ids.add(operation.get("operationId"))
                target[method] = operation
        for tag in document.get("tags", []):
            tags.setdefault(tag["name"], tag)

    if tags:
        merged["tags"] = list(tags.values())
    return merged


# What the gateway itself may answer on any operation, before or instead of the service.
_EVERY_OPERATION = {
    "401": "Credentials were sent but are not valid (malformed, expired or revoked)",
    "429": "Too many requests from this client; Retry-After says when to come back",
    "503": "A service or a database is unavailable; retry later",
}
_PROXIED_OPERATION = {
    "502": "The service behind the gateway failed to answer",
    "504": "The service behind the gateway did not answer in time",
}
_OPERATION_WITH_BODY = {"413": "The body is larger than this operation accepts"}
_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
    }
}


def describe_gateway(document: Document) -> Document:
    """Add the answers the gateway gives on its own (limits, failures upstream), in place."""
    for path, _method, operation in operations(document):
        answers = dict(_EVERY_OPERATION)
        if service_for(path) is not None:
            answers.update(_PROXIED_OPERATION)
        if "requestBody" in operation:
            answers.update(_OPERATION_WITH_BODY)
        responses: dict[str, Any] = operation.setdefault("responses", {})
        for code, description in answers.items():
            responses.setdefault(code, {"description": description, "content": problem_content()})
        responses["429"].setdefault("headers", {}).update(_RETRY_AFTER)
    return document


class MergedOpenAPI:
    """The merged document, rebuilt at most every ``cache_seconds`` (sooner after a failure)."""

    def __init__(
        self, upstreams: Upstreams, own: Callable[[], Document], cache_seconds: float
    ) -> None:
        self._upstreams = upstreams
        self._own = own
        self._cache_seconds = cache_seconds
        self._document: Document | None = None
        self._expires = 0.0
        self._lock = asyncio.Lock()

    async def document(self) -> Document:
        if self._document is not None and time.monotonic() < self._expires:
            return self._document
        async with self._lock:
            if self._document is not None and time.monotonic() < self._expires:
                return self._document
            fetched = await asyncio.gather(*(self._fetch(s) for s in SERVICES))
            documents = {s: d for s, d in zip(SERVICES, fetched, strict=True) if d is not None}
            merged = describe_gateway(merge_documents(self._own(), documents))
            missing = [s for s in SERVICES if s not in documents]
            if missing:
                merged["x-localrights-unavailable"] = missing
            self._document = merged
            ttl = _RETRY_AFTER_FAILURE if missing else self._cache_seconds
            self._expires = time.monotonic() + min(ttl, self._cache_seconds)
            return merged

    async def _fetch(self, service: str) -> Document | None:
        try:
            reply = await self._upstreams.call_service(
                service, "GET", OPENAPI_PATH, timeout=_FETCH_TIMEOUT
            )
            if reply.status != 200:
                raise ValueError(f"status {reply.status}")
            document = reply.json()
            if not isinstance(document, dict):
                raise ValueError("not a JSON object")
            return document
        except (UpstreamError, ValueError) as exc:
            log.warning("openapi_fetch_failed", service=service, error=str(exc))
            return None
