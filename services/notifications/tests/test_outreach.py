"""Before anything goes out: an alert's reach, a calendar imported as alerts (dry run first),
a webhook's test delivery; the mandates list; replays by publishers; the exercise reminder."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from standardwebhooks import Webhook

from localrights.events import EXERCISE_EVENTS, new_event
from localrights.events.catalog.exercises import ExerciseReminderSent
from localrights.testing.helpers import eventually
from localrights_notifications.calendars import default_title, parse_date, read_csv, read_ical

from .conftest import Service, Sink, alert_body

DATA = Path(__file__).resolve().parents[3] / "tests" / "data"


class TestAlertReach:
    async def test_counts_the_subscriptions_and_institutions_the_alert_would_reach(
        self, service: Service, sink: Sink
    ) -> None:
        country = "SR"  # Suriname: no other test of this service subscribes to it
        first, second = uuid4(), uuid4()
        await service.subscribe(first, countries=[country])
        await service.subscribe(first, countries=[country], mechanisms=["CERD"])
        await service.subscribe(
            second, countries=[country], channel="webhook", url=sink.url("/hook")
        )
        await service.subscribe(second, countries=[country], mechanisms=["CEDAW"])  # not it
        await service.subscribe(uuid4(), countries=["UY"])  # another country
        body = alert_body(country=country, deadline=(date.today() + timedelta(days=60)).isoformat())
        preview = await service.client.post(
            "/api/v1/alerts/preview", json=body, headers=service.publisher()
        )
        assert preview.status_code == 200, preview.text
        reach = preview.json()["reach"]
        assert reach == {
            "subscriptions": 3,
            "institutions": 2,
            "by_channel": {"inbox": 2, "webhook": 1},
        }
        deadline = date.today() + timedelta(days=60)
        assert preview.json()["reminders"] == [
            (deadline - timedelta(days=30)).isoformat(),
            (deadline - timedelta(days=7)).isoformat(),
        ]
        # Nothing was published.
        listed = await service.client.get("/api/v1/alerts", params={"country": country})
        assert listed.json()["total"] == 0

    async def test_an_invalid_alert_is_refused_like_a_publication(self, service: Service) -> None:
        preview = await service.client.post(
            "/api/v1/alerts/preview", json=alert_body(country="XX"), headers=service.publisher()
        )
        assert preview.status_code == 422
        assert preview.json()["errors"][0]["location"] == "country"

    async def test_only_publishers_preview(self, service: Service) -> None:
        preview = await service.client.post(
            "/api/v1/alerts/preview", json=alert_body(), headers=service.officer(uuid4())
        )
        assert preview.status_code == 403


UPR_SESSION = (
    "State under review,Session,Date of review,Deadline for submissions\n"
    "Italy,48,2027-01-21,2026-10-01\n"
    "Viet Nam,48,22 January 2027,\n"
    "Atlantis,48,2027-01-23,\n"
    "Uruguay,48,2027-13-01,\n"
)


class TestCalendarImport:
    async def test_a_dry_run_shows_the_alerts_and_their_reminders_and_publishes_nothing(
        self, service: Service
    ) -> None:
        preview = await service.client.post(
            "/api/v1/alerts/import",
            content=UPR_SESSION.encode(),
            headers={**service.publisher(), "content-type": "text/csv"},
        )
        assert preview.status_code == 200, preview.text
        result = preview.json()
        assert result["published"] is False
        italy, vietnam = result["alerts"]
        assert italy["line"] == 2 and italy["alert"]["country"] == "IT"
        assert italy["alert"]["kind"] == "upr_review" and italy["alert"]["mechanism"] == "UPR"
        assert italy["alert"]["title"] == {
            "en": "Universal Periodic Review: Italy (48th session)",
            "fr": "Examen périodique universel : Italie (48e session)",
            "es": "Examen Periódico Universal: Italia (48.º período de sesiones)",
        }
        assert italy["alert"]["starts_on"] == "2027-01-21"
        assert vietnam["alert"]["country"] == "VN" and vietnam["alert"]["starts_on"] == "2027-01-22"
        assert [r["line"] for r in result["rejected"]] == [4, 5]
        assert "Atlantis" in result["rejected"][0]["reason"]
        assert "2027-13-01" in result["rejected"][1]["reason"]
        assert all(a["alert_id"] is None for a in result["alerts"])
        listed = await service.client.get("/api/v1/alerts", params={"country": "VN"})
        assert listed.json()["total"] == 0

    async def test_publishing_sends_every_valid_alert_of_the_calendar(
        self, service: Service
    ) -> None:
        institution = uuid4()
        await service.subscribe(institution, countries=["VN"])
        done = await service.client.post(
            "/api/v1/alerts/import",
            params={"dry_run": "false"},
            content=UPR_SESSION.encode(),
            headers={**service.publisher(), "content-type": "text/csv"},
        )
        assert done.status_code == 200, done.text
        assert done.json()["published"] is True
        ids = [a["alert_id"] for a in done.json()["alerts"]]
        assert all(ids) and len(ids) == 2
        fetched = await service.client.get(f"/api/v1/alerts/{ids[1]}")
        assert fetched.json()["title"]["en"].startswith("Universal Periodic Review: Vietnam")

        async def in_the_inbox() -> None:
            items = await service.client.get("/api/v1/inbox", headers=service.officer(institution))
            assert [i["alert_id"] for i in items.json()["items"]] == [ids[1]]

        await eventually(in_the_inbox)

    async def test_an_icalendar_session_programme_is_read_too(self, service: Service) -> None:
        ics = (DATA / "cerd_session_programme.ics").read_bytes()
        preview = await service.client.post(
            "/api/v1/alerts/import",
            content=ics,
            headers={**service.publisher(), "content-type": "text/calendar"},
        )
        assert preview.status_code == 200, preview.text
        alerts = [a["alert"] for a in preview.json()["alerts"]]
        assert [(a["country"], a["mechanism"], a["kind"], a["stage"]) for a in alerts] == [
            ("UY", "CERD", "treaty_body_review", "dialogue"),
            ("IT", "CERD", "treaty_body_review", "dialogue"),
        ]
        # An all-day event ends the day before its DTEND.
        assert (alerts[0]["starts_on"], alerts[0]["ends_on"]) == ("2027-04-13", "2027-04-14")

    async def test_a_file_that_is_no_calendar_is_a_422_naming_the_file(
        self, service: Service
    ) -> None:
        refused = await service.client.post(
            "/api/v1/alerts/import",
            content=b"name,age\nAda,36\n",
            headers={**service.publisher(), "content-type": "text/csv"},
        )
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["location"] == "file"


class TestCalendarRules:
    def test_dates_in_the_ways_calendars_write_them(self) -> None:
        assert parse_date("21 January 2027") == date(2027, 1, 21)
        assert parse_date("21/01/2027") == date(2027, 1, 21)
        with pytest.raises(ValueError, match="not a date"):
            parse_date("next week")

    def test_a_treaty_body_row_is_a_dialogue_with_its_committee(self) -> None:
        [row] = read_csv("Committee,State party,Start,End\nCEDAW,Peru,2027-02-03,2027-02-04\n")
        assert row.fields["kind"] == "treaty_body_review" and row.fields["stage"] == "dialogue"
        assert row.fields["title"]["en"] == "CEDAW reviews Peru"

    def test_a_mandate_named_in_full_is_the_short_name_alerts_carry(self) -> None:
        [row] = read_csv(
            "Mandate,Country,Start\n"
            "Special Rapporteur on adequate housing,United States,2027-03-01\n"
        )
        assert row.fields["mechanism"] == "SR on adequate housing"
        assert (row.fields["kind"], row.fields["stage"]) == ("country_visit", "announced")

    def test_cancelled_events_are_left_out(self) -> None:
        ics = (
            b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
            b"BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:CRC reviews Chile\r\nDTSTART;VALUE=DATE:20270301"
            b"\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        )
        assert read_ical(ics) == []

    def test_default_titles_name_the_country_in_each_language(self) -> None:
        titles = default_title("treaty_body_review", "CRC", "DE", None)
        assert titles == {
            "en": "CRC reviews Germany",
            "fr": "Examen par le CRC : Allemagne",
            "es": "Examen del CRC: Alemania",
        }


class TestMandates:
    async def test_every_mandate_has_a_name_in_three_languages(self, service: Service) -> None:
        listed = await service.client.get("/api/v1/mandates")
        assert listed.status_code == 200
        mandates = {m["code"]: m["name"] for m in listed.json()}
        assert mandates["SR on adequate housing"]["fr"].startswith("Rapporteur spécial")
        assert all(set(name) == {"en", "fr", "es"} for name in mandates.values())
        # Each is accepted as an alert's mechanism.
        alert = await service.publish(
            kind="country_visit", stage="announced", mechanism="IE on older persons"
        )
        assert alert["mechanism"] == "IE on older persons"


class TestWebhookTestDelivery:
    async def test_a_signed_test_event_reaches_the_endpoint(
        self, service: Service, sink: Sink
    ) -> None:
        institution = uuid4()
        created = await service.subscribe(institution, channel="webhook", url=sink.url("/ping"))
        tested = await service.client.post(
            f"/api/v1/subscriptions/{created['id']}/test", headers=service.officer(institution)
        )
        assert tested.status_code == 200, tested.text
        assert tested.json()["delivered"] is True and tested.json()["status_code"] == 200
        [received] = sink.received["/ping"]
        event = Webhook(created["secret"]).verify(received.body, received.headers)
        assert event["type"] == "subscription.tested" and event["subject"] == created["id"]

    async def test_a_failing_endpoint_is_reported_not_retried(
        self, service: Service, sink: Sink
    ) -> None:
        institution = uuid4()
        sink.always["/broken"] = (503, {})
        created = await service.subscribe(institution, channel="webhook", url=sink.url("/broken"))
        tested = await service.client.post(
            f"/api/v1/subscriptions/{created['id']}/test", headers=service.officer(institution)
        )
        assert tested.json()["delivered"] is False and tested.json()["status_code"] == 503
        assert tested.json()["error"] == "HTTP 503"
        assert len(sink.received["/broken"]) == 1

    async def test_another_institution_cannot_test_it(self, service: Service, sink: Sink) -> None:
        created = await service.subscribe(uuid4(), channel="webhook", url=sink.url("/x"))
        tested = await service.client.post(
            f"/api/v1/subscriptions/{created['id']}/test", headers=service.officer(uuid4())
        )
        assert tested.status_code == 404
        assert sink.received["/x"] == []

    async def test_an_inbox_subscription_has_nothing_to_test(self, service: Service) -> None:
        institution = uuid4()
        created = await service.subscribe(institution)
        tested = await service.client.post(
            f"/api/v1/subscriptions/{created['id']}/test", headers=service.officer(institution)
        )
        assert tested.status_code == 422


class TestReplayByPublishers:
    async def test_a_publisher_replays_the_dead_deliveries_of_its_alert(
        self, start_service: object, sink: Sink
    ) -> None:
        async with start_service(max_attempts=1) as service:  # type: ignore[operator]
            institution = uuid4()
            sink.script["/dead"] = [(500, {})]
            await service.subscribe(
                institution, channel="webhook", url=sink.url("/dead"), countries=["GY"]
            )
            alert = await service.publish(country="GY")

            async def dead() -> None:
                report = await service.client.get(
                    f"/api/v1/alerts/{alert['id']}/deliveries", headers=service.publisher()
                )
                assert report.json()["counts"] == {"dead": 1}
                assert report.json()["items"][0]["updated_at"]

            await eventually(dead)
            replayed = await service.client.post(
                f"/api/v1/alerts/{alert['id']}/deliveries/replay", headers=service.publisher()
            )
            assert replayed.status_code == 200 and replayed.json() == {"replayed": 1}

            async def delivered() -> None:
                report = await service.client.get(
                    f"/api/v1/alerts/{alert['id']}/deliveries", headers=service.publisher()
                )
                assert report.json()["counts"] == {"delivered": 1}

            await eventually(delivered)


class TestExerciseReminder:
    async def test_the_reminded_institutions_find_it_in_their_inbox(self, service: Service) -> None:
        reminded, answered = uuid4(), uuid4()
        exercise = uuid4()
        event = new_event(
            ExerciseReminderSent(
                exercise_id=exercise,
                ministry_institution_id=uuid4(),
                title="UPR mid-term report: local input",
                report_type="upr_midterm_report",
                country="IT",
                mechanism="UPR",
                deadline=date(2030, 6, 30),
                institution_ids=[reminded],
                sent_at=datetime.now(UTC),
            ),
            source="/recommendations",
        )
        await service.send_event(event, EXERCISE_EVENTS)

        async def landed() -> None:
            items = await service.client.get("/api/v1/inbox", headers=service.officer(reminded))
            assert len(items.json()["items"]) == 1
            item = items.json()["items"][0]
            assert item["kind"] == "reminder" and item["event_type"] == "exercise.reminder_sent"
            assert UUID(item["facts"]["exercise_id"]) == exercise

        await eventually(landed)
        items = await service.client.get("/api/v1/inbox", headers=service.officer(answered))
        assert items.json()["items"] == []


class TestPlaceMessages:
    async def test_a_wrong_place_code_names_both_iso_standards(self, service: Service) -> None:
        refused = await service.client.post(
            "/api/v1/subscriptions",
            json={"channel": "inbox", "jurisdictions": ["ITALY"]},
            headers=service.officer(uuid4()),
        )
        assert refused.status_code == 422
        message = json.dumps(refused.json()["errors"])
        assert "ISO 3166-1 country code (IT) or ISO 3166-2 subdivision code (IT-BO)" in message
