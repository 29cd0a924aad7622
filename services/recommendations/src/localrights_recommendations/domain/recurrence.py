"""Which recommendations of a new cycle repeat one the same State received in the previous one.

Being recommended again is the strongest sign that an earlier recommendation was not
implemented, so a ministry wants the pairs found for it to confirm. Two texts repeat each
other when they ask the State for the same action on the same subject ("Ratify the OP-CAT",
then "Consider ratifying the Optional Protocol to the Convention against Torture"), whoever
recommended them and however softly they are worded.

The matcher is TF-IDF cosine over character n-grams (3 to 5 characters inside words, so
"ratify", "ratifying" and "ratification" share most of theirs) of the texts stripped of the
words every recommendation uses ("continue its efforts to", "take measures to"), with IDF
weights from the State's own recommendations of both cycles. A small rule set
(``recurrence_lexicon``) then uses what n-grams cannot see: two texts naming different
treaties are never a repeat, however alike ("Ratify the CRPD" / "Ratify the ICRMW"); two
asking to ratify the same treaty are one whatever their wording; asking to ratify a treaty
and asking to apply it are different asks (unless the first asks to apply it too); two texts
on the same issue ("prison overcrowding" / "the penitentiary system") score higher, more so
when the issue is an ask in itself (an NHRI, the death penalty), when both are about it
and nothing else, or when both ask for the same kind of step, unless they ask for different
kinds of step (a national plan, a law, holding fewer people in prison) -- a text asking for
several things at once, a law among them, asks in general too (``recurrence_clauses``); two
on different issues score lower, as do a text on an issue that is an ask in itself and one on
no issue, and two on one group of people asking for different steps. A body a text cites as
the source of its ask ("as recommended by the Special Rapporteur on ...") is not what it
asks, so the rules read the text without it. Pure Python: a State's two cycles (a few hundred
texts) take a fraction of a second. Its precision and recall on four States of the real UPR
Info file are in the README.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from localrights_recommendations.domain.recurrence_clauses import issues_asked_in_general
from localrights_recommendations.domain.recurrence_lexicon import (
    ASKS,
    STOP_WORDS,
    actions_of,
    asks_to_apply,
    asks_to_join,
    groups_of,
    instruments_of,
    issues_of,
    normalise,
    strip_boilerplate,
    strip_citations,
)

# A pair at or above this score is suggested. Chosen on the pairs labelled in earlier draws
# (the history of tests/data/recurrence_pairs.csv), before the present draw was read.
THRESHOLD = 0.40
# At most this many earlier recommendations are suggested for one new recommendation.
PER_RECOMMENDATION = 3
# Added to the similarity of two texts on the same issue, in proportion to the issues they
# share, and for naming the same group of people.
ISSUE_BOOST = 0.2
GROUP_BOOST = 0.1
# Added instead to two texts sharing an issue that is an ask in itself (an NHRI, ...).
ASK_BOOST = 0.3
# Added when two texts on one issue also ask for the same kind of step (both a law, ...).
ACTION_BOOST = 0.1
# Added when two texts are about the same issues and no other: two broad asks on one issue
# ("eliminate poverty" / "reduce poverty and improve living conditions") share few words.
FOCUS_BOOST = 0.05
# Below this similarity, two texts on one issue must ask for the same kind of step.
ACTION_SCOPE = 0.6
# What is left of the similarity of two texts on one subject asking for different steps.
ACTION_PENALTY = 0.6
# Candidates below this similarity are not worth ranking at all.
FLOOR = 0.12
# The least weight of a word (its inverse document frequency): with only a handful of
# recommendations, words in every one of them would otherwise weigh nothing at all.
IDF_FLOOR = 0.1

_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _content(text: str) -> list[str]:
    """The words that say what a text asks for (boilerplate and stop words removed)."""
    words = _WORD.findall(strip_boilerplate(text))
    return [w for w in words if w not in STOP_WORDS and not w.isdigit()]


def _grams(words: Iterable[str]) -> Counter[str]:
    grams: Counter[str] = Counter()
    for word in words:
        padded = f" {word} "
        for n in (3, 4, 5):
            grams.update(padded[i : i + n] for i in range(len(padded) - n + 1))
    return grams


@dataclass(frozen=True)
class Recommendation:
    """A recommendation as the matcher sees it: an id and its text."""

    id: str
    text: str


@dataclass(frozen=True)
class Scored:
    """An earlier recommendation and a later one, how alike the matcher finds them, and why."""

    earlier_id: str
    later_id: str
    similarity: float  # the TF-IDF cosine alone
    score: float  # after the rules
    reasons: tuple[str, ...]

    @property
    def suggested(self) -> bool:
        return self.score >= THRESHOLD


@dataclass(frozen=True)
class _Prepared:
    text: str
    instruments: frozenset[str]
    issues: frozenset[str]
    groups: frozenset[str]
    actions: frozenset[str]
    general: frozenset[str]  # the issues some clause asks about without a specific step
    joins: bool
    applies: bool
    vector: dict[str, float]


def _prepare(recommendations: Sequence[Recommendation]) -> list[_Prepared]:
    texts = [strip_citations(normalise(r.text)) for r in recommendations]
    instruments = [instruments_of(t) for t in texts]
    # The treaty's own key joins the words, so "CPED" and "enforced disappearance" meet.
    counts = [
        _grams([*_content(t), *(f"treaty-{k}" for k in found)])
        for t, found in zip(texts, instruments, strict=True)
    ]
    frequency: Counter[str] = Counter()
    for grams in counts:
        frequency.update(grams.keys())
    documents = len(counts)
    prepared = []
    for text, found, grams in zip(texts, instruments, counts, strict=True):
        weights = {
            gram: (1.0 + math.log(n))
            * max(IDF_FLOOR, math.log((1 + documents) / (1 + frequency[gram])))
            for gram, n in grams.items()
        }
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        prepared.append(
            _Prepared(
                text=text,
                instruments=found,
                issues=issues_of(text),
                groups=groups_of(text),
                actions=actions_of(text, found, asks_to_join(text)),
                general=issues_asked_in_general(text),
                joins=asks_to_join(text),
                applies=asks_to_apply(text),
                vector={gram: w / norm for gram, w in weights.items()},
            )
        )
    return prepared


def _asks_other_steps(earlier: _Prepared, later: _Prepared, issues: frozenset[str]) -> bool:
    """Whether two texts on ``issues`` sharing no kind of step ask for different ones: both
    name steps, or one names steps and asks nothing in general on those issues."""
    if earlier.actions and later.actions:
        return True
    specific = earlier if earlier.actions else later
    return bool(specific.actions) and not specific.general & issues


def _apply_rules(
    similarity: float, earlier: _Prepared, later: _Prepared
) -> tuple[float, tuple[str, ...]]:
    """The score of a pair, from its similarity and what the rules know of both texts."""
    shared = earlier.instruments & later.instruments
    if earlier.instruments and later.instruments and not shared:
        return 0.0, ("names other treaties",)
    if shared and earlier.joins and later.joins:
        return max(similarity, 0.9), (f"both ask to ratify {', '.join(sorted(shared))}",)
    if shared and earlier.joins != later.joins and not (earlier.applies and later.applies):
        return similarity * 0.5, ("ratifying and applying a treaty are different asks",)
    issues = earlier.issues & later.issues
    groups = earlier.groups & later.groups
    if issues:
        if (
            not issues & ASKS
            and similarity < ACTION_SCOPE
            and not earlier.actions & later.actions
            and _asks_other_steps(earlier, later, issues)
        ):
            return similarity * ACTION_PENALTY, ("asks for another kind of step",)
        share = len(issues) / min(len(earlier.issues), len(later.issues))
        boost = ISSUE_BOOST * share + (GROUP_BOOST if groups else 0.0)
        if issues & ASKS:
            boost = max(boost, ASK_BOOST)
        if earlier.actions & later.actions:
            boost += ACTION_BOOST
        if earlier.issues == later.issues:
            boost += FOCUS_BOOST
        return min(1.0, similarity + boost), (f"both about {', '.join(sorted(issues | groups))}",)
    if (earlier.issues or earlier.groups) and (later.issues or later.groups) and not groups:
        return similarity * 0.5, ("about different issues",)
    if (earlier.issues & ASKS and not later.issues) or (later.issues & ASKS and not earlier.issues):
        # "Establish an NHRI" / "institutionalise measures for the rights of the child".
        return similarity * 0.5, ("only one asks for " + ", ".join(sorted(_asked(earlier, later))),)
    if (
        groups
        and similarity < ACTION_SCOPE
        and earlier.actions
        and later.actions
        and not earlier.actions & later.actions
    ):
        # "a national plan against discrimination of people of African descent" / "implement
        # the law on reparation for them": one group, different steps.
        return similarity * ACTION_PENALTY, ("asks for another kind of step",)
    return similarity, ()


def _asked(earlier: _Prepared, later: _Prepared) -> frozenset[str]:
    return (earlier.issues | later.issues) & ASKS


def scored_candidates(
    earlier: Sequence[Recommendation],
    later: Sequence[Recommendation],
    *,
    floor: float = FLOOR,
) -> dict[str, list[Scored]]:
    """Every earlier recommendation at least ``floor`` alike to each later one, scored, the
    best score first (by later recommendation's id)."""
    prepared = _prepare([*earlier, *later])
    before, after = prepared[: len(earlier)], prepared[len(earlier) :]
    postings: dict[str, list[tuple[int, float]]] = {}
    for index, item in enumerate(before):
        for gram, weight in item.vector.items():
            postings.setdefault(gram, []).append((index, weight))
    found: dict[str, list[Scored]] = {}
    for later_index, item in enumerate(after):
        dots: dict[int, float] = {}
        for gram, weight in item.vector.items():
            for index, other in postings.get(gram, ()):
                dots[index] = dots.get(index, 0.0) + weight * other
        ranked = []
        for index, similarity in dots.items():
            if similarity < floor:
                continue
            score, reasons = _apply_rules(similarity, before[index], item)
            ranked.append(
                Scored(
                    earlier_id=earlier[index].id,
                    later_id=later[later_index].id,
                    similarity=round(similarity, 4),
                    score=round(score, 4),
                    reasons=reasons,
                )
            )
        ranked.sort(key=lambda s: (-s.score, -s.similarity, s.earlier_id))
        found[later[later_index].id] = ranked
    return found


def suggest(
    earlier: Sequence[Recommendation],
    later: Sequence[Recommendation],
    *,
    per_recommendation: int = PER_RECOMMENDATION,
) -> list[Scored]:
    """The pairs to put to the ministry: for each later recommendation, the earlier ones it
    repeats (at most ``per_recommendation``, the best first)."""
    return [
        pair
        for ranked in scored_candidates(earlier, later).values()
        for pair in ranked[:per_recommendation]
        if pair.suggested
    ]
