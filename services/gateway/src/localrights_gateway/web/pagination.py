"""Pages of a long list: which slice to ask the API for, and the links between pages."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


def page_number(raw: str | int | None) -> int:
    """The 1-based page asked for; anything odd is the first page."""
    try:
        number = int(raw or 1)
    except (TypeError, ValueError):
        return 1
    return max(1, min(number, 10_000))


@dataclass(frozen=True)
class Pagination:
    number: int  # 1-based
    size: int
    total: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def count(self) -> int:
        """How many pages there are (at least one, even when empty)."""
        return max(1, -(-self.total // self.size))

    @property
    def first_shown(self) -> int:
        return min(self.total, self.offset + 1)

    @property
    def last_shown(self) -> int:
        return min(self.total, self.offset + self.size)

    def links(
        self, url: Callable[..., str], path: str, params: Mapping[str, Any]
    ) -> dict[str, str | None]:
        """URLs of the previous and next pages (None at either end), keeping the filters."""

        def to(number: int) -> str:
            return url(path, **{**params, "page": number if number > 1 else None})

        return {
            "previous": to(self.number - 1) if self.number > 1 else None,
            "next": to(self.number + 1) if self.number < self.count else None,
        }
