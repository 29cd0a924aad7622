"""Field scenario: a city commission in a country without a national human-rights institution.

Minneapolis (US) has no national human-rights institution to pass UN news down, so its city
civil-rights commission subscribes itself. A country visit of the Special Rapporteur on
adequate housing is announced, then updated once the dates are agreed: the commission's
webhook receives both (Standard Webhooks signatures verified, counted by webhook-id), and
the public iCalendar feed for the US, read by the icalendar library as a calendar client
would, shows the visit on the new dates.
"""

from __future__ import annotations

from datetime import date, timedelta

from icalendar import Calendar

from .platform_client import Platform, eventually
from .webhook_sink import Delivery, WebhookSink

MANDATE = "SR on adequate housing"


async def calendar_events(platform: Platform, alert_id: str) -> list[Calendar]:
    """The public US calendar's events that belong to one alert (no account needed)."""
    response = await platform.anonymous().get(
        "/api/v1/feeds/calendar.ics", params={"country": "US"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    return [e for e in calendar.walk("VEVENT") if str(e["UID"]).startswith(alert_id)]


async def test_minneapolis_commission_follows_housing_rapporteur_visit_by_webhook_and_calendar(
    platform: Platform, webhook_sink: WebhookSink
) -> None:
    commission = await platform.institution_with_officer(
        name="Minneapolis Commission on Civil Rights",
        kind="local_hr_commission",
        country="US",
        jurisdiction="US-MN",
        municipality="Minneapolis",
    )
    subscription = await commission.call(
        "POST",
        "/api/v1/subscriptions",
        json={
            "name": "UN reviews and visits, United States",
            "countries": ["US"],
            "kinds": ["treaty_body_review", "country_visit"],
            "channel": "webhook",
            "url": webhook_sink.url("minneapolis"),
        },
        expect=201,
    )
    webhook_sink.expect("minneapolis", subscription["secret"])
    publisher = await platform.institution_with_officer(
        name="OHCHR-facing focal point, US Department of State",
        kind="ministry",
        country="US",
        jurisdiction="US",
        roles=("alert_publisher",),
    )
    # A UPR session is not among the commission's kinds: it must not reach the webhook.
    await publisher.call(
        "POST",
        "/api/v1/alerts",
        json={
            "kind": "upr_review",
            "country": "US",
            "mechanism": "UPR",
            "title": {"en": "UPR of the United States, 4th cycle"},
            "starts_on": "2025-11-10",
        },
        expect=201,
    )
    visit = await publisher.call(
        "POST",
        "/api/v1/alerts",
        json={
            "kind": "country_visit",
            "stage": "announced",
            "country": "US",
            "mechanism": MANDATE,
            "title": {"en": "Special Rapporteur on adequate housing to visit the United States"},
            "themes": ["housing"],
            "how_to_take_part": {"en": "Cities may send information and host a site visit."},
        },
        expect=201,
    )
    assert visit["revision"] == 1
    assert await calendar_events(platform, visit["id"]) == []  # no dates yet: nothing to show

    starts_on = date.today() + timedelta(days=120)
    ends_on = starts_on + timedelta(days=11)
    updated = await publisher.call(
        "PATCH",
        f"/api/v1/alerts/{visit['id']}",
        json={"starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()},
        expect=200,
    )
    assert updated["revision"] == 2

    async def both_delivered() -> list[Delivery]:
        deliveries = webhook_sink.deliveries("minneapolis")
        assert sorted(
            (d.type, d.data.get("alert_id"), d.data.get("revision")) for d in deliveries
        ) == [
            ("alert.published", visit["id"], 1),
            ("alert.updated", visit["id"], 2),
        ], deliveries
        return deliveries

    deliveries = await eventually(both_delivered, timeout=60)
    assert len({d.webhook_id for d in deliveries}) == 2
    announced, dated = sorted(deliveries, key=lambda d: int(d.data["revision"]))
    assert announced.data["starts_on"] is None and announced.data["stage"] == "announced"
    assert (dated.data["starts_on"], dated.data["ends_on"]) == (
        starts_on.isoformat(),
        ends_on.isoformat(),
    )
    assert dated.data["mechanism"] == MANDATE
    assert webhook_sink.rejected == []

    (event,) = await calendar_events(platform, visit["id"])
    assert event.decoded("DTSTART") == starts_on
    assert event.decoded("DTEND") == ends_on + timedelta(days=1)  # DTEND is exclusive
    assert int(event["SEQUENCE"]) == 2  # clients move the event they have, not add another
    assert "Special Rapporteur on adequate housing" in str(event["SUMMARY"])
