"""Use cases of the consultation service. Those that change state take a unit of work
(``localrights.uow``) and never commit: the route's ``async with uow`` commits each once,
with its events. A resident's submission is the one exception (``responses``).

- ``consultations``: create, read, the lifecycle and its scheduled closing, codes;
- ``listing``: finding consultations by place, words, topic and SDG;
- ``responses``: a resident's submission (windows, codes, idempotency, per-client cap);
- ``results``: results with suppression, and the owner's exports;
- ``publication``: publishing, and the results kept when published;
- ``downloads``: the public CSV and JSON of published results, and the Atom feeds.
"""

from localrights_consultation.service.consultations import (
    close_consultation,
    close_due_consultations,
    create_consultation,
    get_consultation_or_raise,
    issue_codes,
    open_consultation,
    questions_of,
    to_read,
)
from localrights_consultation.service.listing import Filters, list_consultations, recent_in_place
from localrights_consultation.service.publication import (
    all_results_for,
    publish_consultation,
    results_for,
)
from localrights_consultation.service.responses import DefinitionCache, submit_response
from localrights_consultation.service.results import (
    compute_results,
    export_responses,
    export_results,
)

__all__ = [
    "DefinitionCache",
    "Filters",
    "all_results_for",
    "recent_in_place",
    "results_for",
    "close_consultation",
    "close_due_consultations",
    "compute_results",
    "create_consultation",
    "export_responses",
    "export_results",
    "get_consultation_or_raise",
    "issue_codes",
    "list_consultations",
    "open_consultation",
    "publish_consultation",
    "questions_of",
    "submit_response",
    "to_read",
]
