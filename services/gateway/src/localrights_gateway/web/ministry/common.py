"""What the ministry's pages share: who may use them, the choice of recommendations carried
from page to page, and the filters of a search."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from localrights_gateway.web import i18n

MINISTRY = ("ministry_officer",)
# Recommendations chosen one by one travel in the address (a choice of more is made with
# "choose all that match", which the exercise keeps as a filter).
MAX_CHOSEN = 500
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
NOTICES = {
    "owner": i18n.N_("The level of government is set for the chosen recommendations."),
    "created": i18n.N_("The exercise is created as a draft. Open it to invite the institutions."),
    "opened": i18n.N_("The exercise is open: the invited institutions are told in their inbox."),
    "closed": i18n.N_("The exercise is closed: it takes no more input."),
    "reminded": i18n.N_("The reminder is sent to the institutions that have not answered."),
    "nobody": i18n.N_("Every invited institution has answered everything: nobody to remind."),
    "cleared": i18n.N_("Nothing is chosen any more."),
}


def ids(values: Iterable[str]) -> list[str]:
    """The well-formed ids among ``values``, in order, each once, at most MAX_CHOSEN."""
    return list(dict.fromkeys(v for v in values if _UUID.match(v or "")))[:MAX_CHOSEN]


@dataclass(frozen=True)
class SearchFilters:
    """A search of recommendations, as the page's filters hold it."""

    q: str = ""
    country: str = ""
    mechanism: str = ""
    cycle: str = ""
    theme: str = ""
    sdg_goal: str = ""
    response: str = ""
    owner_level: str = ""

    @classmethod
    def of(cls, values: Mapping[str, Any], default_country: str = "") -> SearchFilters:
        def one(name: str) -> str:
            value = values.get(name)
            if isinstance(value, list):
                value = value[0] if value else ""
            return str(value or "").strip()

        return cls(
            q=one("q")[:300],
            country=(one("country") or default_country).upper()[:2],
            mechanism=one("mechanism")[:200],
            cycle=one("cycle") if one("cycle").isdigit() else "",
            theme=one("theme")[:300],
            sdg_goal=one("sdg_goal") if one("sdg_goal").isdigit() else "",
            response=one("response")
            if one("response") in ("supported", "supported_in_part", "noted")
            else "",
            owner_level=one("owner_level")
            if one("owner_level") in ("national", "regional", "local", "shared")
            else "",
        )

    def api_params(self) -> dict[str, str]:
        """The API's query: only what is set."""
        return {k: v for k, v in self.__dict__.items() if v}

    def query(self, **extra: Any) -> str:
        params: list[tuple[str, str]] = list(self.api_params().items())
        for key, value in extra.items():
            for item in value if isinstance(value, list) else [value]:
                if item not in (None, ""):
                    params.append((key, str(item)))
        return urlencode(params)
