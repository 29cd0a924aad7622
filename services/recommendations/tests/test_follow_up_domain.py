"""Rules of follow-up that know neither HTTP nor SQL: statuses, indicators, the matcher's rules."""

from __future__ import annotations

import datetime as dt
from uuid import uuid4

import pytest

from localrights_recommendations.domain import dashboards, indicators, recurrence, status
from localrights_recommendations.domain.follow_up_exports import to_csv
from localrights_recommendations.domain.recurrence_lexicon import (
    actions_of,
    groups_of,
    instruments_of,
    issues_of,
    normalise,
    strip_citations,
)


class TestStatusRules:
    def test_an_exercise_input_status_means_its_follow_up_status(self) -> None:
        assert status.from_input_status("not_applicable") == "not_local_competence"
        assert status.from_input_status("partially_implemented") == "partially_implemented"
        with pytest.raises(ValueError, match="not a status of local input"):
            status.from_input_status("done")

    def test_only_a_pending_reported_status_can_be_reviewed(self) -> None:
        assert status.review_refusal(origin="exercise_input", review="pending") is None
        assert "validated already" in str(
            status.review_refusal(origin="institution_update", review="validated")
        )
        assert "returned already" in str(
            status.review_refusal(origin="institution_update", review="returned")
        )
        assert "only a status an institution reported" in str(
            status.review_refusal(origin="ministry_validation", review=None)
        )

    def test_over_time_each_pair_counts_at_its_last_status_on_or_before_each_day(self) -> None:
        rec, bologna, torino = uuid4(), uuid4(), uuid4()
        entries = [
            status.Reported(rec, bologna, dt.date(2025, 3, 1), "in_progress"),
            status.Reported(rec, bologna, dt.date(2026, 3, 1), "implemented"),
            status.Reported(rec, torino, dt.date(2026, 5, 1), "not_started"),
        ]
        ends = [dt.date(2024, 12, 31), dt.date(2025, 12, 31), dt.date(2026, 12, 31)]
        series = status.status_over_time(entries, ends)
        assert [s["in_progress"] for s in series] == [0, 1, 0]
        assert [s["implemented"] for s in series] == [0, 0, 1]
        assert series[2]["not_started"] == 1 and sum(series[2].values()) == 2

    def test_year_ends_run_from_the_first_entry_to_today(self) -> None:
        today = dt.date(2026, 12, 7)
        assert status.year_ends(dt.date(2024, 6, 1), today) == [
            dt.date(2024, 12, 31),
            dt.date(2025, 12, 31),
            today,
        ]
        assert status.year_ends(None, today) == [today]


class TestIndicatorRules:
    def test_a_breakdown_uses_only_declared_dimensions_each_group_once(self) -> None:
        assert indicators.breakdown_errors(["sex"], [("sex", "women"), ("sex", "men")]) == []
        problems = indicators.breakdown_errors(["sex"], [("age", "65+"), ("sex", "women"),
                                                          ("sex", "women")])  # fmt: skip
        assert "'age' is not declared" in problems[0] and "given twice" in problems[1]

    def test_the_next_value_falls_due_months_later_on_a_day_the_month_has(self) -> None:
        assert indicators.next_due(dt.date(2025, 12, 31), 12) == dt.date(2026, 12, 31)
        assert indicators.next_due(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
        assert indicators.is_due(due_on=dt.date(2026, 12, 31), today=dt.date(2026, 12, 1),
                                 lead_days=30)  # fmt: skip
        assert not indicators.is_due(
            due_on=dt.date(2026, 12, 31), today=dt.date(2026, 11, 30), lead_days=30
        )

    def test_progress_runs_from_baseline_to_target_whichever_way(self) -> None:
        assert indicators.progress(baseline=4800, target=3000, value=3900) == 0.5
        assert indicators.progress(baseline=20, target=60, value=10) == -0.25
        assert indicators.progress(baseline=None, target=3000, value=1) is None


def _scored_against(later: str, **earlier: str) -> dict[str, recurrence.Scored]:
    """Each earlier text (by its keyword) scored against one later text."""
    recommendations = [recurrence.Recommendation(key, text) for key, text in earlier.items()]
    found = recurrence.scored_candidates(
        recommendations, [recurrence.Recommendation("later", later)], floor=0.0
    )
    return {s.earlier_id: s for s in found["later"]}


class TestTheMatchersRules:
    def test_treaties_are_known_under_their_names_and_acronyms(self) -> None:
        assert instruments_of(normalise("Ratify ICPPED")) == {"ced"}
        named = "Ratify the Optional Protocol to the Convention against Torture"
        assert instruments_of(normalise(named)) == {"op-cat"}
        assert instruments_of(normalise("Accede to the two optional protocols to the CRC")) == {
            "op-crc-ac",
            "op-crc-sc",
        }

    def test_an_optional_protocol_is_known_however_its_convention_is_named(self) -> None:
        for named in (
            "Implement the obligations under the Optional Protocol to the United Nations "
            "Convention against Torture",
            "Ensure that its national preventive mechanism complies with the Optional Protocol "
            "to CAT",
        ):
            assert "op-cat" in instruments_of(normalise(named)), named
        thereto = "Ratify the CRPD as well as the Optional Protocol thereto"
        assert instruments_of(normalise(thereto)) == {"crpd", "op-crpd"}

    def test_issues_said_in_other_words_are_one_issue(self) -> None:
        for a, b, issue in (
            (
                "Establish an independent national preventive mechanism",
                "Establish a national mechanism for the prevention of torture",
                "npm",
            ),
            (
                "Amend domestic law regarding homosexuality, with a view to decriminalize it",
                "Decriminalise consensual sexual acts among adults of the same sex",
                "same-sex-decriminalisation",
            ),
            (
                "Ensure equality of opportunities for women in the labour market",
                "Address gender inequality in the workplace",
                "women-at-work",
            ),
            (
                "Continue its work to improve the scope of education and its quality",
                "Allocate more resources to the education sector",
                "education",
            ),
        ):
            assert issue in issues_of(normalise(a)) & issues_of(normalise(b)), issue

    def test_asylum_seekers_are_people_a_text_names_not_what_it_asks(self) -> None:
        text = normalise("Protect the rights of migrants and asylum-seekers")
        assert issues_of(text) == frozenset()
        assert groups_of(text) == {"migrants", "refugees"}

    def test_training_law_enforcement_officials_asks_for_no_law(self) -> None:
        text = normalise("Train law enforcement officials on the rule of law")
        assert actions_of(text, frozenset(), joins=False) == frozenset()
        assert actions_of(normalise("Adopt a law on FGM"), frozenset(), joins=False) == {"law"}

    def test_a_shared_ask_or_the_same_kind_of_step_counts_for_more(self) -> None:
        earlier = [recurrence.Recommendation("a", "Improve conditions in prisons")]
        later = [
            recurrence.Recommendation("b", "Reduce prison overcrowding"),
            recurrence.Recommendation("c", "Amend the law on prison overcrowding"),
        ]
        scored = recurrence.scored_candidates(earlier, later, floor=0.0)
        issue_only = scored["b"][0].score - scored["b"][0].similarity
        # Both about prisons and nothing else.
        focused = recurrence.ISSUE_BOOST + recurrence.FOCUS_BOOST
        assert issue_only == pytest.approx(focused, abs=1e-3)
        law = [recurrence.Recommendation("d", "Adopt a law on prison conditions")]
        both_laws = recurrence.scored_candidates(law, later, floor=0.0)["c"][0]
        assert both_laws.score - both_laws.similarity == pytest.approx(
            focused + recurrence.ACTION_BOOST, abs=1e-3
        )
        nhri = recurrence.scored_candidates(
            [recurrence.Recommendation("e", "Establish an NHRI")],
            [recurrence.Recommendation("f", "Respect the independence of the NHRI")],
            floor=0.0,
        )["f"][0]
        assert nhri.score - nhri.similarity == pytest.approx(
            recurrence.ASK_BOOST + recurrence.FOCUS_BOOST, abs=1e-3
        )

    def test_ratifying_a_treaty_and_applying_it_is_one_ask_with_applying_it(self) -> None:
        scored = _scored_against(
            "Implement the obligations under the OP-CAT",
            a="Ratify the OP-CAT and comply with its provisions",
            b="Ratify the OP-CAT",
        )
        assert scored["a"].score == scored["a"].similarity
        assert scored["b"].reasons == ("ratifying and applying a treaty are different asks",)

    def test_different_treaties_are_never_a_repeat_and_the_same_one_always(self) -> None:
        earlier = [recurrence.Recommendation("a", "Ratify the CRPD")]
        later = [
            recurrence.Recommendation("b", "Ratify the ICRMW"),
            recurrence.Recommendation("c", "Consider ratifying the CRPD"),
        ]
        scored = recurrence.scored_candidates(earlier, later, floor=0.0)
        assert [s.score for s in scored["b"]] == [0.0]
        assert scored["c"][0].suggested and scored["c"][0].reasons == ("both ask to ratify crpd",)

    def test_the_same_issue_counts_unless_another_kind_of_step_is_asked(self) -> None:
        assert issues_of(normalise("Reduce overcrowding in prisons")) == {"prisons"}
        earlier = [recurrence.Recommendation("a", "Continue efforts to combat trafficking")]
        later = [
            recurrence.Recommendation("b", "Step up the fight against human trafficking"),
            recurrence.Recommendation("c", "Adopt a national plan against trafficking"),
        ]
        scored = recurrence.scored_candidates(earlier, later, floor=0.0)
        assert scored["b"][0].reasons == ("both about trafficking",)
        assert scored["c"][0].reasons == ("asks for another kind of step",)
        assert scored["b"][0].score > scored["c"][0].score

    def test_a_body_cited_as_the_source_of_an_ask_is_not_what_it_asks(self) -> None:
        cited = normalise(
            "Protect women who are victims of domestic violence, as recommended by the Special "
            "Rapporteur on violence against women and the Committee on the Elimination of "
            "Discrimination against Women"
        )
        stripped = strip_citations(cited)
        assert "special-procedures" not in issues_of(stripped)
        assert instruments_of(stripped) == frozenset()
        assert issues_of(stripped) == {"violence-against-women"}
        # Two texts citing one kind of body ask for nothing alike because of it.
        earlier = [
            recurrence.Recommendation(
                "a", "Protect the independence of judges, as recommended by the Special "
                "Rapporteur on the independence of judges and lawyers"
            )
        ]  # fmt: skip
        later = [recurrence.Recommendation("b", cited)]
        [pair] = recurrence.scored_candidates(earlier, later, floor=0.0)["b"]
        assert pair.reasons == () and pair.score == pair.similarity

    def test_naming_homosexuality_as_an_offence_to_remove_is_decriminalising_it(self) -> None:
        for text in (
            "Reform the Penal Code to eliminate homosexuality as a criminal offence",
            "Stop treating same-sex relations as a crime",
            "Repeal the provisions criminalising same-sex relations",
        ):
            assert "same-sex-decriminalisation" in issues_of(normalise(text)), text

    def test_discrimination_on_grounds_of_sexual_orientation_is_one_issue(self) -> None:
        a = "Establish effective protection of homosexuals against discrimination"
        b = "Undertake public actions to eliminate discrimination based on sexual orientation"
        assert "lgbt-discrimination" in issues_of(normalise(a)) & issues_of(normalise(b))

    def test_a_standing_invitation_and_one_rapporteurs_visit_are_different_steps(self) -> None:
        standing = normalise("Extend a standing invitation to the special procedures")
        visit = normalise("Extend an invitation to the Special Rapporteur on the right to food")
        assert actions_of(standing, frozenset(), joins=False) == {"standing-invitation"}
        assert actions_of(visit, frozenset(), joins=False) == {"visit"}
        earlier = [recurrence.Recommendation("a", standing)]
        later = [
            recurrence.Recommendation("b", visit),
            recurrence.Recommendation("c", "Issue an open invitation to all special procedures"),
        ]
        scored = recurrence.scored_candidates(earlier, later, floor=0.0)
        assert scored["b"][0].reasons == ("asks for another kind of step",)
        assert scored["c"][0].suggested

    @pytest.mark.parametrize(
        ("later", "other_step", "same_step", "issue"),
        [
            pytest.param(
                "Strengthen the protection of victims of trafficking",
                "Continue measures to end trafficking in human beings",
                "Provide assistance to the victims of trafficking",
                "trafficking",
                id="protecting-the-victims-of-a-harm-is-another-step-than-ending-it",
            ),
            pytest.param(
                "Continue its action to eradicate the practice of female genital mutilation",
                "Adopt legislation prohibiting FGM and other harmful cultural practices",
                "Raise awareness of FGM and adopt legislation prohibiting the practice",
                "fgm",
                id="a-law-against-fgm-and-ending-it-in-practice-are-different-steps",
            ),
            pytest.param(
                # Asking for a law among other things is asking, in general, to end
                # trafficking too; "prevent and fight" is one ask, so the plan is all the
                # other text asks for.
                "Step up the fight against human trafficking",
                "Adopt a national plan to prevent and fight trafficking in persons",
                "Raise awareness of trafficking in persons and adopt a law against it",
                "trafficking",
                id="a-text-asking-several-things-repeats-a-general-ask-on-one-of-them",
            ),
        ],
    )
    def test_a_text_asking_for_another_kind_of_step_scores_less(
        self, later: str, other_step: str, same_step: str, issue: str
    ) -> None:
        scored = _scored_against(later, other=other_step, same=same_step)
        assert scored["other"].reasons == ("asks for another kind of step",)
        assert scored["same"].reasons == (f"both about {issue}",)
        assert scored["same"].score > scored["other"].score

    def test_holding_fewer_people_is_another_step_than_better_prison_conditions(self) -> None:
        fewer = normalise("Address prison overcrowding by reviewing the use of pre-trial detention")
        assert "custody" in actions_of(fewer, frozenset(), joins=False)
        # Pre-trial detention named as a consequence is not an ask to hold fewer people.
        named = normalise("Address undue delays in prosecution that prolonged pre-trial detention")
        assert actions_of(named, frozenset(), joins=False) == frozenset()
        scored = _scored_against(
            "Improve prison conditions, including by relieving overcrowding in prisons",
            a=fewer,
            b="Further improve the conditions of detention in prisons",
        )
        assert scored["a"].reasons == ("asks for another kind of step",)
        assert scored["b"].score > scored["a"].score

    def test_an_issue_that_is_an_ask_in_itself_is_not_repeated_by_a_text_without_it(
        self,
    ) -> None:
        scored = _scored_against(
            "Further institutionalize measures to protect and promote the rights of the child",
            a="Establish a national human rights institution to promote and protect human rights",
        )
        assert scored["a"].reasons == ("only one asks for nhri",)
        assert scored["a"].score == pytest.approx(scored["a"].similarity * 0.5, abs=1e-3)

    def test_one_group_and_different_steps_for_it_are_not_a_repeat(self) -> None:
        scored = _scored_against(
            "Implement the law on reparation for discrimination against people of African descent",
            a="Design a national plan against discrimination of persons of African descent",
        )
        assert scored["a"].reasons == ("asks for another kind of step",)

    def test_two_broad_asks_on_one_issue_alone_count_for_more_than_one_among_others(
        self,
    ) -> None:
        scored = _scored_against(
            "Continue its efforts to reduce poverty and improve living conditions",
            a="Continue to scale up efforts to eliminate poverty",
            b="Eliminate poverty and child labour and reduce school dropout",
        )
        assert scored["a"].score - scored["a"].similarity == pytest.approx(
            recurrence.ISSUE_BOOST + recurrence.FOCUS_BOOST, abs=1e-3
        )
        assert scored["b"].score - scored["b"].similarity == pytest.approx(
            recurrence.ISSUE_BOOST, abs=1e-3
        )

    def test_a_repeat_is_found_among_a_handful_of_recommendations_sharing_every_word(
        self,
    ) -> None:
        # Words in every text of a small country's reviews still weigh something.
        earlier = [
            recurrence.Recommendation("a", "Ensure that municipalities register every birth"),
            recurrence.Recommendation("b", "Ensure that municipalities register every birth now"),
        ]
        later = [recurrence.Recommendation("c", "Ensure that municipalities register every birth")]
        assert [(p.earlier_id, p.score) for p in recurrence.suggest(earlier, later)][0] == (
            "a",
            pytest.approx(1.0),
        )


class TestDashboardFigures:
    def test_each_place_counts_its_statuses_and_its_share_of_the_recommendations(self) -> None:
        rows = [
            {"jurisdiction": "IT-BO", "reported_status": "implemented", "statuses": 3,
             "validated": 1, "pending": 2, "returned": 0, "carried_over": 0},
            {"jurisdiction": "IT-BO", "reported_status": "in_progress", "statuses": 1,
             "validated": 0, "pending": 1, "returned": 0, "carried_over": 1},
        ]  # fmt: skip
        coverage = [
            {"jurisdiction": "IT-BO", "recommendations": 4, "institutions": 1},
            {"jurisdiction": None, "recommendations": 4, "institutions": 1},
        ]
        [place] = dashboards.places(rows, coverage, recommendations=10)
        assert place["coverage"] == 0.4 and place["counts"]["implemented"] == 3
        assert place["figures"] == {
            "statuses": 4, "validated": 1, "pending": 3, "returned": 0, "carried_over": 1
        }  # fmt: skip
        assert dashboards.overall(coverage) == 4

    def test_breakdowns_put_the_most_counted_first_and_goals_in_number_order(self) -> None:
        rows = [
            {"key": "11", "reported_status": "implemented", "statuses": 1},
            {"key": "2", "reported_status": "implemented", "statuses": 1},
            {"key": "5", "reported_status": "in_progress", "statuses": 4},
        ]
        assert [b["key"] for b in dashboards.breakdown(rows)] == ["5", "2", "11"]


def test_csv_cells_that_a_spreadsheet_would_run_are_quoted() -> None:
    text = to_csv(("measures",), [{"measures": "=1+1"}, {"measures": "@SUM(A1)"}])
    assert text.splitlines() == ["measures", "'=1+1", "'@SUM(A1)"]
