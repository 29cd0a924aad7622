"""`make test` runs the suite as two pytest sessions side by side (deploy/tools/run_tests.sh):
together they must be exactly pytest's testpaths, or a tier would silently stop running."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNNER = ROOT / "deploy" / "tools" / "run_tests.sh"
_HALF = re.compile(r"^half (?P<name>\S+) (?P<paths>.+?) &$", re.MULTILINE)


def halves(script: str) -> dict[str, list[str]]:
    """Each half the runner starts, by name, with the paths it gives pytest."""
    return {match["name"]: match["paths"].split() for match in _HALF.finditer(script)}


def not_run_once(script: str, testpaths: list[str]) -> dict[str, int]:
    """Each testpath that no half runs, or that two halves run, with how many run it."""
    runs = [path for paths in halves(script).values() for path in paths]
    return {
        path: runs.count(path)
        for path in {*testpaths, *runs}
        if runs.count(path) != 1 or path not in testpaths
    }


def test_the_two_halves_run_every_testpath_once() -> None:
    testpaths = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"][
        "ini_options"
    ]["testpaths"]
    script = RUNNER.read_text()
    assert len(halves(script)) == 2
    assert not_run_once(script, testpaths) == {}


def test_a_testpath_left_out_or_run_twice_is_found() -> None:
    script = "half services services &\nhalf platform tests services &\n"
    assert not_run_once(script, ["shared/tests", "services", "tests"]) == {
        "shared/tests": 0,
        "services": 2,
    }
