"""The SDG taxonomy shipped with the service: 17 goals and 169 targets, official short texts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

LANGUAGES = ("en", "fr", "es")
DEFAULT_LANGUAGE = "en"
_TARGET_KEY = re.compile(r"^(\d{1,2})-([0-9a-z]{1,2})-title$")
_GOAL_KEY = re.compile(r"^(\d{1,2})-(title|short)$")
# "1.4 - Equal rights to economic resources" (UHRI), "SDG 11.1", "Target 16.b", "16.B"
_TARGET_CODE = re.compile(r"^\s*(?:sdg\s*|target\s*)?(\d{1,2})\.([0-9a-z]{1,2})\b", re.I)


@dataclass(frozen=True)
class SdgGoal:
    number: int
    short: str
    title: str


@dataclass(frozen=True)
class SdgTarget:
    code: str  # "11.1", "16.b"
    goal: int
    title: str


def _load(language: str, name: str) -> dict[str, str]:
    text = (
        resources.files("localrights_recommendations")
        .joinpath(f"data/sdg/{language}/{name}")
        .read_text(encoding="utf-8")
    )
    data = yaml.safe_load(text)
    return {str(k): str(v) for k, v in data.items()}


def _target_order(code: str) -> tuple[int, int, str]:
    goal, _, target = code.partition(".")
    return (int(goal), 0 if target.isdigit() else 1, target.zfill(2))


@lru_cache(maxsize=len(LANGUAGES))
def targets(language: str = DEFAULT_LANGUAGE) -> dict[str, SdgTarget]:
    """The 169 targets by code, in the order the 2030 Agenda lists them."""
    found: dict[str, SdgTarget] = {}
    for key, title in _load(language, "global_targets.yml").items():
        match = _TARGET_KEY.match(key)
        if match:
            code = f"{int(match[1])}.{match[2]}"
            found[code] = SdgTarget(code=code, goal=int(match[1]), title=" ".join(title.split()))
    return {code: found[code] for code in sorted(found, key=_target_order)}


@lru_cache(maxsize=len(LANGUAGES))
def goals(language: str = DEFAULT_LANGUAGE) -> dict[int, SdgGoal]:
    """The 17 goals by number."""
    parts: dict[int, dict[str, str]] = {}
    for key, value in _load(language, "global_goals.yml").items():
        match = _GOAL_KEY.match(key)
        if match:
            parts.setdefault(int(match[1]), {})[match[2]] = " ".join(value.split())
    return {
        n: SdgGoal(number=n, short=p.get("short", ""), title=p.get("title", ""))
        for n, p in sorted(parts.items())
    }


def target_code(value: str) -> str | None:
    """The target code at the start of a value ("1.4 - Equal rights ..." -> "1.4"), or None."""
    match = _TARGET_CODE.match(value)
    if match is None:
        return None
    return f"{int(match[1])}.{match[2].lower()}"


def is_target(code: str) -> bool:
    return code in targets()


def normalise_targets(values: list[str]) -> tuple[list[str], list[str]]:
    """Known target codes (deduplicated, in order) and the values that are not SDG targets."""
    known: list[str] = []
    unknown: list[str] = []
    for value in values:
        code = target_code(value)
        if code is not None and is_target(code):
            if code not in known:
                known.append(code)
        elif value.strip():
            unknown.append(value.strip())
    return known, unknown
