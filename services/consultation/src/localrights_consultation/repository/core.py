"""Running statements in a use case's session: rows, not ORM objects; never a commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult, Executable
from sqlmodel.ext.asyncio.session import AsyncSession


async def execute(
    session: AsyncSession, statement: Executable, params: dict[str, Any] | None = None
) -> CursorResult[Any]:
    """Run a Core statement in the session's transaction (rows, not ORM objects)."""
    connection = await session.connection()
    return await connection.execute(statement, params or {})
