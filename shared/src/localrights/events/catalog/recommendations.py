"""Events of UN recommendations (topic ``recommendation.events``, keyed by import batch)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from pydantic import Field

from localrights.events.registry import RECOMMENDATION_EVENTS, EventPayload, EventType, register


class RecommendationsImported(EventPayload):
    """A batch of UN recommendations was imported (summary only, never the rows)."""

    import_id: UUID
    source_format: str = Field(description="uhri_csv | uhri_json | upr_info_csv")
    countries: list[str]
    mechanisms: list[str]
    created: int
    updated: int
    rejected: int
    imported_at: datetime
    unchanged: int = Field(default=0, description="Rows already imported with the same content")
    rows: int = Field(default=0, description="Data rows read from the upload")


RECOMMENDATIONS_IMPORTED = register(
    EventType(
        type="recommendation.imported",
        topic=RECOMMENDATION_EVENTS,
        key="import_id",
        version=1,
        model=RecommendationsImported,
        producer="recommendations",
        description="A batch of UN recommendations was imported or re-imported.",
        example=RecommendationsImported(
            import_id=UUID("6f7a8b9c-0d1e-4f2a-9b3c-4d5e6f7a8b9c"),
            source_format="uhri_csv",
            countries=["IT"],
            mechanisms=["UPR"],
            created=120,
            updated=3,
            rejected=2,
            unchanged=40,
            rows=165,
            imported_at=datetime(2026, 2, 20, 10, 0, tzinfo=UTC),
        ),
    )
)
