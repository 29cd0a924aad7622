"""Errors of the recommendations service."""

from __future__ import annotations

from localrights.errors import Conflict, Forbidden, InvalidInput, NotFound


class RecommendationNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("no recommendation with this id")


class ExerciseNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("no reporting exercise with this id")


class InputNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("no local input with this id in this exercise")


class IllegalTransition(Conflict):
    def __init__(self, current: str, wanted: str) -> None:
        super().__init__(f"a {current} exercise cannot be {wanted}")


class ExerciseNotOpen(Conflict):
    def __init__(self, status: str) -> None:
        reason = "has not opened yet" if status == "draft" else "is closed"
        super().__init__(f"this exercise {reason}: input is accepted only while it is open")


class NotInvited(Forbidden):
    def __init__(self) -> None:
        super().__init__("your institution is not invited to this reporting exercise")


class NotExerciseOwner(Forbidden):
    def __init__(self) -> None:
        super().__init__("this reporting exercise belongs to another ministry")


class UnreadableImport(InvalidInput):
    """The upload as a whole cannot be read (no header, unknown format, broken JSON)."""


class StatusEntryNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("no implementation status entry with this id")


class IndicatorNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("no indicator with this id")


class RecurrenceLinkNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("no suggested repeat with this id")
