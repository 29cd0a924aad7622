"""The web front: server-rendered pages for residents, institutions and ministries.

A client of the platform's public JSON API (this gateway's /api/v1, over loopback), never of
the services' internals: everything a page shows, an API client could do. ``router`` is
included at the root by ``localrights_gateway.main``; its lifespan opens the pages' HTTP
client. Templates, static files and translations live beside this package
(``localrights_gateway/templates``, ``static``, ``translations``).
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from localrights_gateway.web import api_docs, error_pages
from localrights_gateway.web.account import router as account_router
from localrights_gateway.web.client import web_lifespan
from localrights_gateway.web.finding import router as finding_router
from localrights_gateway.web.follow_up_pages import router as follow_up_router
from localrights_gateway.web.info import router as info_router
from localrights_gateway.web.ministry import router as ministry_router
from localrights_gateway.web.ministry_follow_up import router as ministry_follow_up_router
from localrights_gateway.web.officers import router as officers_router
from localrights_gateway.web.publisher import router as publisher_router
from localrights_gateway.web.residents import router as residents_router
from localrights_gateway.web.results_page import router as results_router
from localrights_gateway.web.session_renewal import router as sessions_router

router = APIRouter(lifespan=web_lifespan, include_in_schema=False)
router.include_router(finding_router)
router.include_router(residents_router)
router.include_router(results_router)
router.include_router(info_router)
router.include_router(account_router)
router.include_router(officers_router)
router.include_router(ministry_router)
router.include_router(publisher_router)
router.include_router(sessions_router)
router.include_router(follow_up_router)
router.include_router(ministry_follow_up_router)


def install(app: FastAPI) -> None:
    """What the pages add to the app beyond their routes: HTML error pages, the API's docs."""
    error_pages.install(app)
    api_docs.install(app)


__all__ = ["install", "router"]
