"""An alert's deliveries as a publisher follows them, and sending the failed ones again."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response

from localrights_gateway.web import lookups
from localrights_gateway.web.account import require_signed_in
from localrights_gateway.web.client import ApiError
from localrights_gateway.web.i18n import N_, Gettext
from localrights_gateway.web.publisher.common import PUBLISHERS
from localrights_gateway.web.rendering import Page, PageDep, PageRoute, form_data

router = APIRouter(route_class=PageRoute, include_in_schema=False)


async def delivery_report(page: Page, alert_id: str, *, limit: int) -> dict[str, Any]:
    """Counts by status and the deliveries, each with its institution's name and a plain
    status ("retrying" is a waiting delivery that has failed before)."""
    try:
        report = await page.api.get(f"/alerts/{alert_id}/deliveries", limit=limit)
    except ApiError as exc:
        if exc.status in (401, 403):
            raise
        return {"counts": {}, "items": [], "total": 0}
    items = [d for d in report.get("items", []) if isinstance(d, dict)]
    names = await lookups.institutions_by_id(page.api, [d.get("institution_id") for d in items])
    for delivery in items:
        institution = names.get(str(delivery.get("institution_id")))
        delivery["institution_name"] = institution["name"] if institution else None
        retrying = delivery.get("status") == "pending" and int(delivery.get("attempts") or 0) > 0
        delivery["shown_status"] = "retrying" if retrying else delivery.get("status")
        delivery["problem"] = problem_in_words(delivery, page.gettext)
    report["items"] = items
    return dict(report)


_PROBLEMS = {
    "timed out": N_("The receiving address did not answer in time."),
    "forbidden address": N_("The receiving address is on a private network."),
    "connect": N_("The receiving address could not be reached."),
    "recipient refused": N_("The mail server refused the address."),
    "subscription deleted": N_("The institution removed this subscription."),
}


def problem_in_words(delivery: dict[str, Any], gettext: Gettext) -> str:
    """What went wrong with a delivery, in words an officer reads (not an exception's)."""
    error = str(delivery.get("last_error") or "")
    if not error:
        return ""
    status = re.match(r"HTTP (\d{3})", error)
    if status:
        return gettext("The receiving address answered with error %(code)s.") % {
            "code": status.group(1)
        }
    lowered = error.lower()
    for word, message in _PROBLEMS.items():
        if word in lowered:
            return gettext(message)
    return gettext("The delivery failed.")


@router.post("/alerts/{alert_id}/replay")
async def replay_failed(alert_id: UUID, page: PageDep) -> Response:
    """Send every failed delivery of the alert again."""
    await form_data(page.request)
    await require_signed_in(page, *PUBLISHERS)
    await page.api.post(f"/alerts/{alert_id}/deliveries/replay")
    return page.redirect(f"/publisher/alerts/{alert_id}?done=replayed#deliveries")


@router.post("/alerts/{alert_id}/deliveries/{delivery_id}/replay")
async def replay_one(alert_id: UUID, delivery_id: UUID, page: PageDep) -> Response:
    """Send one failed delivery again."""
    await form_data(page.request)
    await require_signed_in(page, *PUBLISHERS)
    await page.api.post(f"/deliveries/{delivery_id}/replay")
    return page.redirect(f"/publisher/alerts/{alert_id}?done=replayed#deliveries")
