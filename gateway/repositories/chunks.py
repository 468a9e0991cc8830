from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from jisik.db.models import Chunk
from jisik.errors import NotFound

from ._paging import paged

__all__ = ["chunk_contents", "delete_chunks", "get_chunk", "list_chunks"]


async def list_chunks(
    *, session: AsyncSession, tenant_id: str, knowledge_id: str, page: int, page_size: int
) -> tuple[list[Chunk], int]:
    query = (
        select(Chunk)
        .where(col(Chunk.tenant_id) == tenant_id, col(Chunk.knowledge_id) == knowledge_id)
        .order_by(col(Chunk.chunk_index))
    )
    return await paged(session, query, page=page, page_size=page_size)


async def get_chunk(*, session: AsyncSession, tenant_id: str, knowledge_id: str, chunk_id: str) -> Chunk:
    query = select(Chunk).where(
        col(Chunk.id) == chunk_id, col(Chunk.knowledge_id) == knowledge_id, col(Chunk.tenant_id) == tenant_id
    )
    found = (await session.execute(query.with_for_update())).scalar_one_or_none()
    if found is None:
        raise NotFound(f"chunk {chunk_id} not found", field="chunk_id")
    return found


async def chunk_contents(
    *, session: AsyncSession, tenant_id: str, knowledge_id: str, chunk_ids: list[str]
) -> list[str]:
    """The text of the given chunks of one document, in the order asked (read only, no lock)."""
    query = select(Chunk).where(
        col(Chunk.id).in_(chunk_ids), col(Chunk.knowledge_id) == knowledge_id, col(Chunk.tenant_id) == tenant_id
    )
    found = {chunk.id: chunk.content for chunk in (await session.execute(query)).scalars()}
    missing = [chunk_id for chunk_id in chunk_ids if chunk_id not in found]
    if missing:
        raise NotFound(f"chunk {missing[0]} not found", field="chunk_id")
    return [found[chunk_id] for chunk_id in chunk_ids]


async def delete_chunks(*, session: AsyncSession, tenant_id: str, knowledge_id: str) -> list[str]:
    """Delete every chunk row of one document; returns their ids."""
    result = await session.execute(
        delete(Chunk).where(col(Chunk.tenant_id) == tenant_id, col(Chunk.knowledge_id) == knowledge_id).returning(col(Chunk.id))
    )
    return list(result.scalars().all())
