"""The recurrence matcher against the real UPR Info file: the four States reviewed twice.

Shared by the evaluation test (``test_recurrence_evaluation.py``) and by the script that drew
the sample to label (``python services/recommendations/tests/recurrence_kit.py``). The
recommendations are read with the importer's own reader and parser, so their ids are the
natural keys an import gives them.

The evaluation population: for each recommendation of a State's second review, the earlier
recommendations of its first review that the matcher ranks in its top three by score or by
similarity alone (at least ``FLOOR`` alike). A pair the matcher suggests is in stratum
``suggested`` (drawn at ``DRAW_THRESHOLD``); any other is in stratum ``candidate``. The
labelled sample in tests/data/recurrence_pairs.csv is a simple random sample of each stratum;
each row carries its inclusion weight (pairs of its stratum in the population over pairs of
it sampled), so that figures on the sample estimate those of the population
(Horvitz-Thompson).
"""

from __future__ import annotations

import csv
import random
import sys
from dataclasses import dataclass
from pathlib import Path

from localrights_recommendations.domain.importing import (
    CsvRecordReader,
    LineDecoder,
    RecommendationRecord,
    RowRejected,
    detect_csv_format,
    parser_for,
)
from localrights_recommendations.domain.recurrence import (
    PER_RECOMMENDATION,
    THRESHOLD,
    Recommendation,
    Scored,
    scored_candidates,
)

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
UPR_INFO_DATA = REPO.parent / "shared" / "data" / "upr-info"
LABELS = REPO / "tests" / "data" / "recurrence_pairs.csv"

# The strata of the labelled sample were drawn with this threshold (the matcher's own is at
# least as high, so what it suggests is a part of the stratum "suggested").
DRAW_THRESHOLD = 0.38
# The four States reviewed twice in the file: (first, second) session.
STATES = {"IT": (7, 20), "UY": (5, 18), "CM": (4, 16), "ID": (1, 13)}
COLUMNS = (
    "country",
    "stratum",
    "weight",
    "earlier_id",
    "earlier_session",
    "earlier_text",
    "later_id",
    "later_session",
    "later_text",
    "repeats",
)


def read_upr_info(countries: set[str]) -> list[RecommendationRecord]:
    """The recommendations of ``countries`` in the real file, as the importer reads them."""
    found: list[RecommendationRecord] = []
    for path in sorted(UPR_INFO_DATA.glob("sessions-*.csv")):
        reader = CsvRecordReader(LineDecoder("auto"))
        records = [*reader.feed(path.read_bytes()), *reader.finish()]
        header, rows = records[0], records[1:]
        assert header.fields is not None
        parser = parser_for(detect_csv_format(header.fields), header.fields)
        for row in rows:
            try:
                parsed = parser.parse(row.fields, row.values)
            except RowRejected:
                continue
            found += [r for r in parsed.records if r.country in countries]
    return found


@dataclass(frozen=True)
class Reviews:
    """One State's two reviews, with the texts by id."""

    country: str
    earlier: list[Recommendation]
    later: list[Recommendation]
    sessions: dict[str, int]
    texts: dict[str, str]


def reviews() -> list[Reviews]:
    records = read_upr_info(set(STATES))
    out = []
    for country, (first, second) in STATES.items():
        mine = [r for r in records if r.country == country]
        by_session = {
            session: [
                Recommendation(id=r.natural_key, text=r.text)
                for r in mine
                if r.session == str(session)
            ]
            for session in (first, second)
        }
        out.append(
            Reviews(
                country=country,
                earlier=by_session[first],
                later=by_session[second],
                sessions={r.natural_key: int(r.session or 0) for r in mine},
                texts={r.natural_key: r.text for r in mine},
            )
        )
    return out


def population(state: Reviews) -> dict[tuple[str, str], Scored]:
    """The pairs the evaluation is about, for one State (see the module docstring)."""
    pairs: dict[tuple[str, str], Scored] = {}
    for ranked in scored_candidates(state.earlier, state.later).values():
        by_similarity = sorted(ranked, key=lambda s: (-s.similarity, s.earlier_id))
        for pair in ranked[:PER_RECOMMENDATION] + by_similarity[:PER_RECOMMENDATION]:
            pairs[(pair.earlier_id, pair.later_id)] = pair
    return pairs


def suggested(
    pairs: dict[tuple[str, str], Scored], threshold: float = THRESHOLD
) -> set[tuple[str, str]]:
    """The population's pairs the matcher puts to a ministry (its top three, at least
    ``threshold``)."""
    chosen: set[tuple[str, str]] = set()
    per_later: dict[str, list[Scored]] = {}
    for pair in pairs.values():
        per_later.setdefault(pair.later_id, []).append(pair)
    for ranked in per_later.values():
        ranked.sort(key=lambda s: (-s.score, -s.similarity, s.earlier_id))
        chosen |= {
            (p.earlier_id, p.later_id) for p in ranked[:PER_RECOMMENDATION] if p.score >= threshold
        }
    return chosen


@dataclass(frozen=True)
class Label:
    country: str
    stratum: str
    weight: float
    earlier_id: str
    later_id: str
    repeats: bool


def read_labels(path: Path = LABELS) -> list[Label]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            Label(
                country=row["country"],
                stratum=row["stratum"],
                weight=float(row["weight"]),
                earlier_id=row["earlier_id"],
                later_id=row["later_id"],
                repeats=row["repeats"] == "yes",
            )
            for row in csv.DictReader(handle)
        ]


def draw_sample(sizes: dict[str, int], seed: int) -> list[dict[str, str]]:
    """A simple random sample of each stratum (``sizes`` pairs of it), unlabelled, shuffled.

    Run once to draw the sample; the labels were then written in by reading each pair
    (tests/data/recurrence_pairs.csv, see the README for the rule followed).
    """
    rng = random.Random(seed)
    strata: dict[str, list[tuple[Reviews, Scored]]] = {"suggested": [], "candidate": []}
    for state in reviews():
        pairs = population(state)
        chosen = suggested(pairs, DRAW_THRESHOLD)
        for key, pair in sorted(pairs.items()):
            strata["suggested" if key in chosen else "candidate"].append((state, pair))
    rows: list[dict[str, str]] = []
    for stratum, members in strata.items():
        drawn = rng.sample(members, min(sizes[stratum], len(members)))
        weight = len(members) / len(drawn)
        for state, pair in drawn:
            rows.append(
                {
                    "country": state.country,
                    "stratum": stratum,
                    "weight": f"{weight:.4f}",
                    "earlier_id": pair.earlier_id,
                    "earlier_session": str(state.sessions[pair.earlier_id]),
                    "earlier_text": state.texts[pair.earlier_id],
                    "later_id": pair.later_id,
                    "later_session": str(state.sessions[pair.later_id]),
                    "later_text": state.texts[pair.later_id],
                    "repeats": "",
                }
            )
    rng.shuffle(rows)
    return rows


if __name__ == "__main__":
    writer = csv.DictWriter(sys.stdout, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    sizes = {"suggested": int(sys.argv[1]), "candidate": int(sys.argv[2])}
    writer.writerows(draw_sample(sizes, seed=int(sys.argv[3])))
