"""The OpenAPI document says what is served: every error is an RFC 9457 problem.

FastAPI documents a route's error responses as ``application/json`` and its validation
errors with its own ``HTTPValidationError`` shape; ours are all ``application/problem+json``
with the ``Problem`` shape (``localrights.errors``). ``describe_problems`` rewrites a
document so: every 4xx and 5xx response carries the problem schema under that media type,
and an operation that takes a body also documents the 400 it answers when the body cannot
be read (JSON that does not parse, text that is not UTF-8, a broken form).
"""

from __future__ import annotations

from typing import Any

from localrights.errors import PROBLEM_JSON, Problem

PROBLEM_REF = "#/components/schemas/Problem"
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")

Document = dict[str, Any]


def problem_content() -> dict[str, Any]:
    return {PROBLEM_JSON: {"schema": {"$ref": PROBLEM_REF}}}


def operations(document: Document) -> list[tuple[str, str, dict[str, Any]]]:
    """(path, method, operation) of every operation in the document."""
    found = []
    for path, item in document.get("paths", {}).items():
        for method in _METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                found.append((path, method, operation))
    return found


def _is_error(code: str) -> bool:
    return code == "default" or (code.isdigit() and int(code) >= 400)


def describe_problems(document: Document) -> Document:
    """Document every error response as problem+json, in place; returns the document."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(
        "Problem", Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    )
    for _path, _method, operation in operations(document):
        responses: dict[str, Any] = operation.setdefault("responses", {})
        if "requestBody" in operation:
            responses.setdefault(
                "400",
                {"description": "The body cannot be read (not JSON, not UTF-8, a broken form)"},
            )
        for code, response in responses.items():
            if _is_error(code) and "$ref" not in response:
                response["content"] = problem_content()
    if not _refers_to(document, _FASTAPI_VALIDATION_SCHEMAS):
        for name in _FASTAPI_VALIDATION_SCHEMAS:
            schemas.pop(name, None)
    return document


def _refers_to(document: Document, names: tuple[str, ...]) -> bool:
    """Whether anything but the named schemas themselves still refers to one of them."""
    targets = {f"#/components/schemas/{name}" for name in names}

    def walk(node: Any) -> bool:
        if isinstance(node, dict):
            return node.get("$ref") in targets or any(walk(value) for value in node.values())
        if isinstance(node, list):
            return any(walk(item) for item in node)
        return False

    components = document.get("components", {})
    schemas = components.get("schemas", {})
    others = {name: schema for name, schema in schemas.items() if name not in names}
    return walk({**document, "components": {**components, "schemas": others}})
