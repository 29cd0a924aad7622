"""Working through many recommendations: bulk ownership, filter values, cycles and SDGs,
an exercise's list, reminders, imports followed as jobs, annexes named and dated for people."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
from fastapi import FastAPI
from sqlalchemy import update
from sqlmodel import col

from localrights.events import EXERCISE_EVENTS
from localrights.testing.helpers import eventually, read_topic
from localrights_recommendations.domain.rendering import annex_filename, readable_moment
from localrights_recommendations.models import ImportJob
from localrights_recommendations.service.importing import import_recommendations

from . import test_exercises
from .conftest import SAMPLES, Actors, upload
from .test_exercises import MONTEVIDEO, _create, _open, _submit

# Uruguay's recommendations from the UHRI samples, as the exercise tests load them.
uruguay = test_exercises.uruguay

UPR_INFO = (SAMPLES / "upr_info_sample.csv").read_bytes()


async def italy(client: httpx.AsyncClient, actors: Actors) -> list[dict[str, Any]]:
    await upload(client, actors.ministry, (SAMPLES / "uhri_italy_upr.csv").read_bytes())
    page = await client.get("/api/v1/recommendations", params={"country": "IT", "page_size": 200})
    return page.json()["items"]  # type: ignore[no-any-return]


class TestBulkOwnership:
    async def test_many_recommendations_get_one_owner_level(
        self, client: httpx.AsyncClient, actors: Actors
    ) -> None:
        found = await italy(client, actors)
        chosen = [r["id"] for r in found[:3]]
        done = await client.patch(
            "/api/v1/recommendations",
            json={"ids": chosen, "owner_level": "local", "jurisdictions": ["IT-BO", "IT-TO"]},
            headers=actors.ministry,
        )
        assert done.status_code == 200, done.text
        assert done.json() == {"updated": 3}
        local = await client.get(
            "/api/v1/recommendations",
            params={"country": "IT", "owner_level": "local", "jurisdiction": "IT-BO"},
        )
        assert sorted(r["id"] for r in local.json()["items"]) == sorted(chosen)

    async def test_one_that_cannot_take_the_change_refuses_it_for_all(
        self, client: httpx.AsyncClient, actors: Actors, uruguay: list[dict[str, Any]]
    ) -> None:
        italian = (await italy(client, actors))[0]
        refused = await client.patch(
            "/api/v1/recommendations",
            json={
                "ids": [italian["id"], uruguay[0]["id"]],
                "owner_level": "regional",
                "jurisdictions": ["IT-BO"],
            },
            headers=actors.ministry,
        )
        assert refused.status_code == 422
        assert "(UY)" in refused.json()["detail"]
        unchanged = await client.get(f"/api/v1/recommendations/{italian['id']}")
        assert unchanged.json()["owner_level"] == "national"

    async def test_unknown_ids_and_other_roles_are_refused(
        self, client: httpx.AsyncClient, actors: Actors
    ) -> None:
        unknown = await client.patch(
            "/api/v1/recommendations",
            json={"ids": [str(uuid4())], "owner_level": "national"},
            headers=actors.ministry,
        )
        assert unknown.status_code == 422 and unknown.json()["errors"][0]["location"] == "ids"
        officer = await client.patch(
            "/api/v1/recommendations",
            json={"ids": [str(uuid4())], "owner_level": "national"},
            headers=actors.institution(MONTEVIDEO, "UY-MO"),
        )
        assert officer.status_code == 403


class TestFiltersAndFacets:
    async def test_cycle_and_sdg_goal_narrow_the_search(
        self, client: httpx.AsyncClient, actors: Actors
    ) -> None:
        await upload(client, actors.ministry, UPR_INFO)
        everything = (await client.get("/api/v1/recommendations", params={"page_size": 200})).json()
        cycles = {r["cycle"] for r in everything["items"]}
        assert len(cycles - {None}) >= 1
        some_cycle = sorted(c for c in cycles if c)[0]
        by_cycle = await client.get("/api/v1/recommendations", params={"cycle": some_cycle})
        assert by_cycle.json()["total"] == sum(
            1 for r in everything["items"] if r["cycle"] == some_cycle
        )
        await italy(client, actors)
        with_sdgs = (
            await client.get("/api/v1/recommendations", params={"country": "IT", "page_size": 200})
        ).json()["items"]
        goal = next(int(t.split(".")[0]) for r in with_sdgs for t in r["sdg_targets"])
        by_goal = await client.get(
            "/api/v1/recommendations", params={"country": "IT", "sdg_goal": goal}
        )
        expected = sum(
            1 for r in with_sdgs if any(t.split(".")[0] == str(goal) for t in r["sdg_targets"])
        )
        assert by_goal.json()["total"] == expected > 0

    async def test_facets_count_what_the_recommendations_carry(
        self, client: httpx.AsyncClient, actors: Actors
    ) -> None:
        found = await italy(client, actors)
        facets = (
            await client.get("/api/v1/recommendations/facets", params={"country": "IT"})
        ).json()
        assert facets["total"] == len(found)
        assert {f["value"]: f["count"] for f in facets["mechanisms"]} == {"UPR": len(found)}
        themes = {f["value"]: f["count"] for f in facets["themes"]}
        assert themes and all(
            count == sum(1 for r in found if theme in r["themes"])
            for theme, count in themes.items()
        )
        assert {f["value"] for f in facets["owner_levels"]} == {"national"}


class TestExerciseList:
    async def test_the_selection_in_its_order_for_the_ministry_and_the_invited(
        self, client: httpx.AsyncClient, actors: Actors, uruguay: list[dict[str, Any]]
    ) -> None:
        chosen = list(reversed(uruguay))
        exercise = await _create(client, actors, chosen)
        url = f"/api/v1/exercises/{exercise['id']}/recommendations"
        listed = await client.get(url, headers=actors.ministry)
        assert [r["id"] for r in listed.json()] == [r["id"] for r in chosen]
        invited = actors.institution(MONTEVIDEO, "UY-MO")
        assert (await client.get(url, headers=invited)).status_code == 403  # still a draft
        await _open(client, actors, exercise)
        assert (await client.get(url, headers=invited)).status_code == 200
        stranger = actors.institution(uuid4(), "UY-RV")
        assert (await client.get(url, headers=stranger)).status_code == 403


class TestReminders:
    async def test_only_institutions_missing_input_are_reminded(
        self,
        client: httpx.AsyncClient,
        actors: Actors,
        uruguay: list[dict[str, Any]],
        kafka_bootstrap_servers: str,
        topic_prefix: str,
    ) -> None:
        exercise = await _create(client, actors, uruguay[:1], invited_jurisdictions=["UY-MO"])
        url = f"/api/v1/exercises/{exercise['id']}/reminders"
        draft = await client.post(url, headers=actors.ministry)
        assert draft.status_code == 409
        await _open(client, actors, exercise)
        answered = await _submit(
            client,
            actors,
            exercise,
            MONTEVIDEO,
            "UY-MO",
            recommendation_id=uruguay[0]["id"],
            status="in_progress",
        )
        assert answered.status_code == 201
        sent = await client.post(url, headers=actors.ministry)
        assert sent.status_code == 200, sent.text
        # Salto (invited by id) has not answered; Montevideo has answered the only one.
        salto = UUID(exercise["invited_institution_ids"][0])
        assert [UUID(i) for i in sent.json()["reminded"]] == [salto]
        events = await read_topic(
            kafka_bootstrap_servers,
            topic_prefix + EXERCISE_EVENTS,
            until=lambda evs: any(e.type == "exercise.reminder_sent" for e in evs),
        )
        reminder = next(e for e in events if e.type == "exercise.reminder_sent")
        assert reminder.data["institution_ids"] == [str(salto)]
        assert reminder.data["title"] == exercise["title"]

        stranger = await client.post(
            url, json={"institution_ids": [str(uuid4())]}, headers=actors.ministry
        )
        assert stranger.status_code == 422
        nobody = await client.post(
            url, json={"institution_ids": [str(MONTEVIDEO)]}, headers=actors.ministry
        )
        assert nobody.json() == {"reminded": [], "sent_at": None}
        other = await client.post(url, headers=actors.other_ministry())
        assert other.status_code == 403


class TestImportJobs:
    async def test_an_import_runs_in_the_background_and_ends_on_its_report(
        self, client: httpx.AsyncClient, actors: Actors
    ) -> None:
        started = await client.post(
            "/api/v1/recommendations/imports",
            content=UPR_INFO,
            headers={**actors.ministry, "content-type": "text/csv"},
        )
        assert started.status_code == 202, started.text
        job = started.json()
        assert job["status"] == "running" and job["bytes_total"] == len(UPR_INFO)
        url = f"/api/v1/recommendations/imports/{job['id']}"

        async def finished() -> None:
            assert (await client.get(url, headers=actors.ministry)).json()["status"] == "done"

        await eventually(finished)
        done = (await client.get(url, headers=actors.ministry)).json()
        synchronous = await upload(client, actors.ministry, UPR_INFO)
        report = synchronous.json()
        assert done["rows_read"] == report["rows"] == done["report"]["rows"]
        assert done["report"]["created"] == report["unchanged"]  # the same rows, imported once
        assert done["report"]["rejected_rows"] == report["rejected_rows"]
        assert done["finished_at"] is not None

    async def test_an_unreadable_upload_ends_failed_with_the_reason(
        self, client: httpx.AsyncClient, actors: Actors
    ) -> None:
        started = await client.post(
            "/api/v1/recommendations/imports",
            content=b"just,some,columns\n1,2,3\n",
            headers={**actors.ministry, "content-type": "text/csv"},
        )
        url = f"/api/v1/recommendations/imports/{started.json()['id']}"

        async def failed() -> None:
            assert (await client.get(url, headers=actors.ministry)).json()["status"] == "failed"

        await eventually(failed)
        assert (await client.get(url, headers=actors.ministry)).json()["error"]

    async def test_an_empty_upload_is_refused_at_once_and_starts_no_job(
        self, client: httpx.AsyncClient, actors: Actors
    ) -> None:
        refused = await client.post(
            "/api/v1/recommendations/imports",
            content=b"",
            headers={**actors.ministry, "content-type": "text/csv"},
        )
        assert refused.status_code == 422, refused.text
        assert "empty" in refused.json()["detail"]

    async def test_progress_is_heard_after_each_batch(self, app: FastAPI) -> None:
        heard: list[int] = []

        async def body() -> Any:
            yield UPR_INFO

        async def record(rows: int) -> None:
            heard.append(rows)

        async with app.router.lifespan_context(app):
            runtime = app.state.runtime
            async with runtime.sessions() as session, runtime.unit_of_work(session) as uow:
                report = await import_recommendations(
                    uow,
                    body=body(),
                    source_format="auto",
                    encoding="auto",
                    content_type="text/csv",
                    imported_by="test",
                    batch_size=2,
                    on_progress=record,
                )
        assert heard and heard == sorted(heard) and heard[-1] <= report.rows
        assert len(heard) >= (report.rows - report.rejected) // 2 - 1

    async def test_a_job_nobody_updates_any_more_is_reported_interrupted(
        self, client: httpx.AsyncClient, actors: Actors, app: FastAPI
    ) -> None:
        started = await client.post(
            "/api/v1/recommendations/imports",
            content=UPR_INFO,
            headers={**actors.ministry, "content-type": "text/csv"},
        )
        job_id = started.json()["id"]
        url = f"/api/v1/recommendations/imports/{job_id}"

        async def settled() -> None:
            assert (await client.get(url, headers=actors.ministry)).json()["status"] != "running"

        await eventually(settled)
        # As if the process had died mid-import: still "running", last touched long ago.
        async with app.state.runtime.sessions() as session:
            await session.exec(
                update(ImportJob)
                .where(col(ImportJob.id) == UUID(job_id))
                .values(status="running", updated_at=datetime.now(UTC) - timedelta(minutes=5))
            )
            await session.commit()
        read = (await client.get(url, headers=actors.ministry)).json()
        assert read["status"] == "failed" and "interrupted" in read["error"]

    async def test_jobs_are_the_ministries(self, client: httpx.AsyncClient, actors: Actors) -> None:
        refused = await client.post(
            "/api/v1/recommendations/imports",
            content=UPR_INFO,
            headers={**actors.institution(MONTEVIDEO, "UY-MO"), "content-type": "text/csv"},
        )
        assert refused.status_code == 403
        missing = await client.get(
            f"/api/v1/recommendations/imports/{uuid4()}", headers=actors.ministry
        )
        assert missing.status_code == 404


class TestAnnexForPeople:
    def test_files_are_named_after_the_exercise(self) -> None:
        midterm = {"country": "IT", "report_type": "upr_midterm_report", "deadline": "2027-05-31"}
        assert annex_filename(midterm, "html") == "Italy UPR mid-term 2027 – annex.html"
        cerd = {
            "country": "UY",
            "report_type": "treaty_body_report",
            "mechanism": "CERD",
            "deadline": "2027-02-01",
        }
        assert annex_filename(cerd, "csv") == "Uruguay CERD periodic report 2027 – annex.csv"
        assert readable_moment("2026-12-07T07:38:00+00:00") == "7 December 2026 at 07:38 UTC"

    async def test_the_download_says_its_name_and_dates_in_words(
        self, client: httpx.AsyncClient, actors: Actors, uruguay: list[dict[str, Any]]
    ) -> None:
        exercise = await _create(client, actors, uruguay)
        url = f"/api/v1/exercises/{exercise['id']}/compilation"
        markdown = await client.get(url, params={"format": "md"}, headers=actors.ministry)
        assert markdown.headers["content-disposition"] == (
            'inline; filename="Uruguay CERD periodic report 2026 - annex.md"; '
            "filename*=UTF-8''Uruguay%20CERD%20periodic%20report%202026%20%E2%80%93%20annex.md"
        )
        assert "Treaty-body periodic report, Uruguay, deadline 31 May 2026" in markdown.text
        assert "treaty_body_report" not in markdown.text
