"""Errors of the consultation service."""

from __future__ import annotations

import time
from typing import Any

from localrights.errors import Conflict, Forbidden, InvalidInput, LocalrightsError, NotFound


class ConsultationNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("no consultation with this id")


class IllegalTransition(Conflict):
    """A lifecycle step the consultation's status does not allow."""


class NotTakingResponses(Conflict):
    """A response outside the consultation's window (before opening, after closing)."""


class InvalidDefinition(InvalidInput):
    def __init__(self, messages: list[str]) -> None:
        super().__init__(
            "; ".join(messages),
            errors=[{"location": m.split(":", 1)[0], "message": m} for m in messages],
        )


class InvalidResponse(InvalidInput):
    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__(
            "; ".join(message for _, message in problems),
            errors=[{"location": f"answers.{q}", "message": m} for q, m in problems],
        )


class NotOwner(Forbidden):
    def __init__(self, what: str = "this consultation") -> None:
        super().__init__(f"only the institution that owns {what} may do this")


class CodeRequired(Forbidden):
    def __init__(self) -> None:
        super().__init__("this consultation takes responses only with a participation code")


class CodeInvalid(Forbidden):
    def __init__(self) -> None:
        super().__init__("this participation code is not valid for this consultation")


class CodeUsed(Conflict):
    def __init__(self) -> None:
        super().__init__("this participation code has already been used")


class IdempotencyKeyReused(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "this Idempotency-Key was already used with a different body; "
            "use a new key for a new response"
        )


class TooManyResponses(LocalrightsError):
    status_code = 429
    title = "Too many responses"

    def __init__(self, limit: int, window: int, **kwargs: Any) -> None:
        super().__init__(
            f"at most {limit} responses per device every {window // 60} minutes "
            "for this consultation",
            **kwargs,
        )
        # Quota windows are aligned to the epoch (repository.submit): the next one starts then.
        self.retry_after = window - int(time.time()) % window
