"""The pages about the platform itself: help, privacy notice, accessibility statement.

Long prose is written whole in each language (``templates/info/<page>.<lang>.html``)
rather than cut into catalogue messages: a translator works on a page, not on sentences
out of context. The operator's contact comes from the settings.
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from localrights_gateway.web import i18n
from localrights_gateway.web.rendering import PageDep, PageRoute

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PAGES = ("help", "privacy", "accessibility")


def template_of(name: str, language: str) -> str:
    known = language if language in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE
    return f"info/{name}.{known}.html"


async def _info(page: PageDep, name: str) -> Response:
    settings = page.settings
    return await page.render(
        template_of(name, page.language),
        operator=settings.operator_name,
        contact_email=settings.contact_email,
    )


@router.get("/help")
async def help_page(page: PageDep) -> Response:
    """How to find, answer and follow consultations, and read their results."""
    return await _info(page, "help")


@router.get("/privacy")
async def privacy_page(page: PageDep) -> Response:
    """What a response stores, who keeps it, for how long, and whom to ask."""
    return await _info(page, "privacy")


@router.get("/accessibility")
async def accessibility_page(page: PageDep) -> Response:
    """How accessible the pages are, what is known not to be, and how to tell us."""
    return await _info(page, "accessibility")
