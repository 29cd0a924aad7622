"""Public feeds: Atom read by feedparser, iCalendar read by icalendar."""

from __future__ import annotations

from datetime import date

import feedparser
from icalendar import Calendar

from .conftest import Service


async def calendar(service: Service, **params: str) -> Calendar:
    response = await service.client.get("/api/v1/feeds/calendar.ics", params=params)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def events_by_uid(cal: Calendar) -> dict[str, object]:
    return {str(event["UID"]): event for event in cal.walk("VEVENT")}


class TestAtom:
    async def test_the_feed_parses_and_filters_by_country_and_mechanism(
        self, service: Service
    ) -> None:
        cerd = await service.publish()
        upr = await service.publish(
            kind="upr_review", stage=..., mechanism="UPR", country="IT", deadline=...
        )
        response = await service.client.get("/api/v1/feeds/alerts.atom")
        assert response.headers["content-type"].startswith("application/atom+xml")
        feed = feedparser.parse(response.content)
        assert not feed.bozo, feed.bozo_exception
        assert feed.version == "atom10"
        assert {e.id for e in feed.entries} == {f"urn:uuid:{cerd['id']}", f"urn:uuid:{upr['id']}"}
        [uy] = feedparser.parse(
            (await service.client.get("/api/v1/feeds/alerts.atom?country=UY")).content
        ).entries
        assert uy.id == f"urn:uuid:{cerd['id']}" and "CERD reviews Uruguay" in uy.title
        assert uy.link == "https://www.ohchr.org/en/treaty-bodies/cerd"
        [it] = feedparser.parse(
            (await service.client.get("/api/v1/feeds/alerts.atom?mechanism=UPR")).content
        ).entries
        assert it.id == f"urn:uuid:{upr['id']}"


class TestAtomSelfLink:
    """The feed names itself by the address its reader used, with the reader's query."""

    async def self_link(self, service: Service, query: str, **headers: str) -> tuple[str, str]:
        response = await service.client.get(f"/api/v1/feeds/alerts.atom{query}", headers=headers)
        assert response.status_code == 200, response.text
        feed = feedparser.parse(response.content).feed
        [self_link] = [link.href for link in feed.links if link.rel == "self"]
        return feed.id, self_link

    async def test_the_gateway_address_and_every_parameter_are_kept(self, service: Service) -> None:
        feed_id, self_link = await self.self_link(
            service,
            "?country=UY&mechanism=SR%20on%20adequate%20housing&lang=es",
            **{"x-forwarded-host": "127.0.0.1:18000", "x-forwarded-proto": "http"},
        )
        expected = (
            "http://127.0.0.1:18000/api/v1/feeds/alerts.atom"
            "?country=UY&mechanism=SR%20on%20adequate%20housing&lang=es"
        )
        assert self_link == expected and feed_id == expected

    async def test_the_language_is_kept_without_the_gateway_too(self, service: Service) -> None:
        _, self_link = await self.self_link(service, "?lang=es")
        public = service.settings.public_url.rstrip("/")
        assert self_link == f"{public}/api/v1/feeds/alerts.atom?lang=es"

    async def test_a_forwarded_host_that_is_not_a_host_is_ignored(self, service: Service) -> None:
        _, self_link = await self.self_link(
            service,
            "",
            **{"x-forwarded-host": 'evil.example/"><x', "x-forwarded-proto": "https"},
        )
        public = service.settings.public_url.rstrip("/")
        assert self_link == f"{public}/api/v1/feeds/alerts.atom"


class TestCalendar:
    async def test_sessions_and_deadlines_are_events_with_stable_uids(
        self, service: Service
    ) -> None:
        alert = await service.publish()
        cal = await calendar(service)
        assert str(cal["VERSION"]) == "2.0" and cal["PRODID"]
        events = events_by_uid(cal)
        session = events[f"{alert['id']}@alerts.localrights"]
        deadline = events[f"{alert['id']}-deadline@alerts.localrights"]
        assert session["DTSTART"].dt == date(2030, 8, 10)
        assert session["DTEND"].dt == date(2030, 8, 12)  # exclusive end of an all-day span
        assert deadline["DTSTART"].dt == date(2030, 7, 1)
        assert int(session["SEQUENCE"]) == 1 and str(session["STATUS"]) == "CONFIRMED"

        moved = await service.client.patch(
            f"/api/v1/alerts/{alert['id']}",
            json={"starts_on": "2030-09-01", "ends_on": "2030-09-02"},
            headers=service.publisher(),
        )
        assert moved.status_code == 200
        session = events_by_uid(await calendar(service))[f"{alert['id']}@alerts.localrights"]
        assert session["DTSTART"].dt == date(2030, 9, 1) and int(session["SEQUENCE"]) == 2

        await service.client.post(
            f"/api/v1/alerts/{alert['id']}/cancel", headers=service.publisher()
        )
        session = events_by_uid(await calendar(service))[f"{alert['id']}@alerts.localrights"]
        assert str(session["STATUS"]) == "CANCELLED" and int(session["SEQUENCE"]) == 3

    async def test_a_visit_without_deadline_and_the_filters(self, service: Service) -> None:
        visit = await service.publish(
            kind="country_visit",
            stage="announced",
            mechanism="SR on adequate housing",
            country="IT",
            deadline=...,
        )
        await service.publish()
        only_it = events_by_uid(await calendar(service, country="IT"))
        assert list(only_it) == [f"{visit['id']}@alerts.localrights"]
        by_mandate = events_by_uid(await calendar(service, mechanism="SR on adequate housing"))
        assert list(by_mandate) == [f"{visit['id']}@alerts.localrights"]
        assert "SR on adequate housing" in str(
            only_it[f"{visit['id']}@alerts.localrights"]["SUMMARY"]
        )
