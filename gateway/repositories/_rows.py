from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

Row = TypeVar("Row")


async def apply_changes(session: AsyncSession, row: Row, values: dict[str, Any]) -> Row:
    """Sets ``values`` on ``row``, writes it and reads it back (database defaults and triggers included)."""
    for name, value in values.items():
        setattr(row, name, value)
    session.add(row)
    await session.flush()
    await session.refresh(row)
    return row
