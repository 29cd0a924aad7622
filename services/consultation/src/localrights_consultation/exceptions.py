"""Errors of the consultation service."""

from localrights.errors import Conflict, NotFound


class ConsultationNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("no consultation with this id")


class IllegalTransition(Conflict):
    def __init__(self, current: str, wanted: str) -> None:
        super().__init__(f"a {current} consultation cannot be {wanted}")
