"""`make test` runs the suite as two pytest sessions side by side (deploy/tools/run_tests.sh):
together they must run every test file of pytest's testpaths once, or a tier would silently
stop running (or run twice)."""

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


def modules_under(root: Path, testpaths: list[str]) -> list[str]:
    """Every test module under the testpaths, by path from ``root``."""
    return sorted(
        path.relative_to(root).as_posix()
        for testpath in testpaths
        for path in (root / testpath).rglob("test_*.py")
    )


def not_run_once(script: str, files: list[str]) -> dict[str, int]:
    """Each test file that no half runs, or that more than one runs, with how many run it."""
    paths = [path for half in halves(script).values() for path in half]
    runs = {file: sum(file.startswith(f"{path}/") for path in paths) for file in files}
    return {file: count for file, count in runs.items() if count != 1}


def test_the_two_halves_run_every_test_file_once() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    files = modules_under(ROOT, pyproject["tool"]["pytest"]["ini_options"]["testpaths"])
    script = RUNNER.read_text()
    assert len(halves(script)) == 2
    assert len(files) > 100
    assert not_run_once(script, files) == {}


def test_a_file_left_out_or_run_twice_is_found() -> None:
    script = "half one services/a &\nhalf two services tests &\n"
    files = ["services/a/tests/test_x.py", "shared/tests/test_y.py", "tests/test_z.py"]
    assert not_run_once(script, files) == {
        "services/a/tests/test_x.py": 2,
        "shared/tests/test_y.py": 0,
    }
