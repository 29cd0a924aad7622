"""Response shapes every service shares."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel

ItemT = TypeVar("ItemT")


# One page of a list: the items, how many match in all, and the window asked for. (A comment,
# not a docstring: a docstring would become every page's description in the OpenAPI documents.)
class Page(BaseModel, Generic[ItemT]):
    items: list[ItemT]
    total: int
    limit: int
    offset: int
