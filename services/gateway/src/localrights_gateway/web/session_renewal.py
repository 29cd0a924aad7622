"""The route site.js calls while an officer types, so a long text does not outlast the
session (the renewal rules are in ``backoffice/sessions.py``)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from localrights_gateway.web import security
from localrights_gateway.web.backoffice.sessions import renew, renewal_due
from localrights_gateway.web.rendering import Page

router = APIRouter(include_in_schema=False)


@router.post("/session/renew")
async def renew_on_activity(request: Request) -> Response:
    """Called by site.js while an officer types: renew the session if half of it is used."""
    page = Page(request)
    try:
        security.check_csrf(request, request.headers.get("x-csrf-token"))
    except security.CsrfError:
        return page.finish(Response(status_code=403))
    if page.token is None:
        return page.finish(Response(status_code=401))
    renewed = await renew(page) if renewal_due(page.token) else True
    return page.finish(Response(status_code=204 if renewed else 401))
