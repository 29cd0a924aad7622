"""The ministry's follow-up page: reported statuses to validate or return, and the suggested
repeats of earlier recommendations to confirm or reject."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from fastapi import APIRouter, Response

from localrights_gateway.web.account import require_signed_in
from localrights_gateway.web.answers import FieldError
from localrights_gateway.web.i18n import N_
from localrights_gateway.web.pagination import Pagination, page_number
from localrights_gateway.web.rendering import Page, PageDep, PageRoute, first, form_data

router = APIRouter(prefix="/ministry", route_class=PageRoute, include_in_schema=False)

MINISTRY = ("ministry_officer",)
PER_PAGE = 20
DONE = {
    "validated": N_("The status is validated."),
    "returned": N_("The status is returned to the institution with your comment."),
    "confirmed": N_("Confirmed: the recommendation's timeline now continues from the earlier one."),
    "rejected": N_("Rejected: the two recommendations are followed apart."),
}


async def _page(
    page: Page, me: dict[str, Any], *, errors: list[FieldError] | None = None, comment_for: str = ""
) -> Response:
    country = (me.get("institution") or {}).get("country", "")
    number = page_number(page.request.query_params.get("page"))
    reviews = await page.api.get("/follow-up/reviews", country=country, page_size=50)
    suggested = await page.api.get(
        "/recurrences", country=country, status="suggested", page=number, page_size=PER_PAGE
    )
    pagination = Pagination(number=number, size=PER_PAGE, total=suggested["total"])
    key = page.request.query_params.get("done", "")
    return await page.render(
        "ministry/follow_up.html",
        status_code=422 if errors else 200,
        me=me,
        country=country,
        reviews=reviews,
        suggested=suggested,
        pagination=pagination,
        page_links=pagination.links(page.url, "/ministry/follow-up", {}),
        errors=errors or [],
        comment_for=comment_for,
        notice=page.gettext(DONE[key]) if key in DONE else None,
    )


@router.get("/follow-up")
async def follow_up(page: PageDep) -> Response:
    """What needs the ministry: statuses to review, repeats to confirm."""
    me = await require_signed_in(page, *MINISTRY)
    return await _page(page, me)


@router.post("/follow-up/statuses/{entry_id}/{action}")
async def review(entry_id: UUID, action: Literal["validate", "return"], page: PageDep) -> Response:
    """Validate a reported status, or return it with a comment saying why."""
    form = await form_data(page.request)
    me = await require_signed_in(page, *MINISTRY)
    comment = first(form, "comment")
    if action == "return" and len(comment) < 3:
        message = page.gettext("Say why the status is returned, so the institution can act on it.")
        return await _page(
            page,
            me,
            errors=[FieldError(f"comment-{entry_id}", "", message)],
            comment_for=str(entry_id),
        )
    body = {"comment": comment} if comment else {}
    await page.api.post(f"/follow-up/statuses/{entry_id}/{action}", body)
    return page.redirect(
        f"/ministry/follow-up?done={'validated' if action == 'validate' else 'returned'}"
    )


@router.post("/follow-up/recurrences/{link_id}/{action}")
async def decide(link_id: UUID, action: Literal["confirm", "reject"], page: PageDep) -> Response:
    """Confirm that a new recommendation repeats an earlier one, or reject the suggestion."""
    await form_data(page.request)
    await require_signed_in(page, *MINISTRY)
    await page.api.post(f"/recurrences/{link_id}/{action}")
    return page.redirect(
        f"/ministry/follow-up?done={'confirmed' if action == 'confirm' else 'rejected'}"
    )
