"""schemathesis against the merged OpenAPI document of the running platform: no 5xx.

Every operation of /api/v1/openapi.json is called with generated requests, valid ones
(positive) and invalid ones (negative), as an administrator and as an anonymous caller,
through the gateway. Whatever comes in, the answer must be an answer (2xx, 3xx or a 4xx
problem), never a server error. Every 5xx is collected with a curl command to replay it,
rather than stopping (and shrinking) at the first one. The number of examples per operation
is bounded so the run takes a couple of minutes on two cores; generation is derandomised, so
a run is reproducible.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from launch import Stack
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup

from .platform_client import bearer_headers

# Examples per operation, per caller and mode (about 560 calls in all); LOCALRIGHTS_FUZZ_SCALE
# multiplies them for a longer hunt (the defaults keep the suite inside its time budget).
SCALE = float(os.environ.get("LOCALRIGHTS_FUZZ_SCALE", "1"))
# Set LOCALRIGHTS_FUZZ_RANDOM=1 for new examples on each run (a hunt), not the fixed ones.
DERANDOMIZE = not os.environ.get("LOCALRIGHTS_FUZZ_RANDOM")
PLAN = (
    ("admin", GenerationMode.POSITIVE, 5),
    ("admin", GenerationMode.NEGATIVE, 2),
    ("anonymous", GenerationMode.POSITIVE, 1),
    ("anonymous", GenerationMode.NEGATIVE, 1),
)
# Alerts fan out to every matching subscription: fuzzed ones go to a country that no
# scenario subscribes to, so they never land in another test's inbox.
QUIET_COUNTRY = "AQ"


@dataclass
class ServerError:
    caller: str
    mode: str
    operation: str
    status: int
    body: str
    curl: str

    def __str__(self) -> str:
        head = f"{self.operation} as {self.caller} ({self.mode}) -> {self.status}"
        return f"{head}: {self.body}\n  {self.curl}"


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


def _admin_headers(stack: Stack) -> dict[str, str]:
    return bearer_headers(stack.gateway_url, *stack.admin)


def _quiet(case: Case) -> Case:
    if case.path == "/api/v1/alerts" and case.method == "POST" and isinstance(case.body, dict):
        case.body["country"] = QUIET_COUNTRY
        case.body.pop("jurisdictions", None)
    return case


def _fuzz(
    operation: Any,
    *,
    caller: str,
    headers: dict[str, str],
    mode: GenerationMode,
    examples: int,
    base_url: str,
    http: requests.Session,
    errors: list[ServerError],
) -> int:
    """Call one operation with generated requests; collect every 5xx; return the calls made."""
    calls = 0
    strategy: st.SearchStrategy[Case] = operation.as_strategy(generation_mode=mode).map(_quiet)

    @settings(
        max_examples=max(1, round(examples * SCALE)),
        deadline=None,
        database=None,
        derandomize=DERANDOMIZE,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Case) -> None:
        nonlocal calls
        calls += 1
        response = case.call(base_url=base_url, session=http, headers=headers, timeout=30)
        try:
            case.validate_response(response, checks=[not_a_server_error])
        except (FailureGroup, AssertionError):
            errors.append(
                ServerError(
                    caller=caller,
                    mode=mode.value,
                    operation=operation.label,
                    status=response.status_code,
                    body=response.text[:300],
                    curl=case.as_curl_command(headers=headers),
                )
            )

    try:
        run()
    except Unsatisfiable:
        # Nothing to make invalid (an operation without parameters or body): no negatives.
        if mode is not GenerationMode.NEGATIVE:
            raise
    return calls


def test_no_operation_answers_with_a_server_error(
    stack: Stack, document: dict[str, Any], http: requests.Session
) -> None:
    schema = schemathesis.openapi.from_dict(document)
    callers = {"admin": _admin_headers(stack), "anonymous": {}}
    errors: list[ServerError] = []
    calls = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        for caller, mode, examples in PLAN:
            calls += _fuzz(
                operation,
                caller=caller,
                headers=callers[caller],
                mode=mode,
                examples=examples,
                base_url=stack.gateway_url,
                http=http,
                errors=errors,
            )
    assert calls > len(document["paths"])  # every operation was exercised
    assert errors == [], f"{len(errors)} server errors:\n" + "\n".join(str(e) for e in errors)


# What the fuzzer found once, kept as plain regression cases (each was a 500).
async def test_values_the_database_cannot_hold_are_refused_as_input(stack: Stack) -> None:
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as client:
        # An offset past 64 bits, and a NUL character in a query parameter.
        too_far = await client.get("/api/v1/consultations", params={"offset": 2**70})
        assert too_far.status_code == 422, too_far.text
        assert too_far.headers["content-type"] == "application/problem+json"
        nul = await client.get("/api/v1/recommendations", params={"affected_group": "a\x00b"})
        assert nul.status_code == 422, nul.text
        # A NUL character in an import's encoding name.
        named = await client.post(
            "/api/v1/recommendations/import",
            params={"encoding": "utf\x008"},
            content=b"Text\n",
            headers={**_admin_headers(stack), "content-type": "text/csv"},
        )
        assert named.status_code == 422, named.text


async def test_a_control_character_in_an_alert_does_not_break_the_public_feed(
    stack: Stack,
) -> None:
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as client:
        headers = _admin_headers(stack)
        alert = {
            "kind": "upr_review",
            "country": QUIET_COUNTRY,
            "mechanism": "UPR",
            "title": {"en": "Review \x04of\x1b the report"},
        }
        created = await client.post("/api/v1/alerts", json=alert, headers=headers)
        assert created.status_code == 201, created.text
        feed = await client.get(
            "/api/v1/feeds/alerts.atom", params={"country": QUIET_COUNTRY, "mechanism": "U\x04"}
        )
        assert feed.status_code == 200, feed.text
        everything = await client.get("/api/v1/feeds/alerts.atom")
        assert everything.status_code == 200
        assert "Review of the report" in everything.text
