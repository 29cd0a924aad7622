"""Topics a consultation can be filed under, so residents can find it by what it is about.

A short, fixed vocabulary (the pages translate each id), in the spirit of the themes of the
UN's Universal Human Rights Index but at the scale of a town: what residents would look for.
"""

from __future__ import annotations

TOPICS: tuple[str, ...] = (
    "housing",
    "health",
    "education",
    "water_sanitation",
    "safety",
    "environment",
    "transport",
    "work",
    "equality",
    "disability",
    "children_youth",
    "older_persons",
    "migration",
    "culture",
    "participation",
    "public_budget",
)


def topic_error(topic: str) -> str | None:
    """Why ``topic`` is not one of TOPICS, or None."""
    if topic in TOPICS:
        return None
    return f"topics: {topic!r} is not a topic; use one of {', '.join(TOPICS)}"
