"""What every benchmark shares: the embedded servers and one way to print figures.

Each benchmark prints its figures for people and, per figure, one line
``BENCH {"bench": ..., "figure": ..., "value": ..., "unit": ..., "baseline": ..., "ratio": ...}``
that ``bench/run_all.py`` collects into one table. Figures are never asserted.
"""

from __future__ import annotations

import contextlib
import json
import statistics
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from localrights.embedded import EmbeddedKafka, EmbeddedPostgres


@dataclass(frozen=True)
class Servers:
    postgres_url: str
    kafka_bootstrap_servers: str


@contextlib.contextmanager
def embedded_servers() -> Iterator[Servers]:
    """A throwaway PostgreSQL and Tansu broker for one benchmark run."""
    with tempfile.TemporaryDirectory(prefix="bench-") as workdir:
        postgres = EmbeddedPostgres(Path(workdir) / "pgdata")
        postgres.start()
        kafka = EmbeddedKafka(log_file=Path(workdir) / "tansu.log")
        try:
            kafka.start()
            yield Servers(postgres.url, kafka.bootstrap_servers)
        finally:
            kafka.stop()
            postgres.stop("immediate")


def percentile(values: Sequence[float], pct: float) -> float:
    """The pct-th percentile (nearest rank) of values."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def mean(values: Sequence[float]) -> float:
    return statistics.fmean(values) if values else float("nan")


def report(
    bench: str,
    figure: str,
    value: float,
    unit: str,
    *,
    baseline: float | None = None,
    baseline_name: str = "",
    higher_is_better: bool = True,
) -> None:
    """Print one figure beside its same-run baseline, for people and for run_all.py."""
    ratio = None
    if baseline:
        ratio = value / baseline
    line = f"{bench:<24} {figure:<38} {value:>12,.2f} {unit:<10}"
    if baseline is not None:
        line += f" baseline {baseline:>12,.2f} ({baseline_name})"
        if ratio is not None:
            line += f"  ratio {ratio:.2f}"
    print(line, flush=True)
    print(
        "BENCH "
        + json.dumps(
            {
                "bench": bench,
                "figure": figure,
                "value": value,
                "unit": unit,
                "baseline": baseline,
                "baseline_name": baseline_name,
                "ratio": ratio,
                "higher_is_better": higher_is_better,
            }
        ),
        flush=True,
    )
