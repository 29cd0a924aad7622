"""What an error page says, per HTTP status: what happened and what to do, in plain words."""

from __future__ import annotations

from localrights_gateway.web.i18n import N_

# (title, what happened, what to do) for each status a page can end on.
EXPLAINED: dict[int, tuple[str, str, str]] = {
    403: (
        N_("You cannot see this page"),
        N_("This page is only for the people who run it."),
        N_("If you work for an institution, sign in with your account and try again."),
    ),
    404: (
        N_("Page not found"),
        N_(
            "There is no page at this address. It may have been moved, or the address may "
            "be mistyped."
        ),
        N_("Check the address, or find what you were looking for from the list of consultations."),
    ),
    405: (
        N_("Page not found"),
        N_("This address does not take this kind of request."),
        N_("Go back and use the links and buttons of the page."),
    ),
    429: (
        N_("Too many requests"),
        N_("Too many requests came from your connection in a short time."),
        N_("Please wait a minute, then try again. Nothing you sent was lost."),
    ),
    400: (
        N_("The request could not be understood"),
        N_("The page received something it could not read."),
        N_("Go back, check what you entered and try again."),
    ),
    409: (
        N_("This cannot be done now"),
        N_("The platform refused this step in the current state of things."),
        N_("Go back and reload the page to see where things stand."),
    ),
    413: (
        N_("The file is too large"),
        N_("What was sent is larger than the platform accepts."),
        N_("Send a smaller file, or split it into several."),
    ),
    422: (
        N_("The request could not be understood"),
        N_("Some of what was sent is not valid."),
        N_("Go back, check what you entered and try again."),
    ),
    500: (
        N_("Something went wrong"),
        N_("The platform failed to show this page. This is our mistake, not yours."),
        N_(
            "Please try again in a few minutes. If it happens again, tell us through the help page."
        ),
    ),
    502: (
        N_("A part of the platform failed"),
        N_("The page could not be shown because a part of the platform did not answer."),
        N_("Nothing was lost. Please try again in a few minutes."),
    ),
    503: (
        N_("A part of the platform is unavailable"),
        N_("The page could not be shown because a part of the platform did not answer."),
        N_("Nothing was lost. Please try again in a few minutes."),
    ),
    504: (
        N_("A part of the platform did not answer in time"),
        N_("The page could not be shown because a part of the platform did not answer."),
        N_("Nothing was lost. Please try again in a few minutes."),
    ),
}
