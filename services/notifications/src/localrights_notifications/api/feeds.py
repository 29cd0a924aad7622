"""Public feeds, no account needed: Atom of alerts and an iCalendar of their dates."""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query, Request, Response

from localrights.db import SessionDep
from localrights.errors import problem_responses
from localrights_notifications import feeds, service
from localrights_notifications.deps import SettingsDep

router = APIRouter(prefix="/feeds", tags=["feeds"])

FEED_SIZE = 200
Country = Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$")]
Language = Annotated[str, Query(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
# A host name or IP literal with an optional port: nothing else may reach a link.
_HOST = re.compile(r"^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$")


def public_base(request: Request, public_url: str) -> str:
    """The address the reader used: the host and scheme the gateway forwards, else the
    configured public URL (a call that did not come through the gateway)."""
    host = request.headers.get("x-forwarded-host", "").split(",")[0].strip()
    proto = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    if _HOST.match(host) and proto in ("http", "https"):
        return f"{proto}://{host}"
    return public_url.rstrip("/")


@router.get(
    "/alerts.atom",
    response_class=Response,
    responses={200: {"content": {"application/atom+xml": {}}}, **problem_responses(422)},
)
async def alerts_atom(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    country: Country = None,
    mechanism: str | None = None,
    lang: Language = "en",
) -> Response:
    """Atom feed of the latest alerts, filterable by country and mechanism."""
    alerts, _ = await service.list_alerts(
        session=session,
        country=country,
        mechanism=mechanism,
        include_cancelled=True,
        limit=FEED_SIZE,
    )
    api_url = public_base(request, settings.public_url) + "/api/v1"
    # The self link is this very feed: its filters and its language, as asked for.
    asked = {"country": country, "mechanism": mechanism}
    if "lang" in request.query_params:
        asked["lang"] = lang
    query = urlencode([(k, v) for k, v in asked.items() if v], quote_via=quote)
    feed_url = f"{api_url}/feeds/alerts.atom" + (f"?{query}" if query else "")
    body = feeds.atom_feed(alerts, feed_url=feed_url, api_url=api_url, language=lang)
    return Response(body, media_type="application/atom+xml; charset=utf-8")


@router.get(
    "/calendar.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}, **problem_responses(422)},
)
async def calendar_ics(
    session: SessionDep,
    country: Country = None,
    mechanism: str | None = None,
    lang: Language = "en",
) -> Response:
    """iCalendar (RFC 5545) of review sessions, visits and deadlines, by country and mechanism."""
    alerts, _ = await service.list_alerts(
        session=session,
        country=country,
        mechanism=mechanism,
        include_cancelled=True,
        limit=1000,
    )
    body = feeds.ics_calendar(alerts, language=lang)
    return Response(body, media_type="text/calendar; charset=utf-8")
