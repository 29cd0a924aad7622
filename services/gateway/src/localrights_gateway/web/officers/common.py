"""What the officers' and ministry's pages share: roles, notices, list fields, API errors."""

from __future__ import annotations

from localrights_gateway.web.answers import FieldError
from localrights_gateway.web.client import ApiError
from localrights_gateway.web.i18n import N_
from localrights_gateway.web.rendering import Page

OFFICERS = ("institution_officer", "ministry_officer")
# Alerts are for local institutions: the notifications service refuses other roles.
INSTITUTIONS = ("institution_officer",)
NOTICES = {
    "created": N_("Saved."),
    "draft": N_("The draft is saved. Preview it, then open it for answers."),
    "deleted": N_("Deleted."),
    "read": N_("Marked as read."),
    "unread": N_("Kept among the unread items."),
    "updated": N_("Your changes are saved."),
    "opened": N_("Opened."),
    "closed": N_("Closed."),
    "published": N_("The results are published."),
    "input": N_("Your input has been saved."),
}


def notice(page: Page) -> str | None:
    key = page.request.query_params.get("done", "")
    return page.gettext(NOTICES[key]) if key in NOTICES else None


def api_field_errors(exc: ApiError, known: dict[str, str]) -> list[FieldError]:
    """The API's 422 problems placed at the form field each names (else at the form's top)."""
    found = []
    for problem in exc.errors or [{"location": "", "message": exc.detail}]:
        location = str(problem.get("location") or "")
        message = str(problem.get("message") or exc.detail)
        target = next(
            (field for key, field in known.items() if key and key in location.split(".")),
            "form-top",
        )
        found.append(FieldError(target, "", f"{location}: {message}" if location else message))
    return found
