"""Run every benchmark in bench/ and print one table of figures beside their baselines.

    uv run python bench/run_all.py [--short] [--only NAME ...]

Each script prints ``BENCH {json}`` lines (see benchlib.report); this collects them.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SKIP = {"run_all.py", "benchlib.py"}


def scripts(only: list[str]) -> list[Path]:
    found = sorted(
        p for p in HERE.glob("*.py") if p.name not in SKIP and not p.name.startswith("_")
    )
    return [p for p in found if not only or p.stem in only]


def run(script: Path, short: bool) -> tuple[list[dict[str, object]], str]:
    command = [sys.executable, str(script)] + (["--short"] if short else [])
    proc = subprocess.run(command, capture_output=True, text=True, cwd=HERE.parent, timeout=1800)
    rows = [json.loads(line[6:]) for line in proc.stdout.splitlines() if line.startswith("BENCH ")]
    error = "" if proc.returncode == 0 else (proc.stderr.strip().splitlines() or ["failed"])[-1]
    return rows, error


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--short", action="store_true")
    parser.add_argument("--only", nargs="*", default=[])
    args = parser.parse_args()
    table: list[dict[str, object]] = []
    failures: list[str] = []
    for script in scripts(args.only):
        started = time.monotonic()
        print(f"running {script.name} ...", file=sys.stderr, flush=True)
        rows, error = run(script, args.short)
        print(f"  {time.monotonic() - started:.0f}s", file=sys.stderr, flush=True)
        table.extend(rows)
        if error:
            failures.append(f"{script.name}: {error}")
    header = (
        f"| {'benchmark':<22} | {'figure':<40} | {'value':>14} | {'baseline':>14} "
        f"| {'ratio':>6} | baseline is"
    )
    print(header)
    print("|" + "|".join("-" * (len(part)) for part in header.split("|")[1:]))
    for row in table:
        value = f"{row['value']:,.1f} {row['unit']}"
        baseline = "" if row["baseline"] is None else f"{row['baseline']:,.1f}"
        ratio = "" if row["ratio"] is None else f"{row['ratio']:.2f}"
        print(
            f"| {row['bench']!s:<22} | {row['figure']!s:<40} | {value:>14} | {baseline:>14} "
            f"| {ratio:>6} | {row['baseline_name']}"
        )
    for failure in failures:
        print(f"FAILED {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
