"""HTTP routes of the recommendations service, one module per resource."""

from localrights_recommendations.api.exercises import router as exercises_router
from localrights_recommendations.api.recommendations import router as recommendations_router
from localrights_recommendations.api.sdg import router as sdg_router

routers = [recommendations_router, exercises_router, sdg_router]

__all__ = ["routers"]
