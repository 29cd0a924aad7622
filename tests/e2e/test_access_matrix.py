"""Who may call what: every public route, as every kind of caller, through the gateway.

One table row per route of the merged OpenAPI document (a route missing from the table fails
``test_every_public_route_is_classified``, so a new route must be classified before it
ships). Each row names the objects it is called on and the answer each caller must get:

- ``OK``: a 2xx;
- ``PASS``: authorised, whatever the object's state makes of it (2xx, 404, 409, 422), as
  for state-changing calls that an earlier allowed caller may already have made;
- an exact status: 401 (who are you?), 403 (not yours / not your role), 404 (hidden).

The objects belong to institution A (a municipality); institution B is a municipality of
the same country invited to the same reporting exercise, so the ownership rows prove that
an institution cannot read or change another's consultations' raw responses and exports,
subscriptions, inbox, or exercise input. The callers run least-privileged first, so the
state-changing calls of the allowed callers come after the refusals on the same object.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest
from launch import Stack

from .platform_client import Actor, Platform, eventually, park_or_library

OK = "2xx"
PASS = "authorised"
Expect = int | str

# Least privileged first: see the module docstring.
ROLES = (
    "anonymous",  # a resident's phone: no credentials, a browser User-Agent
    "anonymous_bare",  # no credentials and no User-Agent at all (a script)
    "bad_token",  # a token the gateway did not sign
    "alert_publisher",
    "api_key",  # a machine key of institution B with the institution_officer role
    "other_officer",  # institution_officer of institution B
    "ministry_officer",
    "institution_officer",  # of institution A, which owns the objects
    "admin",
)
COUNTRY = "LU"  # a country no other end-to-end test uses, so no inbox sees our objects
A_PLACE, B_PLACE = "LU-CA", "LU-DI"


@dataclass(frozen=True)
class Case:
    """One call of a route, and the status class each caller must get."""

    method: str
    route: str  # the OpenAPI path template
    expect: Mapping[str, Expect]
    url: str | None = None  # the concrete URL with {world ids}; the route when None
    body: Callable[[dict[str, str]], dict[str, Any]] | None = None  # httpx kwargs
    check: Callable[[str, httpx.Response, dict[str, str]], None] | None = None
    note: str = ""


def expect(default: Expect, **roles: Expect) -> dict[str, Expect]:
    """Expectations for every caller: ``default`` unless named; keys mirror their twins."""
    table = {role: roles.get(role, default) for role in ROLES}
    # A key of institution B acts exactly as B's officer; no User-Agent changes nothing.
    table["api_key"] = roles.get("api_key", table["other_officer"])
    table["anonymous_bare"] = roles.get("anonymous_bare", table["anonymous"])
    table["bad_token"] = roles.get("bad_token", 401)
    return table


PUBLIC = expect(OK)
ADMIN_ONLY = expect(403, anonymous=401, admin=OK)


def json_body(factory: Callable[[dict[str, str]], dict[str, Any]]) -> Any:
    return lambda ids: {"json": factory(ids)}


def listed_for(
    key: str, owners: tuple[str, ...], unchecked: tuple[str, ...] = ()
) -> Callable[[str, httpx.Response, dict[str, str]], None]:
    """``ids[key]`` is in a 200 list for its owners, and in nobody else's (but ``unchecked``)."""

    def check(role: str, response: httpx.Response, ids: dict[str, str]) -> None:
        if response.status_code != 200 or role in unchecked:
            return
        if role in owners:
            assert ids[key] in response.text, f"{role} does not see {key}"
        else:
            assert ids[key] not in response.text, f"{role} sees {key}"

    return check


def consultation_body(_ids: dict[str, str], mode: str = "open") -> dict[str, Any]:
    return park_or_library(A_PLACE, title="Access matrix", mode=mode)


def alert_body(_ids: dict[str, str]) -> dict[str, Any]:
    return {
        "kind": "call_for_input",
        "country": COUNTRY,
        "mechanism": "CERD",
        "title": {"en": "Call for input on local anti-discrimination plans"},
        "deadline": (datetime.now(UTC) + timedelta(days=40)).date().isoformat(),
    }


def uhri_csv(symbol: str) -> bytes:
    header = (
        "Text,Countries Concerned,Reccomending Body,Document Symbol,Themes,Affected Persons,"
        "Sdgs,Document Publication Date,UPR Reccomending States,UPR Position,Type,"
        "OHCHR Annotation Id,UPR Session,Regions Concerned,Recommending Regions,"
        "Date of publication on UHRI"
    )
    row = (
        f'"120.{uuid4().int % 1000}. Ensure that municipalities register every birth",'
        f"Luxembourg,- UPR,{symbol},- Children,- Children,,2024-02-01,- Chile,Supported,"
        f"Recommendation,{uuid4()},UPR 45,- Europe,- Americas,2024-03-01"
    )
    return f"{header}\n{row}\n".encode()


def upr_info_csv(*texts: str) -> bytes:
    """Luxembourg's second-cycle recommendations, as UPR Info's export writes them."""
    header = "To,To-Rgrp,To-Org,Text,From,From-Rgrp,From-Org,Response,Action,Issue,Session"
    rows = [
        f'Luxembourg,WEOG,EU,"{text}",Chile,GRULAC,OAS,Accepted,4,Children,15' for text in texts
    ]
    return "\r".join([header, *rows, ""]).encode()


def today() -> str:
    return datetime.now(UTC).date().isoformat()


CONSULTATION = "/api/v1/consultations/{consultation_id}"
EXERCISE = "/api/v1/exercises/{exercise_id}"
SUBSCRIPTION = "/api/v1/subscriptions/{subscription_id}"
ALERT = "/api/v1/alerts/{alert_id}"
STATUS = "/api/v1/follow-up/statuses/{entry_id}"
INDICATOR = "/api/v1/indicators/{indicator_id}"
# A's follow-up is unpublished: its own, its country's ministry and an admin see it.
A_FOLLOW_UP = ("ministry_officer", "institution_officer", "admin")

CASES: tuple[Case, ...] = (
    # -- gateway: identity ------------------------------------------------------------------
    Case(
        "POST",
        "/api/v1/auth/token",
        expect(401, bad_token=401),
        body=lambda _: {"data": {"username": "nobody@example.org", "password": "wrong-pass"}},
        note="a wrong password is 401 whoever asks",
    ),
    Case("GET", "/api/v1/me", expect(OK)),
    Case(
        "POST",
        "/api/v1/auth/refresh",
        expect(OK, anonymous=401, api_key=401),
        note="a person's token is renewed; a machine's key never needs it",
    ),
    Case(
        "POST",
        "/api/v1/institutions",
        ADMIN_ONLY,
        body=json_body(
            lambda _: {
                "name": f"Commune {uuid4().hex[:6]}",
                "kind": "municipality",
                "country": COUNTRY,
                "jurisdiction": A_PLACE,
            }
        ),
    ),
    Case("GET", "/api/v1/institutions", PUBLIC),
    Case(
        "GET",
        "/api/v1/institutions/{institution_id}",
        PUBLIC,
        url="/api/v1/institutions/{institution_a}",
    ),
    Case(
        "PATCH",
        "/api/v1/institutions/{institution_id}",
        ADMIN_ONLY,
        url="/api/v1/institutions/{institution_a}",
        body=json_body(lambda _: {"name": "Commune de Capellen"}),
    ),
    Case(
        "PATCH",
        "/api/v1/institutions/{institution_id}",
        expect(403, anonymous=401, admin=404),
        url="/api/v1/institutions/{unknown}",
        body=json_body(lambda _: {"name": "Nowhere"}),
    ),
    Case(
        "POST",
        "/api/v1/users",
        ADMIN_ONLY,
        body=json_body(
            lambda ids: {
                "email": f"matrix-{uuid4().hex[:8]}@example.org",
                "password": f"pw-{uuid4().hex}",
                "roles": ["institution_officer"],
                "institution_id": ids["institution_a"],
            }
        ),
    ),
    Case("GET", "/api/v1/users", ADMIN_ONLY),
    Case("GET", "/api/v1/users/{user_id}", ADMIN_ONLY, url="/api/v1/users/{user_a}"),
    Case(
        "GET",
        "/api/v1/users/{user_id}",
        expect(403, anonymous=401, admin=404),
        url="/api/v1/users/{unknown}",
        note="who is not an admin cannot even learn whether a user id exists",
    ),
    Case(
        "PATCH",
        "/api/v1/users/{user_id}",
        ADMIN_ONLY,
        url="/api/v1/users/{user_a}",
        body=json_body(lambda _: {"full_name": "Officer of A"}),
    ),
    Case(
        "DELETE",
        "/api/v1/users/{user_id}",
        expect(403, anonymous=401, admin=404),
        url="/api/v1/users/{unknown}",
        note="an unknown id: the matrix's own users must live on for the other rows",
    ),
    Case("GET", "/api/v1/api-keys", ADMIN_ONLY),
    Case(
        "POST",
        "/api/v1/api-keys",
        ADMIN_ONLY,
        body=json_body(
            lambda ids: {
                "name": "matrix",
                "roles": ["alert_publisher"],
                "institution_id": ids["institution_p"],
            }
        ),
    ),
    Case(
        "DELETE",
        "/api/v1/api-keys/{api_key_id}",
        ADMIN_ONLY,
        url="/api/v1/api-keys/{spare_api_key}",
    ),
    # -- gateway: event catalogue ----------------------------------------------------------
    Case("GET", "/api/v1/asyncapi.json", PUBLIC),
    Case("GET", "/api/v1/asyncapi.html", PUBLIC),
    Case("GET", "/api/v1/webhooks/event-types", PUBLIC),
    Case(
        "GET",
        "/api/v1/webhooks/event-types/{name}",
        PUBLIC,
        url="/api/v1/webhooks/event-types/consultation.opened",
    ),
    # -- consultation --------------------------------------------------------------------
    Case(
        "POST",
        "/api/v1/consultations",
        # For the caller's own institution: officers (the ministry's too); an admin has none.
        expect(403, anonymous=401, other_officer=OK, institution_officer=OK, ministry_officer=OK),
        body=json_body(consultation_body),
    ),
    Case(
        "GET",
        "/api/v1/consultations",
        PUBLIC,
        url="/api/v1/consultations?institution_id={institution_a}&limit=100",
        check=listed_for("c_draft", ("institution_officer",)),
        note="drafts are listed for their owner only",
    ),
    Case(
        "GET",
        CONSULTATION,
        expect(404, institution_officer=OK),
        url="/api/v1/consultations/{c_draft}",
        note="a draft exists only for its owner",
    ),
    Case("GET", CONSULTATION, PUBLIC, url="/api/v1/consultations/{c_open}"),
    Case(
        "PATCH",
        CONSULTATION,
        expect(404, institution_officer=OK),
        url="/api/v1/consultations/{c_draft}",
        body=json_body(lambda _: {"topics": ["culture"]}),
        note="a draft is edited by its owner alone; others do not see it",
    ),
    Case(
        "POST",
        CONSULTATION + "/open",
        expect(404, institution_officer=PASS, admin=PASS),
        url="/api/v1/consultations/{c_to_open}/open",
        note="a draft is hidden from all but its owner; then opening twice is a 409",
    ),
    Case(
        "POST",
        CONSULTATION + "/close",
        expect(403, anonymous=401, institution_officer=PASS, admin=PASS),
        url="/api/v1/consultations/{c_to_close}/close",
    ),
    Case(
        "POST",
        CONSULTATION + "/publish",
        expect(403, anonymous=401, institution_officer=PASS, admin=PASS),
        url="/api/v1/consultations/{c_to_publish}/publish",
    ),
    Case(
        "POST",
        CONSULTATION + "/codes",
        expect(403, anonymous=401, institution_officer=OK),
        url="/api/v1/consultations/{c_codes}/codes",
        body=json_body(lambda _: {"count": 1}),
        note="codes are the owner's alone, not even an admin's",
    ),
    Case(
        "POST",
        CONSULTATION + "/responses",
        expect(PASS),
        url="/api/v1/consultations/{c_open}/responses",
        body=json_body(lambda _: {"answers": {"space": "park"}}),
        note="anyone may answer an open consultation",
    ),
    Case(
        "GET",
        CONSULTATION + "/results",
        expect(403, institution_officer=OK),
        url="/api/v1/consultations/{c_open}/results",
        note="live results are the owner's until published",
    ),
    Case(
        "GET",
        CONSULTATION + "/results/download",
        expect(403, institution_officer=OK),
        url="/api/v1/consultations/{c_open}/results/download?format=csv",
        note="the results' files follow the results: the owner's until published",
    ),
    Case(
        "GET",
        "/api/v1/consultations/feed.atom",
        PUBLIC,
        url=f"/api/v1/consultations/feed.atom?place={COUNTRY}",
        check=listed_for("c_open", ROLES, unchecked=("bad_token",)),
        note="a place's feed lists its open consultations to anyone, never a draft",
    ),
    Case(
        "GET",
        CONSULTATION + "/feed.atom",
        expect(404, institution_officer=OK),
        url="/api/v1/consultations/{c_draft}/feed.atom",
        note="a draft has no feed but for its owner",
    ),
    Case(
        "GET", CONSULTATION + "/feed.atom", PUBLIC, url="/api/v1/consultations/{c_open}/feed.atom"
    ),
    Case(
        "GET",
        CONSULTATION + "/export",
        expect(403, anonymous=401, institution_officer=OK),
        url="/api/v1/consultations/{c_open}/export?what=responses&format=json",
        note="raw responses: the owner only",
    ),
    Case(
        "GET",
        CONSULTATION + "/export",
        expect(403, anonymous=401, institution_officer=OK),
        url="/api/v1/consultations/{c_open}/export?what=results&format=csv",
    ),
    # -- notifications -------------------------------------------------------------------
    Case(
        "POST",
        "/api/v1/alerts",
        expect(403, anonymous=401, alert_publisher=OK, admin=OK),
        body=json_body(alert_body),
    ),
    Case("GET", "/api/v1/alerts", PUBLIC),
    Case(
        "POST",
        "/api/v1/alerts/preview",
        expect(403, anonymous=401, alert_publisher=OK, admin=OK),
        body=json_body(alert_body),
    ),
    Case(
        "POST",
        "/api/v1/alerts/import",
        expect(403, anonymous=401, alert_publisher=OK, admin=OK),
        body=lambda _: {
            "content": f"Country,Session,Start\n{COUNTRY},49,2030-01-10\n".encode(),
            "headers": {"content-type": "text/csv"},
        },
        note="a dry run by default: nothing is published",
    ),
    Case("GET", "/api/v1/mandates", PUBLIC),
    Case("GET", ALERT, PUBLIC, url="/api/v1/alerts/{alert}"),
    Case(
        "PATCH",
        ALERT,
        expect(403, anonymous=401, alert_publisher=OK, admin=OK),
        url="/api/v1/alerts/{alert}",
        body=json_body(lambda _: {"title": {"en": "Call for input, extended"}}),
    ),
    Case(
        "POST",
        ALERT + "/cancel",
        expect(403, anonymous=401, alert_publisher=PASS, admin=PASS),
        url="/api/v1/alerts/{alert_to_cancel}/cancel",
    ),
    Case(
        "GET",
        ALERT + "/deliveries",
        expect(403, anonymous=401, alert_publisher=OK, admin=OK),
        url="/api/v1/alerts/{alert}/deliveries",
    ),
    Case(
        "POST",
        ALERT + "/deliveries/replay",
        expect(403, anonymous=401, alert_publisher=OK, admin=OK),
        url="/api/v1/alerts/{alert}/deliveries/replay",
    ),
    Case(
        "POST",
        "/api/v1/deliveries/{delivery_id}/replay",
        expect(403, anonymous=401, alert_publisher=404, admin=404),
        url="/api/v1/deliveries/{unknown}/replay",
    ),
    Case(
        "POST",
        "/api/v1/subscriptions",
        expect(403, anonymous=401, other_officer=OK, institution_officer=OK),
        body=json_body(lambda _: {"channel": "inbox", "countries": [COUNTRY]}),
        note="a subscription is always the caller's own institution's",
    ),
    Case(
        "GET",
        "/api/v1/subscriptions",
        expect(403, anonymous=401, other_officer=OK, institution_officer=OK, admin=OK),
        check=listed_for("subscription", ("institution_officer",), unchecked=("admin",)),
    ),
    Case(
        "GET",
        SUBSCRIPTION,
        expect(403, anonymous=401, other_officer=404, institution_officer=OK, admin=OK),
        url="/api/v1/subscriptions/{subscription}",
    ),
    Case(
        "PATCH",
        SUBSCRIPTION,
        expect(403, anonymous=401, other_officer=404, institution_officer=OK, admin=OK),
        url="/api/v1/subscriptions/{subscription}",
        body=json_body(lambda _: {"countries": [COUNTRY], "mode": "immediate"}),
    ),
    Case(
        "POST",
        SUBSCRIPTION + "/test",
        expect(403, anonymous=401, other_officer=404, institution_officer=422, admin=422),
        url="/api/v1/subscriptions/{subscription}/test",
        note="an inbox subscription has nothing to test (422); another's is unknown",
    ),
    Case(
        "DELETE",
        SUBSCRIPTION,
        expect(403, anonymous=401, other_officer=404, institution_officer=OK, admin=PASS),
        url="/api/v1/subscriptions/{subscription_to_delete}",
    ),
    Case(
        "GET",
        "/api/v1/inbox",
        expect(403, anonymous=401, other_officer=OK, institution_officer=OK),
        url="/api/v1/inbox?limit=200",
        check=listed_for("inbox_item", ("institution_officer",)),
        note="an inbox is its institution's only; an admin has none",
    ),
    Case(
        "GET",
        "/api/v1/inbox/{item_id}",
        expect(403, anonymous=401, other_officer=404, institution_officer=OK),
        url="/api/v1/inbox/{inbox_item}",
    ),
    Case(
        "POST",
        "/api/v1/inbox/{item_id}/unread",
        expect(403, anonymous=401, other_officer=404, institution_officer=OK),
        url="/api/v1/inbox/{inbox_item}/unread",
    ),
    Case(
        "POST",
        "/api/v1/inbox/{item_id}/read",
        expect(403, anonymous=401, other_officer=404, institution_officer=OK),
        url="/api/v1/inbox/{inbox_item}/read",
    ),
    Case("GET", "/api/v1/feeds/alerts.atom", PUBLIC),
    Case("GET", "/api/v1/feeds/calendar.ics", PUBLIC),
    # -- recommendations -----------------------------------------------------------------
    Case("GET", "/api/v1/recommendations", PUBLIC),
    Case("GET", "/api/v1/recommendations/facets", PUBLIC),
    Case(
        "PATCH",
        "/api/v1/recommendations",
        expect(403, anonymous=401, ministry_officer=OK, admin=OK),
        body=json_body(
            lambda ids: {
                "ids": [ids["recommendation"]],
                "owner_level": "local",
                "jurisdictions": [A_PLACE],
            }
        ),
    ),
    Case(
        "POST",
        "/api/v1/recommendations/imports",
        expect(403, anonymous=401, ministry_officer=OK, admin=OK),
        body=lambda _: {
            "content": uhri_csv(f"A/HRC/J/{uuid4().hex[:6]}"),
            "headers": {"content-type": "text/csv"},
        },
    ),
    Case(
        "GET",
        "/api/v1/recommendations/imports/{job_id}",
        expect(403, anonymous=401, ministry_officer=404, admin=404),
        url="/api/v1/recommendations/imports/{unknown}",
    ),
    Case(
        "POST",
        "/api/v1/recommendations/import",
        expect(403, anonymous=401, ministry_officer=OK, admin=OK),
        body=lambda _: {
            "content": uhri_csv(f"A/HRC/M/{uuid4().hex[:6]}"),
            "headers": {"content-type": "text/csv"},
        },
    ),
    Case(
        "GET",
        "/api/v1/recommendations/{recommendation_id}",
        PUBLIC,
        url="/api/v1/recommendations/{recommendation}",
    ),
    Case(
        "PATCH",
        "/api/v1/recommendations/{recommendation_id}",
        expect(403, anonymous=401, ministry_officer=OK, admin=OK),
        url="/api/v1/recommendations/{recommendation}",
        body=json_body(lambda _: {"owner_level": "local", "jurisdictions": [A_PLACE]}),
    ),
    Case(
        "POST",
        "/api/v1/exercises",
        expect(403, anonymous=401, ministry_officer=OK, admin=PASS),
        body=json_body(
            lambda ids: {
                "report_type": "upr_midterm_report",
                "country": COUNTRY,
                "mechanism": "UPR",
                "title": "Matrix exercise",
                "deadline": (datetime.now(UTC) + timedelta(days=30)).date().isoformat(),
                "recommendation_ids": [ids["recommendation"]],
                "invited_institution_ids": [ids["institution_a"]],
            }
        ),
    ),
    Case(
        "GET",
        "/api/v1/exercises",
        expect(OK, anonymous=401),
        check=listed_for("exercise_draft", ("ministry_officer",), unchecked=("admin",)),
    ),
    Case(
        "GET",
        EXERCISE,
        expect(
            403,
            anonymous=401,
            ministry_officer=OK,
            admin=OK,
            institution_officer=OK,
            other_officer=OK,
        ),
        url="/api/v1/exercises/{exercise}",
        note="its ministry, and the invited institutions once open",
    ),
    Case(
        "GET",
        EXERCISE,
        expect(403, anonymous=401, ministry_officer=OK, admin=OK),
        url="/api/v1/exercises/{exercise_draft}",
    ),
    Case(
        "GET",
        EXERCISE + "/recommendations",
        expect(
            403,
            anonymous=401,
            ministry_officer=OK,
            admin=OK,
            institution_officer=OK,
            other_officer=OK,
        ),
        url="/api/v1/exercises/{exercise}/recommendations",
        note="as the exercise itself: its ministry, and the invited once open",
    ),
    Case(
        "POST",
        EXERCISE + "/reminders",
        expect(403, anonymous=401, ministry_officer=OK, admin=OK),
        url="/api/v1/exercises/{exercise}/reminders",
    ),
    Case(
        "POST",
        EXERCISE + "/open",
        expect(403, anonymous=401, ministry_officer=PASS, admin=PASS),
        url="/api/v1/exercises/{exercise_draft}/open",
    ),
    Case(
        "POST",
        EXERCISE + "/close",
        expect(403, anonymous=401, ministry_officer=PASS, admin=PASS),
        url="/api/v1/exercises/{exercise_to_close}/close",
    ),
    Case(
        "POST",
        EXERCISE + "/inputs",
        # An invited institution writes its own input (a new version of it); nobody else.
        expect(403, anonymous=401, other_officer=OK, institution_officer=OK),
        url="/api/v1/exercises/{exercise}/inputs",
        body=json_body(
            lambda ids: {"recommendation_id": ids["recommendation"], "status": "in_progress"}
        ),
    ),
    Case(
        "GET",
        EXERCISE + "/inputs",
        expect(
            403,
            anonymous=401,
            ministry_officer=OK,
            admin=OK,
            institution_officer=OK,
            other_officer=OK,
        ),
        url="/api/v1/exercises/{exercise}/inputs",
        check=listed_for("input_a", ("ministry_officer", "admin", "institution_officer")),
        note="an invited institution lists only its own input",
    ),
    Case(
        "GET",
        EXERCISE + "/inputs/{input_id}/versions",
        expect(
            403,
            anonymous=401,
            ministry_officer=OK,
            admin=OK,
            institution_officer=OK,
            other_officer=404,
        ),
        url="/api/v1/exercises/{exercise}/inputs/{input_a}/versions",
    ),
    Case(
        "GET",
        EXERCISE + "/coverage",
        expect(403, anonymous=401, ministry_officer=OK, admin=OK),
        url="/api/v1/exercises/{exercise}/coverage",
    ),
    Case(
        "GET",
        EXERCISE + "/compilation",
        expect(403, anonymous=401, ministry_officer=OK, admin=OK),
        url="/api/v1/exercises/{exercise}/compilation?format=csv",
    ),
    # -- recommendations: follow-up between reviews ----------------------------------------
    Case(
        "GET",
        "/api/v1/follow-up/reviews",
        expect(403, anonymous=401, ministry_officer=OK, admin=OK),
        url=f"/api/v1/follow-up/reviews?country={COUNTRY}&page_size=200",
        check=listed_for("status_a", ("ministry_officer", "admin")),
        note="the statuses waiting for its ministry: the ministry's (and an admin's) alone",
    ),
    Case(
        "POST",
        STATUS + "/validate",
        expect(403, anonymous=401, ministry_officer=OK, admin=PASS),
        url="/api/v1/follow-up/statuses/{status_a}/validate",
        note="the ministry of the recommendation's country; then validating twice is a 409",
    ),
    Case(
        "POST",
        STATUS + "/validate",
        expect(403, anonymous=401, ministry_officer=404, admin=404),
        url="/api/v1/follow-up/statuses/{unknown}/validate",
    ),
    Case(
        "POST",
        STATUS + "/return",
        expect(403, anonymous=401, ministry_officer=OK, admin=PASS),
        url="/api/v1/follow-up/statuses/{status_to_return}/return",
        body=json_body(lambda _: {"comment": "Say which measures were taken, please."}),
    ),
    Case(
        "POST",
        "/api/v1/follow-up/statuses",
        # Its own institution's status in its own place: officers (a ministry's too).
        expect(403, anonymous=401, other_officer=OK, ministry_officer=OK, institution_officer=OK),
        body=json_body(
            lambda ids: {
                "recommendation_id": ids["recommendation"],
                "status": "partially_implemented",
                "as_of": today(),
            }
        ),
        note="an admin has no institution, hence no place to report on",
    ),
    Case(
        "GET",
        "/api/v1/follow-up/recommendations/{recommendation_id}",
        PUBLIC,
        url="/api/v1/follow-up/recommendations/{recommendation}",
        check=listed_for("status_a", A_FOLLOW_UP),
        note="an unpublished institution's timeline: itself, its ministry and an admin",
    ),
    Case(
        "GET",
        "/api/v1/follow-up/places/{code}",
        PUBLIC,
        url=f"/api/v1/follow-up/places/{A_PLACE}",
        check=listed_for("indicator_a", A_FOLLOW_UP),
    ),
    Case(
        "GET",
        "/api/v1/follow-up/countries/{code}",
        PUBLIC,
        url=f"/api/v1/follow-up/countries/{COUNTRY}",
    ),
    Case(
        "GET",
        "/api/v1/follow-up/export",
        PUBLIC,
        url=f"/api/v1/follow-up/export?what=timeline&format=json&country={COUNTRY}",
        check=listed_for("status_a", A_FOLLOW_UP),
    ),
    Case(
        "GET",
        "/api/v1/follow-up/feed.atom",
        PUBLIC,
        url=f"/api/v1/follow-up/feed.atom?place={COUNTRY}",
        check=listed_for("status_b", ROLES, unchecked=("bad_token",)),
        note="the feed is what institutions publish, the same for everyone",
    ),
    Case(
        "GET",
        "/api/v1/follow-up/feed.atom",
        PUBLIC,
        url=f"/api/v1/follow-up/feed.atom?place={COUNTRY}",
        check=listed_for("status_a", ()),
    ),
    Case(
        "GET",
        "/api/v1/follow-up/publication",
        expect(403, anonymous=401, other_officer=OK, ministry_officer=OK, institution_officer=OK),
    ),
    Case("GET", "/api/v1/recurrences", PUBLIC, url=f"/api/v1/recurrences?country={COUNTRY}"),
    Case(
        "POST",
        "/api/v1/recurrences/suggest",
        expect(403, anonymous=401, ministry_officer=OK, admin=OK),
        url=f"/api/v1/recurrences/suggest?country={COUNTRY}",
    ),
    Case(
        "POST",
        "/api/v1/recurrences/{link_id}/confirm",
        expect(403, anonymous=401, ministry_officer=OK, admin=PASS),
        url="/api/v1/recurrences/{link_to_confirm}/confirm",
        note="the ministry of the country; then deciding again is a 409",
    ),
    Case(
        "POST",
        "/api/v1/recurrences/{link_id}/reject",
        expect(403, anonymous=401, ministry_officer=OK, admin=PASS),
        url="/api/v1/recurrences/{link_to_reject}/reject",
    ),
    Case(
        "POST",
        "/api/v1/indicators",
        expect(403, anonymous=401, other_officer=OK, ministry_officer=OK, institution_officer=OK),
        body=json_body(
            lambda ids: {
                "name": {"en": "Births registered within 10 days"},
                "unit": "%",
                "kind": "process",
                "recommendation_ids": [ids["recommendation"]],
            }
        ),
        note="an institution's own indicator; an admin has no institution",
    ),
    Case(
        "GET",
        "/api/v1/indicators",
        PUBLIC,
        url=f"/api/v1/indicators?country={COUNTRY}",
        check=listed_for("indicator_a", A_FOLLOW_UP),
    ),
    Case(
        "GET",
        INDICATOR,
        expect(404, ministry_officer=OK, institution_officer=OK, admin=OK),
        url="/api/v1/indicators/{indicator_a}",
        note="an unpublished institution's indicator is hidden from the others",
    ),
    Case(
        "PATCH",
        INDICATOR,
        expect(404, ministry_officer=403, institution_officer=OK, admin=OK),
        url="/api/v1/indicators/{indicator_a}",
        body=json_body(lambda _: {"source": "Civil registry of Capellen"}),
        note="seen by its ministry, changed by its institution only",
    ),
    Case(
        "POST",
        INDICATOR + "/observations",
        expect(404, ministry_officer=OK, institution_officer=OK, admin=403),
        url="/api/v1/indicators/{indicator_a}/observations",
        body=json_body(lambda _: {"observed_on": today(), "value": 87.5}),
        note="a value in the caller's own place (the ministry's is the country)",
    ),
    Case(
        "POST",
        INDICATOR + "/observations",
        expect(403, anonymous=401, other_officer=OK, ministry_officer=OK, institution_officer=OK),
        url="/api/v1/indicators/{indicator_b}/observations",
        body=json_body(lambda _: {"observed_on": today(), "value": 91.0}),
        note="a published indicator may be observed in every place of its country",
    ),
    Case(
        "GET",
        INDICATOR + "/observations",
        expect(404, ministry_officer=OK, institution_officer=OK, admin=OK),
        url="/api/v1/indicators/{indicator_a}/observations",
    ),
    Case(
        "GET",
        INDICATOR + "/observations",
        PUBLIC,
        url="/api/v1/indicators/{indicator_b}/observations",
    ),
    Case(
        "PUT",
        "/api/v1/follow-up/publication",
        expect(403, anonymous=401, other_officer=OK, ministry_officer=OK, institution_officer=OK),
        body=json_body(lambda _: {"published": False}),
        note="always the caller's own institution's (last: B stops publishing)",
    ),
    Case("GET", "/api/v1/sdg/goals", PUBLIC),
    Case("GET", "/api/v1/sdg/targets", PUBLIC),
)


@dataclass
class World:
    """The callers and the objects every case is called on, created once per module."""

    callers: dict[str, httpx.AsyncClient] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)


@pytest.fixture(scope="module")
async def world(stack: Stack) -> AsyncIterator[World]:
    platform = Platform(stack.gateway_url, stack.admin)
    try:
        yield await _build_world(platform)
    finally:
        await platform.close()


async def _build_world(platform: Platform) -> World:
    admin = await platform.as_admin()
    officer_a = await platform.institution_with_officer(
        name="Commune de Capellen", kind="municipality", country=COUNTRY, jurisdiction=A_PLACE
    )
    officer_b = await platform.institution_with_officer(
        name="Commune de Diekirch", kind="municipality", country=COUNTRY, jurisdiction=B_PLACE
    )
    ministry = await platform.institution_with_officer(
        name="Ministère des Affaires étrangères",
        kind="ministry",
        country=COUNTRY,
        jurisdiction=COUNTRY,
        roles=("ministry_officer",),
    )
    publisher = await platform.institution_with_officer(
        name="UN alerts desk",
        kind="other",
        country=COUNTRY,
        jurisdiction=COUNTRY,
        roles=("alert_publisher",),
    )
    ids: dict[str, str] = {
        "institution_a": str(officer_a.institution_id),
        "institution_b": str(officer_b.institution_id),
        "institution_p": str(publisher.institution_id),
        "unknown": str(uuid4()),
    }
    me = await officer_a.call("GET", "/api/v1/me", expect=200)
    ids["user_a"] = me["subject"].partition(":")[2]

    key = await admin.call(
        "POST",
        "/api/v1/api-keys",
        json={
            "name": "B's machine",
            "roles": ["institution_officer"],
            "institution_id": ids["institution_b"],
        },
        expect=201,
    )
    spare = await admin.call(
        "POST",
        "/api/v1/api-keys",
        json={
            "name": "spare",
            "roles": ["alert_publisher"],
            "institution_id": ids["institution_p"],
        },
        expect=201,
    )
    ids["spare_api_key"] = spare["id"]

    # Consultations of A in each state a row needs.
    async def consultation(*transitions: str, mode: str = "open") -> str:
        created = await officer_a.call(
            "POST", "/api/v1/consultations", json=consultation_body(ids, mode), expect=201
        )
        for transition in transitions:
            await officer_a.call(
                "POST", f"/api/v1/consultations/{created['id']}/{transition}", expect=200
            )
        return str(created["id"])

    ids["c_draft"] = await consultation()
    ids["c_to_open"] = await consultation()
    ids["c_open"] = await consultation("open")
    ids["c_codes"] = await consultation("open", mode="code")
    ids["c_to_close"] = await consultation("open")
    ids["c_to_publish"] = await consultation("open", "close")
    answered = await platform.anonymous().post(
        f"/api/v1/consultations/{ids['c_open']}/responses",
        json={"answers": {"space": "library"}},
    )
    assert answered.status_code == 201, answered.text

    for name in ("alert", "alert_to_cancel"):
        alert = await publisher.call("POST", "/api/v1/alerts", json=alert_body(ids), expect=201)
        ids[name] = str(alert["id"])
    for name in ("subscription", "subscription_to_delete"):
        subscription = await officer_a.call(
            "POST",
            "/api/v1/subscriptions",
            json={"channel": "inbox", "countries": ["AQ"], "kinds": ["upr_review"]},
            expect=201,
        )
        ids[name] = str(subscription["id"])

    await _recommendations_and_exercises(ministry, officer_a, officer_b, ids)

    async def inbox_item() -> str:
        page = await officer_a.call("GET", "/api/v1/inbox", params={"limit": 200}, expect=200)
        mine = [i for i in page["items"] if i["facts"].get("exercise_id") == ids["exercise"]]
        assert mine, page
        return str(mine[0]["id"])

    ids["inbox_item"] = await eventually(inbox_item)

    callers = {
        "anonymous": platform.anonymous(
            **{"User-Agent": "Mozilla/5.0 (Linux; Android 14; matrix) Mobile Safari/537.36"}
        ),
        "anonymous_bare": platform.anonymous(),
        "bad_token": platform.anonymous(authorization=f"Bearer {_foreign_token()}"),
        "alert_publisher": publisher.client,
        "api_key": platform.anonymous(**{"X-API-Key": key["key"]}),
        "other_officer": officer_b.client,
        "ministry_officer": ministry.client,
        "institution_officer": officer_a.client,
        "admin": admin.client,
    }
    del callers["anonymous_bare"].headers["user-agent"]
    return World(callers=callers, ids=ids)


async def _recommendations_and_exercises(
    ministry: Actor, officer_a: Actor, officer_b: Actor, ids: dict[str, str]
) -> None:
    symbol = f"A/HRC/MATRIX/{uuid4().hex[:6]}"
    report = await ministry.call(
        "POST",
        "/api/v1/recommendations/import",
        content=uhri_csv(symbol),
        headers={"content-type": "text/csv"},
        expect=200,
    )
    assert report["created"] == 1, report
    page = await ministry.call(
        "GET", "/api/v1/recommendations", params={"country": COUNTRY, "page_size": 200}, expect=200
    )
    ids["recommendation"] = next(
        str(r["id"]) for r in page["items"] if r["document_symbol"] == symbol
    )

    async def exercise(*transitions: str, invited: list[str]) -> str:
        created = await ministry.call(
            "POST",
            "/api/v1/exercises",
            json={
                "report_type": "upr_midterm_report",
                "country": COUNTRY,
                "mechanism": "UPR",
                "title": f"Mid-term report {symbol}",
                "deadline": (datetime.now(UTC) + timedelta(days=30)).date().isoformat(),
                "recommendation_ids": [ids["recommendation"]],
                "invited_institution_ids": invited,
            },
            expect=201,
        )
        for transition in transitions:
            await ministry.call(
                "POST", f"/api/v1/exercises/{created['id']}/{transition}", expect=200
            )
        return str(created["id"])

    both = [ids["institution_a"], ids["institution_b"]]
    ids["exercise"] = await exercise("open", invited=both)
    ids["exercise_draft"] = await exercise(invited=both)
    ids["exercise_to_close"] = await exercise("open", invited=both)
    body = {"recommendation_id": ids["recommendation"], "status": "in_progress"}
    submitted = await officer_a.call(
        "POST", f"/api/v1/exercises/{ids['exercise']}/inputs", json=body, expect=201
    )
    ids["input_a"] = str(submitted["id"])
    await officer_b.call(
        "POST", f"/api/v1/exercises/{ids['exercise']}/inputs", json=body, expect=201
    )
    await _follow_up(ministry, officer_a, officer_b, ids)


async def _follow_up(
    ministry: Actor, officer_a: Actor, officer_b: Actor, ids: dict[str, str]
) -> None:
    """A's statuses and indicator unpublished, B's published; two suggested repeats."""
    await officer_b.call("PUT", "/api/v1/follow-up/publication", json={"published": True})
    for key, officer in (("status_a", officer_a), ("status_to_return", officer_b)):
        entry = await officer.call(
            "POST",
            "/api/v1/follow-up/statuses",
            json={"recommendation_id": ids["recommendation"], "status": "in_progress"},
            expect=201,
        )
        ids[key] = str(entry["id"])
    ids["status_b"] = ids["status_to_return"]
    for key, officer in (("indicator_a", officer_a), ("indicator_b", officer_b)):
        indicator = await officer.call(
            "POST",
            "/api/v1/indicators",
            json={"name": {"en": "Births registered late"}, "unit": "births", "kind": "outcome"},
            expect=201,
        )
        ids[key] = str(indicator["id"])
        await officer.call(
            "POST",
            f"/api/v1/indicators/{indicator['id']}/observations",
            json={"observed_on": today(), "value": 12},
            expect=201,
        )
    earlier = (
        "Ensure that municipalities register every birth",
        "Ensure municipalities register every birth",
    )
    await ministry.call(
        "POST",
        "/api/v1/recommendations/import",
        content=upr_info_csv(*earlier),
        headers={"content-type": "text/csv"},
        expect=200,
    )

    async def suggested() -> list[str]:
        page = await ministry.call(
            "GET",
            "/api/v1/recurrences",
            params={"country": COUNTRY, "status": "suggested", "page_size": 200},
            expect=200,
        )
        links = [
            str(link["id"])
            for link in page["items"]
            if link["later"]["id"] == ids["recommendation"]
        ]
        assert len(links) >= 2, page
        return links

    ids["link_to_confirm"], ids["link_to_reject"], *_ = await eventually(suggested)


def _foreign_token() -> str:
    """A well-formed HS256 token with the right claims, signed with another key."""
    import jwt

    now = datetime.now(UTC)
    claims = {
        "iss": "localrights",
        "aud": "localrights-api",
        "sub": f"user:{uuid4()}",
        "iat": now,
        "exp": now + timedelta(minutes=10),
        "roles": ["admin"],
    }
    return jwt.encode(claims, "not-the-gateway-secret-" + "x" * 32, algorithm="HS256")


def _matches(expected: Expect, status: int) -> bool:
    if expected == OK:
        return 200 <= status < 300
    if expected == PASS:
        return status < 500 and status not in (401, 403)
    return status == expected


def _case_id(case: Case, role: str) -> str:
    target = case.url or case.route
    return f"{case.method} {target} as {role}"


PARAMS = [pytest.param(case, role, id=_case_id(case, role)) for case in CASES for role in ROLES]


@pytest.mark.parametrize(("case", "role"), PARAMS)
async def test_access(world: World, case: Case, role: str) -> None:
    client = world.callers[role]
    url = (case.url or case.route).format(**world.ids)
    kwargs = case.body(world.ids) if case.body else {}
    response = await client.request(case.method, url, **kwargs)
    expected = case.expect[role]
    assert _matches(expected, response.status_code), (
        f"{case.method} {url} as {role}: expected {expected}, got "
        f"{response.status_code}: {response.text[:500]}"
    )
    assert response.status_code < 500
    if response.status_code in (401, 403, 404):
        assert response.headers["content-type"].startswith("application/problem+json")
    if case.check is not None:
        case.check(role, response, world.ids)


async def test_every_public_route_is_classified(stack: Stack) -> None:
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=30) as client:
        document = (await client.get("/api/v1/openapi.json")).json()
    assert "x-localrights-unavailable" not in document
    published = {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }
    classified = {(case.method, case.route) for case in CASES}
    assert published - classified == set(), "classify these routes in CASES"
    assert classified - published == set(), "these routes are gone: remove their rows"


async def test_merged_openapi_lists_every_route_of_every_service(stack: Stack) -> None:
    """Each service's own document, route by route, is in the gateway's merged one."""
    async with httpx.AsyncClient(timeout=30) as client:
        merged = (await client.get(f"{stack.gateway_url}/api/v1/openapi.json")).json()
        for service in ("consultation", "notifications", "recommendations"):
            own = (await client.get(f"{stack.service_url(service)}/api/v1/openapi.json")).json()
            operations = {
                (method, path)
                for path, item in own["paths"].items()
                for method in item
                if method in {"get", "post", "put", "patch", "delete"}
            }
            assert operations, service
            missing = {(m, p) for m, p in operations if m not in merged["paths"].get(p, {})}
            assert missing == set(), f"{service} routes missing from the merged document"
