"""Use cases of the consultation service; each commits its own transaction exactly once.

- ``consultations``: create, list, read, the lifecycle and its scheduled closing, codes;
- ``responses``: a resident's submission (windows, codes, idempotency, per-client cap);
- ``results``: results with suppression, and the owner's exports.
"""

from localrights_consultation.service.consultations import (
    close_consultation,
    close_due_consultations,
    create_consultation,
    get_consultation_or_raise,
    issue_codes,
    list_consultations,
    open_consultation,
    publish_consultation,
    questions_of,
    to_read,
)
from localrights_consultation.service.responses import DefinitionCache, submit_response
from localrights_consultation.service.results import (
    compute_results,
    export_responses,
    export_results,
)

__all__ = [
    "DefinitionCache",
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
