"""HTTP routes of the recommendations service, one module per resource."""

from localrights_recommendations.api.exercise_tools import router as exercise_tools_router
from localrights_recommendations.api.exercises import router as exercises_router
from localrights_recommendations.api.recommendation_tools import router as tools_router
from localrights_recommendations.api.recommendations import router as recommendations_router
from localrights_recommendations.api.sdg import router as sdg_router

# The tools first: /recommendations/facets is not a recommendation id.
routers = [
    tools_router,
    recommendations_router,
    exercise_tools_router,
    exercises_router,
    sdg_router,
]

__all__ = ["routers"]
