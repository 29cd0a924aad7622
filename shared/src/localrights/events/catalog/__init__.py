"""Every event type of the platform, one module per producing aggregate family."""

from localrights.events.catalog import (
    alerts,
    consultation,
    exercises,
    follow_up,
    indicators,
    institutions,
    recommendations,
    subscriptions,
)

__all__ = [
    "alerts",
    "consultation",
    "exercises",
    "follow_up",
    "indicators",
    "institutions",
    "recommendations",
    "subscriptions",
]
