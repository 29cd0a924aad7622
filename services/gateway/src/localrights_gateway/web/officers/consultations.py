"""Officers' consultation pages: their list with the next step of each (open, close,
publish with what happens next) and participation codes. Writing one: consultation_editor."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from localrights_gateway.web.account import require_signed_in
from localrights_gateway.web.client import ApiError
from localrights_gateway.web.officers.common import OFFICERS, notice
from localrights_gateway.web.rendering import PageDep, PageRoute, first, form_data
from localrights_gateway.web.residents import items_of

router = APIRouter(route_class=PageRoute, include_in_schema=False)

# -- consultations --------------------------------------------------------------------------


@router.get("/consultations")
async def my_consultations(page: PageDep) -> Response:
    """The institution's consultations with the next step of each."""
    me = await require_signed_in(page, *OFFICERS)
    institution = (me.get("institution") or {}).get("id")
    items = items_of(await page.api.get("/consultations", institution_id=institution, limit=100))
    if institution:
        items = [c for c in items if str(c.get("institution_id")) == str(institution)]
    return await page.render(
        "officer/consultations.html", me=me, consultations=items, notice=notice(page)
    )


@router.post("/consultations/{consultation_id}/{action}")
async def consultation_action(consultation_id: UUID, action: str, page: PageDep) -> Response:
    """Open, close or publish a consultation; or issue participation codes."""
    form = await form_data(page.request)
    me = await require_signed_in(page, *OFFICERS)
    if action == "codes":
        count = first(form, "count", "10")
        number = int(count) if count.isdigit() else 0
        if not 1 <= number <= 1000:
            raise ApiError(400, "Bad request", page.gettext("Ask for 1 to 1000 codes."))
        created = await page.api.post(f"/consultations/{consultation_id}/codes", {"count": number})
        codes = created.get("codes", []) if isinstance(created, dict) else created or []
        return await page.render(
            "officer/codes.html", me=me, codes=codes, consultation_id=consultation_id
        )
    done = {"open": "opened", "close": "closed", "publish": "published"}
    if action not in done:
        raise ApiError(404, "Not found", page.gettext("There is no such action."))
    body = None
    if action == "publish":
        # What the institution will do with the results, per language of the consultation.
        written = {
            name.removeprefix("next-"): first(form, name)
            for name in form
            if name.startswith("next-") and first(form, name)
        }
        body = {"what_happens_next": written} if written else None
    await page.api.post(f"/consultations/{consultation_id}/{action}", body)
    return page.redirect(f"/officer/consultations?done={done[action]}")
