"""Chunks of one document: list, edit (re-indexed at once), disable, delete."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from ..deps import ResourcesDep, SessionDep, SettingsDep, TenantDep
from ..repositories import chunks as repo
from ..repositories.knowledge import get_knowledge
from ..repositories.knowledge_bases import get_knowledge_base
from ..schemas.chunk import ChunkPublic, ChunkUpdate
from ..schemas.common import Envelope, Paged

router = APIRouter(prefix="/chunks", tags=["chunks"])


@router.get("/{knowledge_id}", response_model=Paged[ChunkPublic])
async def list_chunks(
    knowledge_id: str,
    tenant: TenantDep,
    session: SessionDep,
    settings: SettingsDep,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> dict[str, Any]:
    await get_knowledge(session=session, tenant_id=tenant.id, knowledge_id=knowledge_id)
    page_size = min(page_size, settings.gateway.max_page_size)
    rows, total = await repo.list_chunks(
        session=session, tenant_id=tenant.id, knowledge_id=knowledge_id, page=page, page_size=page_size
    )
    return {"success": True, "data": rows, "total": total, "page": page, "page_size": page_size}


@router.delete("/{knowledge_id}", response_model=Envelope[dict[str, int]])
async def delete_all(knowledge_id: str, tenant: TenantDep, session: SessionDep, resources: ResourcesDep) -> dict[str, Any]:
    """Remove every chunk of the document from the index and the database."""
    knowledge = await get_knowledge(session=session, tenant_id=tenant.id, knowledge_id=knowledge_id)
    deleted = await repo.delete_chunks(session=session, tenant_id=tenant.id, knowledge_id=knowledge_id)
    if deleted:
        await resources.index.delete(tenant_id=tenant.id, chunk_ids=deleted)
    knowledge.chunk_count = 0
    session.add(knowledge)
    return {"success": True, "data": {"deleted": len(deleted)}}


@router.put("/{knowledge_id}/{chunk_id}", response_model=Envelope[ChunkPublic])
async def update(
    knowledge_id: str,
    chunk_id: str,
    body: ChunkUpdate,
    tenant: TenantDep,
    session: SessionDep,
    resources: ResourcesDep,
) -> dict[str, Any]:
    """Edit a chunk's text (re-embedded and re-indexed) or enable/disable it."""
    chunk = await repo.get_chunk(session=session, tenant_id=tenant.id, knowledge_id=knowledge_id, chunk_id=chunk_id)
    knowledge = await get_knowledge(session=session, tenant_id=tenant.id, knowledge_id=knowledge_id)
    if body.content is not None:
        chunk.content = body.content
    if body.is_enabled is not None:
        chunk.is_enabled = body.is_enabled
    if not chunk.is_enabled:
        await resources.index.delete(tenant_id=tenant.id, chunk_ids=[chunk.id])
    elif body.content is not None or body.is_enabled:
        base = await get_knowledge_base(session=session, tenant_id=tenant.id, knowledge_base_id=chunk.knowledge_base_id)
        await resources.index.reindex(chunk=chunk, knowledge=knowledge, embedding_model_id=base.embedding_model_id)
    session.add(chunk)
    await session.flush()
    await session.refresh(chunk)
    return {"success": True, "data": chunk}


@router.delete("/{knowledge_id}/{chunk_id}", response_model=Envelope[None])
async def delete(
    knowledge_id: str, chunk_id: str, tenant: TenantDep, session: SessionDep, resources: ResourcesDep
) -> dict[str, Any]:
    chunk = await repo.get_chunk(session=session, tenant_id=tenant.id, knowledge_id=knowledge_id, chunk_id=chunk_id)
    await resources.index.delete(tenant_id=tenant.id, chunk_ids=[chunk.id])
    await session.delete(chunk)
    return {"success": True, "data": None}
