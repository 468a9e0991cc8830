"""chunk_search: hybrid search with the rewritten sentence and a keyword search with the keyword
sequence, concurrently; results de-duplicated deterministically and labelled with document titles.

The sentence's embedding starts as soon as the sentence is known (``start_embedding``, called by the
pipeline right after rewrite_query), so it overlaps preprocess_query. The keyword sequence goes to
BM25 only: embedding a bag of words (as WeKnora does) costs a second model call and adds nothing the
sentence's vector does not already bring.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable, Sequence

import numpy as np

from jisik.clients.types import SearchMode
from jisik.errors import DeadlineExceeded, Unavailable

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

    async def _embed(self, ctx: ChatContext, text: str) -> list[float] | None:
        started = time.perf_counter()
        if ctx.tuned is not None and ctx.tuned.encoder is not None:
            vector = await self._embed_with_version(ctx, text)
            if vector is not None:
                ctx.search_detail["embed_ms"] = round((time.perf_counter() - started) * 1000, 2)
                return vector
        try:
            vectors = await self._model.embed(
                tenant_id=ctx.tenant_id, model_id=ctx.settings.embedding_model_id, texts=[text]
            )
        except (Unavailable, DeadlineExceeded) as exc:
            logger.warning("query embedding failed, searching keywords only: %s", exc.code)
            return None
        finally:
            ctx.search_detail["embed_ms"] = round((time.perf_counter() - started) * 1000, 2)
        if not vectors:
            return None
        ctx.base_query_vector = vectors[0]
        if ctx.tuned is not None and ctx.tuned.bundle is not None:  # the tenant's query adapter: a better vector
            return [float(x) for x in ctx.tuned.bundle.adapt(np.asarray(vectors[0], dtype=np.float32))]
        return vectors[0]

    async def _embed_with_version(self, ctx: ChatContext, text: str) -> list[float] | None:
        """The question's vector from the session's fine-tuned bi-encoder, searched in its own vector space;
        None when it fails (the default embedder and the index's vectors answer instead)."""
        assert ctx.tuned is not None and ctx.tuned.encoder is not None
        try:
            vectors = await asyncio.to_thread(ctx.tuned.encoder.embed, [text])
        except (RuntimeError, ValueError, OSError) as exc:
            logger.warning("the tuned bi-encoder failed, embedding with the default model: %s", type(exc).__name__)
            return None
        ctx.vector_space = ctx.tuned.version_id
        return [float(x) for x in vectors[0]]

    def start_embedding(self, ctx: ChatContext) -> None:
        """Begin embedding the search sentence in the background (no-op without knowledge bases)."""
        if ctx.knowledge_base_ids and ctx.query_vector is None:
            ctx.query_vector = asyncio.ensure_future(self._embed(ctx, ctx.search_query))

    async def _search(
        self, ctx: ChatContext, text: str, vector: Sequence[float] | None, mode: SearchMode
    ) -> list[Passage]:
        hits = await self._retriever.search(
            tenant_id=ctx.tenant_id,
            query_text=text,
            query_vector=vector or [],
            top_k=ctx.settings.embedding_top_k,
            vector_threshold=ctx.settings.vector_threshold,
            keyword_threshold=ctx.settings.keyword_threshold,
            knowledge_base_ids=ctx.knowledge_base_ids,
            mode=mode,
            knowledge_ids=ctx.knowledge_ids,
            access=ctx.access,
            vector_space=ctx.vector_space if vector else "",
        )
        return [Passage.from_hit(hit) for hit in hits]

    async def run(self, ctx: ChatContext) -> str | None:
        if not ctx.knowledge_base_ids:
            ctx.search_results = []
            return "no knowledge base selected"
        self.start_embedding(ctx)
        assert ctx.query_vector is not None
        vector = await ctx.query_vector
        sentence, *keyword_query = search_queries(ctx.search_query, ctx.keywords)
        hybrid = SearchMode.HYBRID if vector else SearchMode.KEYWORD
        started = time.perf_counter()
        searches = [self._search(ctx, sentence, vector, hybrid)]
        searches += [self._search(ctx, text, None, SearchMode.KEYWORD) for text in keyword_query]
        results = await asyncio.gather(*searches)
        ctx.search_detail["search_ms"] = round((time.perf_counter() - started) * 1000, 2)
        found = dedupe(results)
        started = time.perf_counter()
        known = await self._catalog.describe(
            tenant_id=ctx.tenant_id, knowledge_ids=sorted({passage.knowledge_id for passage in found}),
            access=ctx.access,
        )
        ctx.search_detail["catalog_ms"] = round((time.perf_counter() - started) * 1000, 2)
        ctx.search_results = []
        for passage in found:
            info = known.get(passage.knowledge_id)
            if info is None:
                continue
            passage.knowledge_title = info.title
            passage.knowledge_filename = info.file_name
            passage.knowledge_source = info.source
            ctx.search_results.append(passage)
        return None if vector else "embedding unavailable; keyword search only"
