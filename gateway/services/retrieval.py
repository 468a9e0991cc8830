"""Retrieval without generation: the chunk_search stage on its own (hybrid search + document titles)."""

from __future__ import annotations

from typing import Any

from chat import ChatContext, RetrievalSettings
from chat.stages import ChunkSearch
from jisik.access import Access

from ..resources import GatewayResources

__all__ = ["search_chunks"]


async def search_chunks(
    resources: GatewayResources,
    *,
    tenant_id: str,
    access: Access,
    knowledge_base_ids: list[str],
    query: str,
    top_k: int,
    vector_threshold: float,
    keyword_threshold: float,
    embedding_model_id: str = "",
    knowledge_ids: list[str] | None = None,
) -> list[dict[str, Any]]:
    """Search the chunks ``access`` may read; ``knowledge_ids`` (when given) restricts the search to those
    documents."""
    if knowledge_ids is not None and not knowledge_ids:
        return []
    ctx = ChatContext(
        tenant_id=tenant_id,
        query=query,
        knowledge_base_ids=knowledge_base_ids,
        knowledge_ids=list(knowledge_ids or []),
        access=access,
        settings=RetrievalSettings(
            embedding_top_k=top_k,
            vector_threshold=vector_threshold,
            keyword_threshold=keyword_threshold,
            embedding_model_id=embedding_model_id,
        ),
    )
    stage = ChunkSearch(resources.clients.retriever, resources.clients.model, resources.pipeline_catalog)
    await stage.run(ctx)
    references = [passage.to_reference() for passage in ctx.search_results[:top_k]]
    for reference in references:
        reference.pop("cited", None)
    return references
