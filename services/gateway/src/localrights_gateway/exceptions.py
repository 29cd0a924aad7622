"""Errors of the gateway (problem+json through the shared handler)."""

from __future__ import annotations

from localrights.errors import Conflict, LocalrightsError, NotFound, Unauthorized


class InstitutionNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("no institution with this id")


class UserNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("no user with this id")


class ApiKeyNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("no API key with this id")


class EmailTaken(Conflict):
    def __init__(self) -> None:
        super().__init__("a user with this e-mail address already exists")


class BadCredentials(Unauthorized):
    def __init__(self, message: str = "wrong e-mail address or password") -> None:
        super().__init__(message)


class RateLimited(LocalrightsError):
    """Too many requests from one client; its headers say when to come back (Retry-After)."""

    status_code = 429
    title = "Too many requests"


class UpstreamError(LocalrightsError):
    """A service behind the gateway is down (503), broken (502) or too slow (504)."""

    def __init__(self, status_code: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.title = title
