"""Knowledge bases and raw hybrid search over one of them."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError

from fields.store import documents_matching
from jisik.errors import InvalidInput

from ..access import AccessDep, owner_label
from ..deps import ActorDep, ResourcesDep, SessionDep, TenantDep, require_scope
from ..repositories import knowledge_bases as repo
from ..schemas.common import Envelope
from ..schemas.knowledge_base import KnowledgeBaseCreate, KnowledgeBasePublic, KnowledgeBaseUpdate
from ..schemas.search import HybridSearchParams, SearchResult
from ..services.chat import check_query
from ..services.retrieval import search_chunks

router = APIRouter(prefix="/knowledge-bases", tags=["knowledge bases"])


@router.post(
    "", status_code=201, response_model=Envelope[KnowledgeBasePublic],
    dependencies=[require_scope("write")],
)
async def create(body: KnowledgeBaseCreate, actor: ActorDep, session: SessionDep) -> dict[str, Any]:
    """Create a knowledge base; its creator is its owner (who, besides admins, sets its access lists)."""
    knowledge_base = await repo.create_knowledge_base(
        session=session, tenant_id=actor.tenant_id, values={**body.values(), "owner": owner_label(actor)}
    )
    return {"success": True, "data": knowledge_base}


@router.get("", response_model=Envelope[list[KnowledgeBasePublic]], dependencies=[require_scope("read")])
async def list_all(tenant: TenantDep, session: SessionDep) -> dict[str, Any]:
    return {"success": True, "data": await repo.list_knowledge_bases(session=session, tenant_id=tenant.id)}


@router.get(
    "/{knowledge_base_id}", response_model=Envelope[KnowledgeBasePublic],
    dependencies=[require_scope("read")],
)
async def get(knowledge_base_id: str, tenant: TenantDep, session: SessionDep) -> dict[str, Any]:
    found = await repo.get_knowledge_base(session=session, tenant_id=tenant.id, knowledge_base_id=knowledge_base_id)
    return {"success": True, "data": found}


@router.put(
    "/{knowledge_base_id}", response_model=Envelope[KnowledgeBasePublic],
    dependencies=[require_scope("write")],
)
async def update(
    knowledge_base_id: str, body: KnowledgeBaseUpdate, tenant: TenantDep, session: SessionDep
) -> dict[str, Any]:
    """Change settings. The embedding model is fixed at creation (the index depends on it)."""
    found = await repo.get_knowledge_base(
        session=session, tenant_id=tenant.id, knowledge_base_id=knowledge_base_id, lock=True
    )
    updated = await repo.update_knowledge_base(
        session=session, knowledge_base=found, values=body.values()
    )
    return {"success": True, "data": updated}


@router.delete("/{knowledge_base_id}", response_model=Envelope[None], dependencies=[require_scope("write")])
async def delete(
    knowledge_base_id: str, tenant: TenantDep, session: SessionDep, resources: ResourcesDep
) -> dict[str, Any]:
    """Delete the knowledge base, its documents, chunks and stored files; the documents' index entries
    follow the commit (their rows cascade, and CDC's index.meta deletes them from the index)."""
    store = resources.store
    found = await repo.get_knowledge_base(
        session=session, tenant_id=tenant.id, knowledge_base_id=knowledge_base_id, lock=True
    )
    await repo.delete_knowledge_base(session=session, knowledge_base=found)
    await store.delete_prefix(f"{tenant.id}/{found.id}/")
    return {"success": True, "data": None}


async def _search_params(request: Request) -> HybridSearchParams:
    """WeKnora clients send the parameters as a JSON body, even with GET; query parameters also work."""
    raw = await request.body()
    try:
        if raw.strip():
            return HybridSearchParams.model_validate_json(raw)
        return HybridSearchParams.model_validate(dict(request.query_params))
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "body"
        if first["type"] == "json_invalid":
            raise InvalidInput("malformed JSON body", field="body") from exc
        raise InvalidInput(f"{field}: {first['msg']}", field=field) from exc
    except json.JSONDecodeError as exc:
        raise InvalidInput("malformed JSON body", field="body") from exc


@router.get(
    "/{knowledge_base_id}/hybrid-search", response_model=Envelope[list[SearchResult]],
    dependencies=[require_scope("read")],
)
@router.post(
    "/{knowledge_base_id}/hybrid-search",
    response_model=Envelope[list[SearchResult]],
    operation_id="hybrid_search_post",
    dependencies=[require_scope("read")],
)
async def hybrid_search(
    knowledge_base_id: str, request: Request, tenant: TenantDep, access: AccessDep, session: SessionDep,
    resources: ResourcesDep,
) -> dict[str, Any]:
    """Vector + keyword search over one knowledge base (body: query_text, vector_threshold,
    keyword_threshold, match_count)."""
    params = await _search_params(request)
    query = check_query(params.query_text, max_chars=resources.settings.gateway.max_query_chars)
    found = await repo.get_knowledge_base(session=session, tenant_id=tenant.id, knowledge_base_id=knowledge_base_id)
    results = await search_chunks(
        resources,
        tenant_id=tenant.id,
        access=access,
        knowledge_base_ids=[found.id],
        query=query,
        top_k=params.match_count,
        vector_threshold=params.vector_threshold,
        keyword_threshold=params.keyword_threshold,
        embedding_model_id=found.embedding_model_id,
        knowledge_ids=await documents_matching(session, tenant.id, [found.id], params.filters)
        if params.filters else None,
    )
    return {"success": True, "data": results}
