from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from jisik.access import Access
from jisik.db.models import Knowledge
from jisik.errors import NotFound

from ._paging import paged
from ._rows import apply_changes
from .readable import readable_by

__all__ = ["batch_knowledge", "get_knowledge", "list_knowledge", "update_knowledge"]


async def list_knowledge(
    *, session: AsyncSession, tenant_id: str, knowledge_base_id: str, access: Access, page: int, page_size: int
) -> tuple[list[Knowledge], int]:
    """The documents of a knowledge base that ``access`` may read, newest first."""
    query = (
        select(Knowledge)
        .where(
            col(Knowledge.tenant_id) == tenant_id,
            col(Knowledge.knowledge_base_id) == knowledge_base_id,
            readable_by(access),
        )
        .order_by(col(Knowledge.created_at).desc(), col(Knowledge.id))
    )
    return await paged(session, query, page=page, page_size=page_size)


async def batch_knowledge(
    *, session: AsyncSession, tenant_id: str, ids: Sequence[str], access: Access
) -> list[Knowledge]:
    """The tenant's documents among ``ids`` that ``access`` may read, in the order asked (others are left out)."""
    query = select(Knowledge).where(
        col(Knowledge.tenant_id) == tenant_id,
        col(Knowledge.id).in_(list(ids)),
        readable_by(access),
    )
    found = {row.id: row for row in (await session.execute(query)).scalars().all()}
    return [found[knowledge_id] for knowledge_id in dict.fromkeys(ids) if knowledge_id in found]


async def get_knowledge(
    *, session: AsyncSession, tenant_id: str, knowledge_id: str, access: Access, lock: bool = False
) -> Knowledge:
    """One document; one ``access`` may not read is not found (its existence is not revealed)."""
    query = select(Knowledge).where(
        col(Knowledge.id) == knowledge_id, col(Knowledge.tenant_id) == tenant_id, readable_by(access)
    )
    if lock:
        query = query.with_for_update()
    found = (await session.execute(query)).scalar_one_or_none()
    if found is None:
        raise NotFound(f"document {knowledge_id} not found", field="knowledge_id")
    return found


async def update_knowledge(*, session: AsyncSession, knowledge: Knowledge, values: dict[str, Any]) -> Knowledge:
    return await apply_changes(session, knowledge, values)
