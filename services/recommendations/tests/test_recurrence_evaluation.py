"""The recurrence matcher measured on the real UPR Info file against pairs labelled by reading.

Italy (sessions 7 and 20), Uruguay (5, 18), Cameroon (4, 16) and Indonesia (1, 13): the
matcher's suggestions are compared with tests/data/recurrence_pairs.csv, a stratified sample
of its candidates (every stratum's pairs weighted by their share of the population), and
the precision and recall the README states are held: a change to the matcher that lowers
them fails here. How the sample was drawn and labelled is in the README and in
``recurrence_kit``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pytest

from .recurrence_kit import DRAW_THRESHOLD, Label, Reviews, population, read_labels, reviews
from .recurrence_kit import suggested as suggested_pairs

# The figures the README states (section "Recurring recommendations").
README_PRECISION = 0.921
README_RECALL = 0.723


@dataclass(frozen=True)
class Measured:
    precision: float
    recall: float
    suggested: int


@pytest.fixture(scope="module")
def states() -> list[Reviews]:
    return reviews()


@pytest.fixture(scope="module")
def labels() -> list[Label]:
    return read_labels()


def estimate(labels: list[Label], suggested: set[tuple[str, str]]) -> tuple[float, float]:
    """Precision and recall of ``suggested`` over the population the labels sample."""
    true_positive = false_positive = false_negative = 0.0
    for label in labels:
        chosen = (label.earlier_id, label.later_id) in suggested
        if chosen and label.repeats:
            true_positive += label.weight
        elif chosen:
            false_positive += label.weight
        elif label.repeats:
            false_negative += label.weight
    return (
        true_positive / (true_positive + false_positive),
        true_positive / (true_positive + false_negative),
    )


@pytest.fixture(scope="module")
def measured(states: list[Reviews], labels: list[Label]) -> Measured:
    chosen: set[tuple[str, str]] = set()
    for state in states:
        chosen |= suggested_pairs(population(state))
    precision, recall = estimate(labels, chosen)
    return Measured(precision=precision, recall=recall, suggested=len(chosen))


class TestTheLabelledSample:
    def test_holds_at_least_a_hundred_pairs_of_each_stratum_every_one_labelled(
        self, labels: list[Label]
    ) -> None:
        strata = Counter(label.stratum for label in labels)
        assert strata["suggested"] >= 100 and strata["candidate"] >= 100, strata
        assert len({(label.earlier_id, label.later_id) for label in labels}) == len(labels)

    def test_still_represents_the_matcher_it_was_drawn_from(
        self, states: list[Reviews], labels: list[Label]
    ) -> None:
        """Each stratum's weight is its size over its sample: a matcher that ranks other
        candidates needs a new draw (``python .../recurrence_kit.py``) and its new pairs read."""
        sizes: Counter[str] = Counter()
        for state in states:
            pairs = population(state)
            chosen = suggested_pairs(pairs, DRAW_THRESHOLD)
            sizes["suggested"] += len(chosen)
            sizes["candidate"] += len(pairs) - len(chosen)
            for label in (lab for lab in labels if lab.country == state.country):
                key = (label.earlier_id, label.later_id)
                assert key in pairs, f"{key} is no longer a candidate"
                assert (key in chosen) == (label.stratum == "suggested"), key
        sampled = Counter(label.stratum for label in labels)
        weights = {label.stratum: label.weight for label in labels}
        for stratum, size in sizes.items():
            assert size == pytest.approx(weights[stratum] * sampled[stratum], abs=0.5), stratum


class TestTheMatcherOnTheRealFile:
    def test_precision_is_at_least_what_the_readme_states(self, measured: Measured) -> None:
        assert round(measured.precision, 3) >= README_PRECISION, measured

    def test_recall_is_at_least_what_the_readme_states(self, measured: Measured) -> None:
        assert round(measured.recall, 3) >= README_RECALL, measured

    def test_suggests_only_from_the_stratum_that_was_read_in_full_proportion(
        self, measured: Measured, labels: list[Label]
    ) -> None:
        # Its suggestions are a part of the drawn stratum "suggested" (threshold above the
        # draw's), so every one of them is represented by the sample.
        drawn = sum(label.weight for label in labels if label.stratum == "suggested")
        assert measured.suggested <= round(drawn)
