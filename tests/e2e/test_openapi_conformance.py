"""schemathesis with every check: the merged OpenAPI document says what the platform serves.

The whole engine runs as its command line would (``st run --checks all``; examples, coverage
and fuzzing phases), against the started stack, once per caller: anonymous, an administrator
and an institution officer. Every check applies: status codes, content types, headers and
bodies as documented, schema-valid requests accepted and schema-violating ones refused,
undocumented methods answered 405 with an ``Allow`` listing the documented ones,
authentication not ignored, and no server error.

What remains is listed in ``KNOWN`` with its reason: rules a JSON schema cannot state (a
reference to a row that must exist, one field that depends on another), and findings in the
services behind the gateway that belong to their owners. Anything else fails the test with a
curl command to replay it.

Cost: a bounded number of examples per operation (``LOCALRIGHTS_FUZZ_SCALE`` multiplies
it), one worker, derandomised generation, and no values taken from responses (the fuzzer
must not find and change the people and institutions other tests use): about a minute on
two cores.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

import httpx
import pytest
import schemathesis
from launch import Stack
from schemathesis import Case
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events, from_schema
from schemathesis.hooks import GLOBAL_HOOK_DISPATCHER

from .platform_client import bearer_headers

EXAMPLES = max(1, round(3 * float(os.environ.get("LOCALRIGHTS_FUZZ_SCALE", "1"))))
# Fuzzed alerts go to a country no scenario subscribes to, and fuzzed subscriptions listen to
# another one, so nothing fuzzed lands in another test's inbox or goes out as a webhook.
QUIET_ALERT_COUNTRY = "AQ"
QUIET_SUBSCRIPTION_COUNTRY = "BV"

SEMANTIC = "a rule no JSON schema can state"
CONSULTATION_FILTERS = (
    "consultation: the topic (one of a fixed list) and place (ISO 3166 codes) filters are "
    "not constrained in the schema"
)
IMPORT_PATH_TAKEN = (
    "recommendations: GET /recommendations/import is taken by GET "
    "/recommendations/{recommendation_id} (so Allow lists GET, and GET answers 422, not a "
    "UUID, instead of 405)"
)


def path_taken(service: str, path: str, by: str) -> str:
    """A fixed path beside an {id} route: other methods reach the {id} route (FastAPI takes no
    typed path converters), so OPTIONS lists that route's methods and they answer 422."""
    return (
        f"{service}: other methods of {path} are taken by {by} (so Allow lists that route's "
        "methods, and they answer 422, not a UUID, instead of 405)"
    )


# (method, fixed path, service, the {id} route that takes its other methods)
PATHS_TAKEN = (
    ("POST", "/api/v1/alerts/import", "notifications", "/alerts/{alert_id}"),
    ("POST", "/api/v1/alerts/preview", "notifications", "/alerts/{alert_id}"),
    (
        "POST",
        "/api/v1/recommendations/imports",
        "recommendations",
        "/recommendations/{recommendation_id}",
    ),
    (
        "GET",
        "/api/v1/recommendations/facets",
        "recommendations",
        "/recommendations/{recommendation_id}",
    ),
)


@dataclass(frozen=True)
class Known:
    """A failure that stays, and why."""

    operation: str
    code: str  # schemathesis's failure code
    reason: str


KNOWN = (
    # -- the gateway's own operations --------------------------------------------------------
    Known("POST /api/v1/users", "ST202", f"{SEMANTIC}: institution_id must name one that exists"),
    Known(
        "POST /api/v1/api-keys", "ST202", f"{SEMANTIC}: institution_id must name one that exists"
    ),
    Known(
        "PATCH /api/v1/users/{user_id}",
        "ST202",
        f"{SEMANTIC}: admin acts for no institution, other roles for one (roles and "
        "institution_id together), and institution_id must name one that exists",
    ),
    Known(
        "POST /api/v1/institutions",
        "ST202",
        f"{SEMANTIC}: the country must be an assigned ISO 3166-1 code and the jurisdiction "
        "the country or one of its own ISO 3166-2 subdivisions",
    ),
    Known(
        "PATCH /api/v1/institutions/{institution_id}",
        "ST202",
        f"{SEMANTIC}: the jurisdiction must lie in the (new or current) country",
    ),
    # -- findings in the services behind the gateway, for their owners ---------------------------
    Known(
        "POST /api/v1/consultations",
        "ST202",
        f"consultation, {SEMANTIC}: language codes, option counts per question type and "
        "ISO codes are checked beyond what the schema says",
    ),
    Known("GET /api/v1/consultations", "ST202", CONSULTATION_FILTERS),
    Known("GET /api/v1/consultations/feed.atom", "ST202", CONSULTATION_FILTERS),
    Known(
        "GET /api/v1/alerts",
        "ST201",
        "notifications: a date query parameter given as a number (to=0) is read as a date "
        "(pydantic's lax mode) instead of refused",
    ),
    Known(
        "POST /api/v1/alerts",
        "ST201",
        "notifications: a date given as a number (deadline: 0) is read as a date (lax mode)",
    ),
    Known(
        "POST /api/v1/alerts",
        "ST202",
        f"notifications, {SEMANTIC}: a deadline alert needs a deadline; a country must be an "
        "assigned ISO code",
    ),
    Known(
        "PATCH /api/v1/alerts/{alert_id}",
        "ST202",
        f"notifications, {SEMANTIC}: a text must be given in at least one language",
    ),
    Known(
        "POST /api/v1/subscriptions",
        "ST202",
        "notifications: country and jurisdiction codes are not constrained in the schema",
    ),
    Known(
        "PATCH /api/v1/subscriptions/{subscription_id}",
        "ST202",
        "notifications: country and jurisdiction codes are not constrained in the schema",
    ),
    Known(
        "GET /api/v1/recommendations",
        "ST202",
        "recommendations: sdg_target is not constrained in the schema (one of 169 targets)",
    ),
    Known(
        "POST /api/v1/exercises",
        "ST202",
        f"recommendations, {SEMANTIC}: the country must be an assigned ISO 3166-1 code",
    ),
    *(
        Known(
            f"POST /api/v1/recommendations/{path}",
            "ST202",
            "recommendations: an empty upload is refused, which the schema does not say",
        )
        for path in ("import", "imports")
    ),
    Known(
        "POST /api/v1/indicators",
        "ST202",
        f"recommendations, {SEMANTIC}: recommendation_ids must name recommendations made to "
        "the caller's country, and an SDG indicator must belong to the SDG target given",
    ),
    Known("POST /api/v1/recommendations/import", "ST204", IMPORT_PATH_TAKEN),
    Known("POST /api/v1/recommendations/import", "ST205", IMPORT_PATH_TAKEN),
    *(
        Known(f"{method} {path}", code, path_taken(service, path, by))
        for method, path, service, by in PATHS_TAKEN
        for code in ("ST204", "ST205")
    ),
    Known(
        "POST /api/v1/alerts/preview",
        "ST202",
        f"notifications, {SEMANTIC}: as POST /alerts, whose draft it checks (a deadline alert "
        "needs a deadline; a country must be an assigned ISO code)",
    ),
    Known(
        "POST /api/v1/alerts/import",
        "ST202",
        "notifications: an empty calendar file is refused, which the schema does not say",
    ),
    Known(
        "PATCH /api/v1/recommendations",
        "ST202",
        f"recommendations, {SEMANTIC}: every id must name a recommendation that exists",
    ),
)
_KNOWN = {(k.operation, k.code) for k in KNOWN}


@dataclass
class Finding:
    caller: str
    operation: str
    code: str
    title: str
    status: int | None
    body: str
    curl: str

    def __str__(self) -> str:
        head = f"{self.operation} as {self.caller}: {self.code} {self.title} -> {self.status}"
        return f"{head}: {self.body}\n  {self.curl}"


@pytest.fixture(scope="module")
def callers(stack: Stack) -> dict[str, dict[str, str]]:
    """Headers of each caller; the fuzzed admin and officer are their own, not shared ones."""
    admin = bearer_headers(stack.gateway_url, *stack.admin)

    def create(path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = httpx.post(f"{stack.gateway_url}{path}", json=body, headers=admin, timeout=30)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    town = create(
        "/api/v1/institutions",
        {
            "name": "Fuzzing station",
            "kind": "municipality",
            "country": QUIET_ALERT_COUNTRY,
            "jurisdiction": QUIET_ALERT_COUNTRY,
        },
    )
    people: dict[str, dict[str, str]] = {"anonymous": {}}
    for caller, roles, institution in (
        ("admin", ["admin"], None),
        ("institution officer", ["institution_officer"], town["id"]),
    ):
        email, password = f"fuzz-{uuid4().hex[:8]}@example.org", f"pw-{uuid4().hex}"
        body = {"email": email, "password": password, "roles": roles}
        create("/api/v1/users", {**body, "institution_id": institution})
        people[caller] = bearer_headers(stack.gateway_url, email, password)
    return people


@contextmanager
def _quiet_calls() -> Iterator[None]:
    """Rewrite what would reach other tests; schemathesis re-judges a case after the hook."""

    def before_call(_context: Any, case: Case, _kwargs: dict[str, Any]) -> None:
        body = case.body
        if not isinstance(body, dict):
            return
        if case.path == "/api/v1/alerts" and case.method == "POST":
            body["country"] = QUIET_ALERT_COUNTRY
            body.pop("jurisdictions", None)
        elif case.path.startswith("/api/v1/subscriptions"):
            body["countries"] = [QUIET_SUBSCRIPTION_COUNTRY]
            body.pop("jurisdictions", None)

    GLOBAL_HOOK_DISPATCHER.register_hook_with_name(before_call, "before_call")
    try:
        yield
    finally:
        GLOBAL_HOOK_DISPATCHER.unregister(before_call)


def _run(
    document: dict[str, Any], base_url: str, caller: str, headers: dict[str, str]
) -> tuple[list[Finding], list[str], int]:
    """(failures, engine errors, scenarios run) of every phase and check, as one caller."""
    config = SchemathesisConfig.from_dict(
        {
            "seed": 17,
            "base-url": base_url,
            "headers": headers,
            "workers": 1,
            "request-timeout": 30,
            "checks": {"enabled": True},
            "generation": {"max-examples": EXAMPLES, "deterministic": True, "database": "none"},
            "phases": {
                "examples": {"enabled": True},
                "coverage": {"enabled": True, "extra-data-sources": {"responses": False}},
                "fuzzing": {"enabled": True, "extra-data-sources": {"responses": False}},
                "stateful": {"enabled": False},
            },
        }
    )
    schema = schemathesis.openapi.from_dict(document, config=config)
    findings: list[Finding] = []
    errors: list[str] = []
    scenarios = 0
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            scenarios += 1
            recorder = event.recorder
            for case_id, checks in recorder.checks.items():
                for check in checks:
                    if check.failure_info is None:
                        continue
                    failure = check.failure_info.failure
                    interaction = recorder.interactions.get(case_id)
                    response = interaction.response if interaction else None
                    findings.append(
                        Finding(
                            caller=caller,
                            operation=event.label,
                            code=failure.code,
                            title=failure.title,
                            status=response.status_code if response else None,
                            body=response.content[:300].decode(errors="replace")
                            if response
                            else "",
                            curl=check.failure_info.code_sample,
                        )
                    )
        elif isinstance(event, events.NonFatalError | events.FatalError):
            errors.append(f"{caller}: {event}")
    return findings, errors, scenarios


def test_the_document_says_what_is_served_as_every_caller(
    stack: Stack, document: dict[str, Any], callers: dict[str, dict[str, str]]
) -> None:
    unexpected: list[Finding] = []
    problems: list[str] = []
    with _quiet_calls():
        for caller, headers in callers.items():
            findings, errors, scenarios = _run(document, stack.gateway_url, caller, headers)
            assert scenarios >= len(document["paths"]), (caller, scenarios)
            unexpected += [f for f in findings if (f.operation, f.code) not in _KNOWN]
            problems += errors
    assert problems == [], "\n".join(problems)
    assert unexpected == [], f"{len(unexpected)} unexpected failures:\n" + "\n".join(
        str(f) for f in unexpected
    )
