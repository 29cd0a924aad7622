"""HTTP routes of the recommendations service, one module per resource."""

from localrights_recommendations.api.exercise_tools import router as exercise_tools_router
from localrights_recommendations.api.exercises import router as exercises_router
from localrights_recommendations.api.follow_up import router as follow_up_router
from localrights_recommendations.api.indicators import router as indicators_router
from localrights_recommendations.api.recommendation_tools import router as tools_router
from localrights_recommendations.api.recommendations import router as recommendations_router
from localrights_recommendations.api.recurrences import router as recurrences_router
from localrights_recommendations.api.sdg import router as sdg_router

# The tools first: /recommendations/facets is not a recommendation id.
routers = [
    tools_router,
    recommendations_router,
    exercise_tools_router,
    exercises_router,
    sdg_router,
    follow_up_router,
    recurrences_router,
    indicators_router,
]

__all__ = ["routers"]
