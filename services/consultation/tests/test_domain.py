"""Domain rules without infrastructure: questions, answers, suppression, codes, exports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from pydantic import TypeAdapter, ValidationError

from localrights.csvsafe import safe_cell
from localrights_consultation.domain import codes
from localrights_consultation.domain.exports import flat_answer
from localrights_consultation.domain.lifecycle import (
    Transition,
    schedule_error,
    transition_error,
    window_error,
)
from localrights_consultation.domain.places import jurisdiction_error, sdg_target_error
from localrights_consultation.domain.questions import (
    Question,
    QuestionType,
    answer_errors,
    definition_errors,
)
from localrights_consultation.domain.results import (
    SUPPRESSED,
    Tally,
    build_results,
    suppressed_groups,
)

ADAPTER: TypeAdapter[QuestionType] = TypeAdapter(Question)
LANGS = ["en"]


def q(**fields: Any) -> QuestionType:
    base: dict[str, Any] = {"id": "q1", "title": {"en": "Q"}}
    return ADAPTER.validate_python({**base, **fields})


def opts(*ids: str) -> list[dict[str, Any]]:
    return [{"id": i, "label": {"en": i}} for i in ids]


SINGLE = {"type": "single_choice", "options": opts("yes", "no")}
MULTI = {"type": "multiple_choice", "options": opts("a", "b", "c"), "min_picks": 2, "max_picks": 2}
RATING = {"type": "rating", "min": 0, "max": 10}
TEXT = {"type": "free_text", "max_length": 5}
RANK = {"type": "ranking", "options": opts("x", "y", "z")}
BUDGET = {
    "type": "budget",
    "projects": [
        {"id": "p1", "label": {"en": "P1"}, "cost": 60},
        {"id": "p2", "label": {"en": "P2"}, "cost": 50},
    ],
    "total_budget": 100,
}


class TestAnswerRules:
    @pytest.mark.parametrize(
        ("definition", "good"),
        [
            (SINGLE, "yes"),
            (MULTI, ["a", "c"]),
            (RATING, 0),
            (RATING, 10),
            (TEXT, "short"),
            (RANK, ["z", "x"]),
            (BUDGET, {"p1": 50, "p2": 50}),
            (BUDGET, {"p1": 0}),
        ],
    )
    def test_a_valid_answer_passes(self, definition: dict[str, Any], good: Any) -> None:
        assert q(**definition).answer_error(good) is None

    @pytest.mark.parametrize(
        ("definition", "bad", "rule"),
        [
            (SINGLE, "maybe", "'maybe' is not one of its options"),
            (SINGLE, ["yes"], "must be one option id"),
            (MULTI, ["a"], "pick at least 2"),
            (MULTI, ["a", "b", "c"], "pick at most 2"),
            (MULTI, ["a", "a"], "more than once"),
            (MULTI, ["d", "a"], "'d' not among its options"),
            (RATING, 11, "outside the scale 0..10"),
            (RATING, 2.5, "whole number"),
            (RATING, True, "whole number"),
            (TEXT, "too long", "8 characters, at most 5"),
            (TEXT, "   ", "empty"),
            (RANK, ["x", "x"], "ranked more than once"),
            (RANK, [], "non-empty list"),
            (BUDGET, {"p1": 60, "p2": 50}, "add up to 110, more than the total budget 100"),
            (BUDGET, {"p1": 61}, "exceeds its cost 60"),
            (BUDGET, {"p9": 1}, "'p9' is not one of its projects"),
            (BUDGET, {"p1": -1}, "at least 0"),
        ],
    )
    def test_a_bad_answer_names_the_rule(
        self, definition: dict[str, Any], bad: Any, rule: str
    ) -> None:
        error = q(**definition).answer_error(bad)
        assert error is not None and rule in error

    def test_messages_name_the_question(self) -> None:
        problems = answer_errors([q(**RATING)], {"q1": 99})
        assert problems == [("q1", "question 'q1' (rating): 99 is outside the scale 0..10")]

    def test_required_unknown_and_empty(self) -> None:
        required = q(**SINGLE, required=True)
        assert answer_errors([required], {}) == [
            ("q1", "question 'q1' (single_choice): is required")
        ]
        assert answer_errors([required], {"q1": "yes", "zz": 1})[0][0] == "zz"
        optional = q(**SINGLE)
        assert answer_errors([optional], {})[0][0] == "answers"

    def test_demographic_answers_are_skippable(self) -> None:
        age = q(id="age", demographic=True, **SINGLE)
        assert answer_errors([q(**SINGLE), age], {"q1": "yes"}) == []


class TestDefinitionRules:
    @pytest.mark.parametrize(
        ("definition", "rule"),
        [
            ({"type": "single_choice", "options": opts("only")}, "at least 2 options"),
            ({"type": "single_choice", "options": opts("a", "a")}, "repeated: a"),
            ({**MULTI, "min_picks": 3, "max_picks": 2}, "min_picks 3 is greater than max_picks 2"),
            ({**MULTI, "max_picks": 4}, "max_picks 4 exceeds the 3 options"),
            ({**RATING, "min": 5, "max": 5}, "scale min 5 must be below max 5"),
            ({**RATING, "min": 0, "max": 500}, "more than 101 points"),
            ({**RANK, "options": opts("x")}, "at least 2 options"),
            ({**RANK, "options": opts("x", "y", "x")}, "repeated: x"),
            ({**BUDGET, "total_budget": 10}, "no project fits in the total budget 10"),
            ({**SINGLE, "demographic": True, "required": True}, "always skippable"),
            ({**RATING, "demographic": True}, "only a single_choice question can be demographic"),
            ({**SINGLE, "demographic": True, "options": opts("suppressed", "b")}, "reserved"),
        ],
    )
    def test_unsound_definition_names_question_and_rule(
        self, definition: dict[str, Any], rule: str
    ) -> None:
        errors = definition_errors([q(**definition), q(id="other", **SINGLE)], LANGS)
        assert any(e.startswith("question 'q1'") and rule in e for e in errors), errors

    def test_every_sound_type_passes(self) -> None:
        questions = [
            q(id=f"q{i}", **d) for i, d in enumerate([SINGLE, MULTI, RATING, TEXT, RANK, BUDGET])
        ]
        assert definition_errors(questions, LANGS) == []

    def test_texts_need_every_language(self) -> None:
        question = q(**SINGLE)
        errors = definition_errors([question], ["en", "fr"])
        assert "question 'q1' (single_choice): title lacks the language(s) fr" in errors
        assert any("option 'yes' label lacks" in e for e in errors)

    def test_structure_errors_come_from_the_schema(self) -> None:
        with pytest.raises(ValidationError):
            q(type="budget", projects=[], total_budget=-1)
        with pytest.raises(ValidationError):
            q(type="teleport")
        for length in (0, 10_001):  # free text: between 1 and 10,000 characters
            with pytest.raises(ValidationError, match="max_length"):
                q(**{**TEXT, "max_length": length})

    def test_needs_a_question_that_is_not_demographic(self) -> None:
        errors = definition_errors([q(demographic=True, **SINGLE)], LANGS)
        assert any("not demographic is needed" in e for e in errors)

    @pytest.mark.parametrize("target", ["11.1", "17.19", "16.a", "1.2"])
    def test_real_sdg_targets_are_accepted(self, target: str) -> None:
        assert sdg_target_error(target) is None

    @pytest.mark.parametrize("target", ["18.1", "0.1", "11", "11.", "11.100", "11.A", "x"])
    def test_bad_sdg_targets(self, target: str) -> None:
        assert sdg_target_error(target) is not None

    @pytest.mark.parametrize(
        ("code", "ok"),
        [("FR", True), ("FR-75C", True), ("ID-JT", True), ("XX", False), ("FR-ZZZ", False)],
    )
    def test_only_known_iso_3166_codes_are_jurisdictions(self, code: str, ok: bool) -> None:
        assert (jurisdiction_error(code) is None) is ok


class TestLifecycle:
    def test_only_the_next_step_is_allowed(self) -> None:
        assert transition_error("draft", Transition.OPEN) is None
        assert transition_error("open", Transition.CLOSE) is None
        assert transition_error("closed", Transition.PUBLISH) is None
        assert transition_error("draft", Transition.PUBLISH) is not None
        assert transition_error("open", Transition.OPEN) is not None
        assert transition_error("published", Transition.CLOSE) is not None

    def test_responses_are_taken_only_while_open_between_its_times(self) -> None:
        now = datetime.now(UTC)
        hour = timedelta(hours=1)
        assert (
            window_error(status="open", opens_at=now - hour, closes_at=now + hour, now=now) is None
        )
        before = window_error(status="open", opens_at=now + hour, closes_at=now + 2 * hour, now=now)
        assert before is not None and "opens at" in before
        after = window_error(status="open", opens_at=now - 2 * hour, closes_at=now - hour, now=now)
        assert after is not None and "closed" in after
        assert window_error(status="draft", opens_at=now - hour, closes_at=now + hour, now=now)

    def test_a_schedule_needs_time_zones_and_a_close_after_the_open(self) -> None:
        now = datetime.now(UTC)
        assert schedule_error(opens_at=now, closes_at=now) is not None
        assert schedule_error(opens_at=now.replace(tzinfo=None), closes_at=now) is not None


class TestSuppression:
    def test_a_group_of_four_is_hidden_with_the_next_smallest(self) -> None:
        hidden = suppressed_groups({"a18": 500, "a30": 300, "a65": 4}, 5)
        assert hidden == {"a65", "a30"}

    def test_hidden_groups_together_reach_the_threshold(self) -> None:
        hidden = suppressed_groups({"a": 2, "b": 1, "c": 40, "d": 3, "e": 50}, 5)
        assert hidden == {"a", "b", "d"}  # 2 + 1 + 3 >= 5 and more than one group
        assert suppressed_groups({"a": 2, "b": 1, "c": 40}, 5) == {"a", "b", "c"}

    def test_nothing_hidden_when_all_are_large(self) -> None:
        assert suppressed_groups({"a": 5, "b": 6}, 5) == set()

    def _tallies(self, groups: dict[str | None, int]) -> list[Tally]:
        tallies = []
        for group, size in groups.items():
            tallies.append(Tally(group, "", None, size, 0))
            tallies.append(Tally(group, "q1", None, size, 0))
            tallies.append(Tally(group, "q1", "yes", size, size))
            if group is not None:
                tallies.append(Tally(group, "age", None, size, 0))
                tallies.append(Tally(group, "age", group, size, size))
        return tallies

    def test_results_never_show_a_small_group_and_cannot_be_subtracted(self) -> None:
        age = q(id="age", demographic=True, type="single_choice", options=opts("a18", "a30", "a65"))
        questions = [q(**SINGLE), age]
        results = build_results(
            questions=questions,
            tallies=self._tallies({"a18": 1000, "a30": 900, "a65": 4, None: 50}),
            threshold=5,
            by=age,  # type: ignore[arg-type]
        )
        names = [g["group"] for g in results["groups"]]
        assert names == ["a18", "a30", SUPPRESSED]
        assert "a65" not in str(results)
        merged = results["groups"][-1]
        assert merged["responses"] == 54 and not merged["suppressed"]
        shown = sum(g["responses"] for g in results["groups"][:-1])
        assert results["overall"]["responses"] - shown == 54  # never the 4 alone

    def test_a_demographic_distribution_is_suppressed_overall_too(self) -> None:
        age = q(id="age", demographic=True, type="single_choice", options=opts("a18", "a30", "a65"))
        results = build_results(
            questions=[q(**SINGLE), age],
            tallies=self._tallies({"a18": 1000, "a30": 900, "a65": 4, None: 50}),
            threshold=5,
        )
        figures = {x["question_id"]: x for x in results["overall"]["questions"]}
        options = {o["id"]: o["count"] for o in figures["age"]["options"]}
        assert options == {"a18": 1000, "a30": 900, "suppressed": 54}
        assert figures["age"]["responses"] == 1954

    def test_too_few_respondents_in_all_show_no_figures(self) -> None:
        results = build_results(
            questions=[q(**SINGLE)], tallies=self._tallies({None: 3}), threshold=5
        )
        assert results["overall"]["suppressed"] and results["overall"]["questions"] == []

    def test_figures_per_type(self) -> None:
        questions = [
            q(id="r", **RATING),
            q(id="k", **RANK),
            q(id="b", **BUDGET),
            q(id="m", **MULTI),
        ]
        tallies = [
            Tally(None, "", None, 10, 0),
            Tally(None, "r", None, 10, 0),
            Tally(None, "r", "4", 6, 24),
            Tally(None, "r", "1", 4, 4),
            Tally(None, "k", None, 10, 0),
            Tally(None, "k", "x", 10, 10),
            Tally(None, "k", "y", 5, 10),
            Tally(None, "b", None, 10, 0),
            Tally(None, "b", "p1", 10, 500),
            Tally(None, "b", "p2", 5, 100),
            Tally(None, "m", None, 10, 0),
            Tally(None, "m", "a", 10, 10),
            Tally(None, "m", "b", 5, 5),
        ]
        figures = {
            x["question_id"]: x
            for x in build_results(questions=questions, tallies=tallies, threshold=5)["overall"][
                "questions"
            ]
        }
        assert figures["r"]["mean"] == 2.8
        scores = {o["id"]: o["score"] for o in figures["k"]["options"]}
        assert scores == {"x": 30, "y": 10, "z": 0}  # Borda: first of 3 gets 3 points
        projects = {p["id"]: p for p in figures["b"]["projects"]}
        assert projects["p1"]["total"] == 500 and projects["p1"]["mean"] == 50.0
        assert figures["b"]["total_allocated"] == 600
        assert [o["share"] for o in figures["m"]["options"]] == [1.0, 0.5, 0.0]


class TestCodesAndExports:
    def test_codes_are_random_and_forgiving_to_type(self) -> None:
        code = codes.new_code()
        assert len(code) == 14 and code != codes.new_code()
        cid = uuid4()
        typed = code.lower().replace("-", " ").replace("0", "o")
        assert codes.code_hash(cid, typed) == codes.code_hash(cid, code)
        assert codes.code_hash(uuid4(), code) != codes.code_hash(cid, code)

    @pytest.mark.parametrize("cell", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"])
    def test_formula_cells_are_escaped(self, cell: str) -> None:
        assert safe_cell(cell) == "'" + cell

    def test_plain_cells_and_numbers_stay(self) -> None:
        assert safe_cell("hello") == "hello" and safe_cell(-3) == -3
        assert flat_answer(["a", "b"]) == "a; b" and flat_answer({"p": 1}) == "p=1"
