"""Every benchmark runs in its short mode and reports figures beside a baseline.

Speed is never asserted here (our machines are shared and noisy); what is asserted is that
each benchmark still works end to end and prints a finite figure for every line it reports.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
# As bench/run_all.py runs them: not its helpers (benchlib, _-prefixed modules).
SCRIPTS = sorted(
    p
    for p in BENCH.glob("*.py")
    if p.name not in {"run_all.py", "benchlib.py"} and not p.name.startswith("_")
)


# Smaller still than `make bench`'s short mode, for the scripts whose short run is long:
# what is checked here is that they work and report, not their figures.
SMALLER = {
    "recommendations_import": ["--rows", "2000"],
    "alert_fanout": ["--subscriptions", "100", "--httpx-sample", "30"],
}


@pytest.mark.parametrize("script", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_benchmark_short_run_reports_figures(script: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(script), "--short", *SMALLER.get(script.stem, [])],
        capture_output=True,
        text=True,
        cwd=BENCH.parent,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = [json.loads(line[6:]) for line in proc.stdout.splitlines() if line.startswith("BENCH ")]
    assert rows, f"{script.name} printed no BENCH figures:\n{proc.stdout[-2000:]}"
    for row in rows:
        assert math.isfinite(row["value"]) and row["value"] >= 0, row
        assert row["baseline"] is None or math.isfinite(row["baseline"]), row
    assert any(row["baseline"] is not None for row in rows), "no same-run baseline reported"


def test_the_smaller_runs_name_scripts_that_exist() -> None:
    assert set(SMALLER) <= {p.stem for p in SCRIPTS}
