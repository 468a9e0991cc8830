from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")


async def paged(session: AsyncSession, query: Select[Any], *, page: int, page_size: int) -> tuple[list[Any], int]:
    """One page of ``query``'s rows (1-based page) and the total row count."""
    total = (await session.execute(select(func.count()).select_from(query.order_by(None).subquery()))).scalar_one()
    rows = (await session.execute(query.offset((page - 1) * page_size).limit(page_size))).scalars().all()
    return list(rows), int(total)
