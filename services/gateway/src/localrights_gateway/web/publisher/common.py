"""What the publisher's pages share: who may use them, and the alert's choices by name."""

from __future__ import annotations

from typing import Any

from localrights_gateway.web import i18n, lookups
from localrights_gateway.web.backoffice import pickers
from localrights_gateway.web.rendering import Page

PUBLISHERS = ("alert_publisher",)


async def form_choices(page: Page) -> dict[str, Any]:
    """Everything the alert form offers by name, in the page's language."""
    gettext = page.gettext
    return {
        "kinds": [(k, page.gettext(_KIND[k])) for k in pickers.ALERT_KINDS],
        "stages": pickers.STAGES,
        "treaty_bodies": pickers.TREATY_BODIES,
        "mandates": await pickers.mandates(page.api, page.language),
        "countries": pickers.country_choices(page.language),
        "themes": await pickers.theme_choices(page.api, page.language, gettext),
        "text_languages": i18n.LANGUAGES,
    }


async def naming(page: Page) -> dict[str, Any]:
    """How lists and pages name mechanisms and themes."""
    goals = await lookups.sdg_goals(page.api, page.language)
    mechanisms = await pickers.mechanism_names(page.api, page.language, page.gettext)

    def theme(value: str) -> str:
        return pickers.theme_label(value, page.gettext, goals)

    return {"mechanism_names": mechanisms, "theme_name": theme}


_KIND = {
    "upr_review": i18n.N_("Universal Periodic Review session"),
    "treaty_body_review": i18n.N_("Treaty-body review"),
    "country_visit": i18n.N_("Country visit of a Special Rapporteur or working group"),
    "call_for_input": i18n.N_("Call for input"),
    "deadline": i18n.N_("Submission deadline"),
}
