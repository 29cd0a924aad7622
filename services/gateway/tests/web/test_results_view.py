"""Results arranged for the page: labels, numbers in the reader's way, groups side by side."""

from __future__ import annotations

from typing import Any

import pytest

from localrights_gateway.web import results_view

QUESTIONS: dict[str, dict[str, Any]] = {
    "housing": {
        "id": "housing",
        "type": "single_choice",
        "title": {"en": "Is housing affordable?", "fr": "Le logement est-il abordable ?"},
        "options": [
            {"id": "yes", "label": {"en": "Yes", "fr": "Oui"}},
            {"id": "no", "label": {"en": "No", "fr": "Non"}},
        ],
    },
    "trust": {
        "id": "trust",
        "type": "rating",
        "min": 1,
        "max": 5,
        "title": {"en": "Do you trust the department?"},
        "min_label": {"en": "Not at all"},
        "max_label": {"en": "Very much"},
    },
    "budget": {
        "id": "budget",
        "type": "budget",
        "title": {"en": "Split 10 million"},
        "projects": [{"id": "square", "label": {"en": "Accessible square"}, "cost": 4_000_000}],
    },
    "age": {
        "id": "age",
        "type": "single_choice",
        "demographic": True,
        "title": {"en": "Age band"},
        "options": [
            {"id": "young", "label": {"en": "Under 30"}},
            {"id": "older", "label": {"en": "30 or more"}},
        ],
    },
}


def housing(yes: int, no: int) -> dict[str, Any]:
    total = yes + no
    return {
        "question_id": "housing",
        "type": "single_choice",
        "title": QUESTIONS["housing"]["title"],
        "responses": total,
        "options": [
            {"id": "yes", "count": yes, "share": round(yes / total, 4)},
            {"id": "no", "count": no, "share": round(no / total, 4)},
        ],
    }


def trust(mean: float, counts: list[int]) -> dict[str, Any]:
    total = sum(counts)
    return {
        "question_id": "trust",
        "type": "rating",
        "title": QUESTIONS["trust"]["title"],
        "responses": total,
        "mean": mean,
        "distribution": [
            {"value": v, "count": n, "share": round(n / total, 4)}
            for v, n in enumerate(counts, start=1)
        ],
    }


def budget(total: int) -> dict[str, Any]:
    return {
        "question_id": "budget",
        "type": "budget",
        "title": QUESTIONS["budget"]["title"],
        "responses": 20,
        "currency": "UYU",
        "total_allocated": total,
        "projects": [
            {
                "id": "square",
                "cost": 4_000_000,
                "total": total,
                "supporters": 20,
                "mean": total / 20,
                "share": 1.0,
            }
        ],
    }


@pytest.fixture
def ctx() -> results_view.Context:
    return results_view.Context(
        questions=QUESTIONS, content_language="en", language="en", _=lambda text: text
    )


class TestEveryone:
    def test_a_choice_as_bars_and_a_table_with_labels_not_ids(
        self, ctx: results_view.Context
    ) -> None:
        view = results_view.everyone(ctx, housing(15, 5))
        assert view.title == "Is housing affordable?"
        assert view.answered == "20 people answered this question."
        assert view.table is not None
        assert view.table.rows == [("Yes", ["15", "75%"]), ("No", ["5", "25%"])]
        assert "75% (15)" in str(view.chart) and ">Yes<" in str(view.chart)

    def test_a_scale_names_its_ends_with_a_space_after_the_semicolon(
        self, ctx: results_view.Context
    ) -> None:
        view = results_view.everyone(ctx, trust(3.46, [1, 2, 3, 4, 10]))
        assert view.summary == "Average: 3.5, on a scale from 1 to 5."
        assert view.table is not None
        heads = [head for head, _cells in view.table.rows]
        assert heads == ["1 = Not at all", "2", "3", "4", "5 = Very much"]

    def test_amounts_grouped_as_the_reader_writes_them(self, ctx: results_view.Context) -> None:
        view = results_view.everyone(ctx, budget(13_000_000))
        assert view.summary == "Total given by everyone: 13,000,000 UYU."
        french = results_view.Context(QUESTIONS, "fr", "fr", lambda text: text)
        assert "13\u202f000\u202f000" in results_view.everyone(french, budget(13_000_000)).summary

    def test_the_groups_the_results_make_have_names(self, ctx: results_view.Context) -> None:
        assert ctx.item_label("age", "suppressed") == "Smaller groups together"
        assert ctx.item_label("age", "no_answer") == "Did not say"
        assert ctx.item_label("age", "young") == "Under 30"


class TestSideBySide:
    @pytest.fixture
    def results(self) -> dict[str, Any]:
        return {
            "response_count": 30,
            "by": "age",
            "overall": {"responses": 30, "suppressed": False, "questions": [housing(20, 10)]},
            "groups": [
                {
                    "group": "young",
                    "responses": 12,
                    "suppressed": False,
                    "questions": [housing(10, 2)],
                },
                {
                    "group": "suppressed",
                    "responses": 18,
                    "suppressed": False,
                    "questions": [housing(10, 8)],
                },
            ],
        }

    def test_groups_are_the_columns_everyone_first(
        self, ctx: results_view.Context, results: dict[str, Any]
    ) -> None:
        groups = results_view.groups_of(ctx, results, "age")
        assert [g.name for g in groups] == ["Everyone", "Under 30", "Smaller groups together"]
        view = results_view.side_by_side(ctx, results["overall"]["questions"][0], groups)
        assert view.table is not None
        assert view.table.headers == [
            "Option",
            "Everyone (30 people)",
            "Under 30 (12 people)",
            "Smaller groups together (18 people)",
        ]
        assert view.table.rows[0] == ("Yes", ["67% (20)", "83% (10)", "56% (10)"])
        chart = str(view.chart)
        assert chart.count(">Under 30<") == 3  # in the key and on each option's bar

    def test_a_group_too_small_to_show_is_left_out(
        self, ctx: results_view.Context, results: dict[str, Any]
    ) -> None:
        results["groups"][1]["suppressed"] = True
        assert [g.name for g in results_view.groups_of(ctx, results, "age")] == [
            "Everyone",
            "Under 30",
        ]
