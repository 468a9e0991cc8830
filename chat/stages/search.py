"""chunk_search: hybrid search with the rewritten sentence and with the keyword sequence, concurrently."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence

from jisik.errors import DeadlineExceeded, Unavailable
from jisik.proto import retriever_pb2

from ..clients import KnowledgeCatalog, ModelClient, RetrieverClient
from ..context import ChatContext, Passage

__all__ = ["ChunkSearch", "dedupe", "search_queries"]

logger = logging.getLogger(__name__)


def search_queries(sentence: str, keywords: str) -> list[str]:
    """The sentence, plus the keyword sequence when it differs (ignoring case and spacing)."""
    queries = [sentence]
    if keywords and " ".join(keywords.split()).casefold() != " ".join(sentence.split()).casefold():
        queries.append(keywords)
    return queries


def dedupe(result_lists: Iterable[Sequence[Passage]]) -> list[Passage]:
    """One passage per chunk id with its best score; ordered by score, then chunk id (deterministic)."""
    best: dict[str, Passage] = {}
    for results in result_lists:
        for passage in results:
            kept = best.get(passage.chunk_id)
            if kept is None or passage.score > kept.score:
                best[passage.chunk_id] = passage
    return sorted(best.values(), key=lambda passage: (-passage.score, passage.chunk_id))


class ChunkSearch:
    name = "chunk_search"

    def __init__(self, retriever: RetrieverClient, model: ModelClient, catalog: KnowledgeCatalog) -> None:
        self._retriever = retriever
        self._model = model
        self._catalog = catalog

    async def _vectors(self, ctx: ChatContext, queries: list[str]) -> list[list[float]] | None:
        try:
            return await self._model.embed(
                tenant_id=ctx.tenant_id, model_id=ctx.settings.embedding_model_id, texts=queries
            )
        except (Unavailable, DeadlineExceeded) as exc:
            logger.warning("query embedding failed, searching keywords only: %s", exc.code)
            return None

    async def run(self, ctx: ChatContext) -> str | None:
        if not ctx.knowledge_base_ids:
            ctx.search_results = []
            return "no knowledge base selected"
        queries = search_queries(ctx.search_query, ctx.keywords)
        vectors = await self._vectors(ctx, queries)
        mode = retriever_pb2.SEARCH_MODE_HYBRID if vectors else retriever_pb2.SEARCH_MODE_KEYWORD
        results = await asyncio.gather(
            *(
                self._retriever.search(
                    tenant_id=ctx.tenant_id,
                    query_text=query,
                    query_vector=vectors[index] if vectors else [],
                    top_k=ctx.settings.embedding_top_k,
                    vector_threshold=ctx.settings.vector_threshold,
                    keyword_threshold=ctx.settings.keyword_threshold,
                    knowledge_base_ids=ctx.knowledge_base_ids,
                    mode=mode,
                )
                for index, query in enumerate(queries)
            )
        )
        found = dedupe(results)
        known = await self._catalog.describe(
            tenant_id=ctx.tenant_id, knowledge_ids=sorted({passage.knowledge_id for passage in found})
        )
        ctx.search_results = []
        for passage in found:
            info = known.get(passage.knowledge_id)
            if info is None:
                continue
            passage.knowledge_title = info.title
            passage.knowledge_filename = info.file_name
            passage.knowledge_source = info.source
            ctx.search_results.append(passage)
        return None if vectors else "embedding unavailable; keyword search only"
