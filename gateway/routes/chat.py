"""Answers (SSE) and retrieval-only search."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from fields.store import documents_matching

from ..access import AccessDep, ChatOwnerDep
from ..deps import ResourcesDep, TenantDep, require_scope
from ..middleware import current_request_id
from ..repositories.knowledge_bases import get_knowledge_base, require_knowledge_bases
from ..repositories.sessions import get_session
from ..schemas.common import Envelope
from ..schemas.search import KnowledgeSearchRequest, SearchResult
from ..schemas.session import ChatQuery
from ..services.chat import check_query, sse, start_chat
from ..services.retrieval import search_chunks
from .sessions import SSE_HEADERS

router = APIRouter(tags=["chat"])


@router.post(
    "/knowledge-chat/{session_id}",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "SSE: references, answer deltas, done"}},
    dependencies=[require_scope("read")],
)
async def knowledge_chat(
    session_id: str, body: ChatQuery, tenant: TenantDep, access: AccessDep, owner: ChatOwnerDep,
    resources: ResourcesDep,
) -> StreamingResponse:
    """Ask a question in a session. Events (`event: message`): one `references` event, then `answer`
    (and `thinking`) deltas, then `done: true`. Citations [n] point at the n-th reference."""
    async with resources.sessions() as session:
        chat_session = await get_session(session=session, tenant_id=tenant.id, session_id=session_id, owner=owner)
    state = await start_chat(
        resources,
        tenant_id=tenant.id,
        access=access,
        chat_session=chat_session,
        query=body.query,
        knowledge_base_ids=body.knowledge_base_ids,
        request_id=current_request_id(),
    )
    return StreamingResponse(sse(resources.streams, state), media_type="text/event-stream", headers=SSE_HEADERS)


@router.post(
    "/knowledge-search", response_model=Envelope[list[SearchResult]],
    dependencies=[require_scope("read")],
)
async def knowledge_search(
    body: KnowledgeSearchRequest, tenant: TenantDep, access: AccessDep, resources: ResourcesDep
) -> dict[str, Any]:
    """Retrieval only (no generation) over one or more knowledge bases."""
    query = check_query(body.query, max_chars=resources.settings.gateway.max_query_chars)
    async with resources.sessions() as session:
        base_ids = await require_knowledge_bases(session=session, tenant_id=tenant.id, ids=body.base_ids())
        first = (
            await get_knowledge_base(session=session, tenant_id=tenant.id, knowledge_base_id=base_ids[0])
            if base_ids
            else None
        )
    results = await search_chunks(
        resources,
        tenant_id=tenant.id,
        access=access,
        knowledge_base_ids=base_ids,
        query=query,
        top_k=body.match_count,
        vector_threshold=0.5,
        keyword_threshold=0.3,
        embedding_model_id=first.embedding_model_id if first else "",
        knowledge_ids=await _filtered(resources, tenant.id, base_ids, body.filters),
    )
    return {"success": True, "data": results}


async def _filtered(
    resources: ResourcesDep, tenant_id: str, base_ids: list[str], filters: dict[str, str]
) -> list[str] | None:
    """The documents a field filter allows; None without filters."""
    if not filters:
        return None
    async with resources.sessions() as session:
        return await documents_matching(session, tenant_id, base_ids, filters)
