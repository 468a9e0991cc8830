"""Chunks of one document: list, edit (re-embedded and re-indexed), disable, delete.

Writes commit first and reach the search index after the commit, never before: an index failure then
answers 503 and repeating the same request finishes the job (index calls are idempotent).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from jisik.passages import index_chunk, passage_text

from ..access import AccessDep
from ..deps import ResourcesDep, SessionDep, SettingsDep, TenantDep, require_scope
from ..repositories import chunks as repo
from ..repositories.knowledge import get_knowledge
from ..repositories.knowledge_bases import get_knowledge_base
from ..schemas.chunk import ChunkPublic, ChunkUpdate
from ..schemas.common import Envelope, Paged

router = APIRouter(prefix="/chunks", tags=["chunks"])


@router.get("/{knowledge_id}", response_model=Paged[ChunkPublic], dependencies=[require_scope("read")])
async def list_chunks(
    knowledge_id: str,
    tenant: TenantDep,
    access: AccessDep,
    session: SessionDep,
    settings: SettingsDep,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> dict[str, Any]:
    await get_knowledge(session=session, tenant_id=tenant.id, knowledge_id=knowledge_id, access=access)
    page_size = min(page_size, settings.gateway.max_page_size)
    rows, total = await repo.list_chunks(
        session=session, tenant_id=tenant.id, knowledge_id=knowledge_id, page=page, page_size=page_size
    )
    return {"success": True, "data": rows, "total": total, "page": page, "page_size": page_size}


@router.delete(
    "/{knowledge_id}", response_model=Envelope[dict[str, int]],
    dependencies=[require_scope("write")],
)
async def delete_all(
    knowledge_id: str, tenant: TenantDep, access: AccessDep, resources: ResourcesDep
) -> dict[str, Any]:
    """Remove every chunk of the document from the database, then from the index."""
    async with resources.sessions() as session, session.begin():
        knowledge = await get_knowledge(session=session, tenant_id=tenant.id, knowledge_id=knowledge_id, access=access)
        deleted = await repo.delete_chunks(session=session, tenant_id=tenant.id, knowledge_id=knowledge_id)
        knowledge.chunk_count = 0
        session.add(knowledge)
    await resources.clients.retriever.delete(tenant.id, knowledge_ids=[knowledge_id])
    return {"success": True, "data": {"deleted": len(deleted)}}


@router.put(
    "/{knowledge_id}/{chunk_id}", response_model=Envelope[ChunkPublic],
    dependencies=[require_scope("write")],
)
async def update(
    knowledge_id: str, chunk_id: str, body: ChunkUpdate, tenant: TenantDep, access: AccessDep,
    resources: ResourcesDep,
) -> dict[str, Any]:
    """Edit a chunk's text (re-embedded with its document's title and re-indexed) or enable/disable it."""
    retriever, model = resources.clients.retriever, resources.clients.model
    async with resources.sessions() as session, session.begin():
        chunk = await repo.get_chunk(session=session, tenant_id=tenant.id, knowledge_id=knowledge_id, chunk_id=chunk_id)
        knowledge = await get_knowledge(session=session, tenant_id=tenant.id, knowledge_id=knowledge_id, access=access)
        if body.content is not None:
            chunk.content = body.content
        if body.is_enabled is not None:
            chunk.is_enabled = body.is_enabled
        entry = None
        if chunk.is_enabled and (body.content is not None or body.is_enabled):
            base = await get_knowledge_base(
                session=session, tenant_id=tenant.id, knowledge_base_id=chunk.knowledge_base_id
            )
            vectors = await model.embed_passages(
                tenant_id=tenant.id, model_id=base.embedding_model_id,
                texts=[passage_text(knowledge.title, chunk.content)],
            )
            entry = index_chunk(chunk, knowledge, vectors[0][0])
        session.add(chunk)
        await session.flush()
        await session.refresh(chunk)
    if entry is not None:
        await retriever.index_chunks([entry])
    elif not chunk.is_enabled:
        await retriever.delete(tenant.id, chunk_ids=[chunk.id])
    return {"success": True, "data": chunk}


@router.delete(
    "/{knowledge_id}/{chunk_id}", response_model=Envelope[None],
    dependencies=[require_scope("write")],
)
async def delete(
    knowledge_id: str, chunk_id: str, tenant: TenantDep, access: AccessDep, resources: ResourcesDep
) -> dict[str, Any]:
    async with resources.sessions() as session, session.begin():
        await get_knowledge(session=session, tenant_id=tenant.id, knowledge_id=knowledge_id, access=access)
        chunk = await repo.get_chunk(session=session, tenant_id=tenant.id, knowledge_id=knowledge_id, chunk_id=chunk_id)
        await session.delete(chunk)
    await resources.clients.retriever.delete(tenant.id, chunk_ids=[chunk_id])
    return {"success": True, "data": None}
