"""HTTP routes of the consultation service, one module per resource."""

from localrights_consultation.api.consultations import router as consultations_router
from localrights_consultation.api.drafts import router as drafts_router
from localrights_consultation.api.feeds import router as feeds_router
from localrights_consultation.api.participation import router as participation_router
from localrights_consultation.api.results import router as results_router

# The feeds first: /consultations/feed.atom is not a consultation's id.
routers = [
    feeds_router,
    consultations_router,
    drafts_router,
    participation_router,
    results_router,
]

__all__ = ["routers"]
