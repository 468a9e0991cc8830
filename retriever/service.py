"""The retriever's behaviour, independent of gRPC: index, delete, set access, search, analyze."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence

import asyncpg

from jisik.errors import InvalidInput, NotFound
from jisik.settings import RetrieverSettings

from . import analysis, fusion
from .bm25 import BM25Params
from .index import AnalyzedChunk, IndexWriter, Selector
from .keyword import KeywordChannel
from .types import ChannelHit, ChunkInput, Fusion, Hit, MatchType, Mode, SearchQuery
from .validation import check_chunks, check_id, check_query
from .vector import HnswOptions, VectorChannel

__all__ = ["RetrieverService"]

logger = logging.getLogger(__name__)


def _analyze_all(chunks: Sequence[ChunkInput]) -> list[AnalyzedChunk]:
    # A batch usually holds many chunks of one document: analyse each distinct title once.
    titles = {title: analysis.analyze(title) for title in {chunk.title for chunk in chunks}}
    return [AnalyzedChunk(chunk, analysis.analyze_sentences(chunk.content), titles[chunk.title]) for chunk in chunks]


class RetrieverService:
    """Hybrid search over one shared PostgreSQL index. Tenants never see each other's chunks:
    every statement is scoped by the tenant id given with the request."""

    def __init__(self, pool: asyncpg.Pool, settings: RetrieverSettings) -> None:
        self._pool = pool
        self._settings = settings
        self._writer = IndexWriter(pool)
        self._keyword = KeywordChannel(
            BM25Params(settings.bm25_k1, settings.bm25_b, settings.bm25_epsilon), sentence_depth=settings.fusion_depth
        )
        self._vector = VectorChannel(
            HnswOptions(settings.hnsw_ef_search, settings.hnsw_iterative_scan, settings.hnsw_max_scan_tuples)
        )

    @property
    def settings(self) -> RetrieverSettings:
        return self._settings

    async def close(self) -> None:
        await self._pool.close()

    async def index_chunks(
        self, tenant_id: str, chunks: Sequence[ChunkInput], *, replace_knowledge_id: str | None = None
    ) -> int:
        """Upsert ``chunks`` (all or none); with ``replace_knowledge_id`` the knowledge ends with exactly these."""
        check_id(tenant_id, "tenant_id")
        if replace_knowledge_id is not None:
            check_id(replace_knowledge_id, "knowledge_id")
            strays = [c.chunk_id for c in chunks if c.knowledge_id != replace_knowledge_id]
            if strays:
                raise InvalidInput(f"chunk {strays[0]!r} belongs to another knowledge", field="chunks")
        elif not chunks:
            return 0
        check_chunks(chunks, self._settings)
        analyzed = await asyncio.to_thread(_analyze_all, chunks)
        count = await self._writer.upsert(tenant_id, analyzed, replace_knowledge_id=replace_knowledge_id)
        logger.info("indexed %d chunks for tenant %s", count, tenant_id)
        return count

    async def delete(self, tenant_id: str, selector: Selector) -> int:
        check_id(tenant_id, "tenant_id")
        given = [ids for ids in (selector.chunk_ids, selector.knowledge_ids, selector.knowledge_base_ids) if ids]
        if len(given) != 1:
            raise InvalidInput("give exactly one of chunk_ids, knowledge_ids, knowledge_base_ids", field="chunk_ids")
        for value in given[0]:
            check_id(value, "ids")
        return await self._writer.delete(tenant_id, selector)

    async def set_access(
        self, tenant_id: str, knowledge_ids: Sequence[str], principals: Sequence[str], enabled: bool
    ) -> int:
        """Give every knowledge of ``knowledge_ids`` the same access; returns the chunks updated."""
        check_id(tenant_id, "tenant_id")
        if not knowledge_ids:
            raise InvalidInput("no knowledge to set the access of", field="knowledge_id")
        for knowledge_id in knowledge_ids:
            check_id(knowledge_id, "knowledge_id")
        if any(not principal for principal in principals):
            raise InvalidInput("an ACL principal is empty", field="acl_principals")
        return await self._writer.set_access(tenant_id, knowledge_ids, principals, enabled)

    async def analyze(self, text: str) -> list[str]:
        if len(text) > self._settings.max_chunk_chars:
            raise InvalidInput(f"text is over {self._settings.max_chunk_chars} characters", field="text")
        return await asyncio.to_thread(analysis.analyze, text)

    async def search(self, query: SearchQuery) -> list[Hit]:
        check_query(query, self._settings)
        await self._check_knowledge_bases(query.filters.tenant_id, query.filters.knowledge_base_ids)
        depth = max(query.top_k, self._settings.fusion_depth) if query.mode is Mode.HYBRID else query.top_k
        use_vector = query.vector is not None and query.mode is not Mode.KEYWORD
        use_keyword = bool(query.text) and query.mode is not Mode.VECTOR
        vector_hits, keyword_hits = await asyncio.gather(
            self._vector_hits(query, depth) if use_vector else _nothing(),
            self._keyword_hits(query, depth) if use_keyword else _nothing(),
        )
        if use_vector and use_keyword:
            if query.fusion is Fusion.WEIGHTED:
                hits = fusion.weighted(
                    vector_hits, keyword_hits, vector_weight=query.vector_weight, keyword_weight=query.keyword_weight
                )
            else:
                hits = fusion.rrf(
                    vector_hits, keyword_hits, k=query.rrf_k,
                    vector_weight=query.vector_weight, keyword_weight=query.keyword_weight,
                )
        elif use_vector:
            hits = fusion.single_channel(vector_hits, MatchType.EMBEDDING)
        else:
            hits = fusion.single_channel(keyword_hits, MatchType.KEYWORDS)
        return await self._with_details(query.filters.tenant_id, hits[: query.top_k])

    async def _vector_hits(self, query: SearchQuery, depth: int) -> list[ChannelHit]:
        assert query.vector is not None
        async with self._pool.acquire() as connection:
            return await self._vector.search(
                connection, query.vector, query.filters, limit=depth, threshold=query.vector_threshold,
                space=query.vector_space,
            )

    async def _keyword_hits(self, query: SearchQuery, depth: int) -> list[ChannelHit]:
        tokens = await asyncio.to_thread(analysis.analyze, query.text)
        async with self._pool.acquire() as connection:
            return await self._keyword.search(
                connection, tokens, query.filters, limit=depth, threshold=query.keyword_threshold,
                sentence_weight=query.sentence_weight,
            )

    async def _check_knowledge_bases(self, tenant_id: str, knowledge_base_ids: Sequence[str]) -> None:
        """A knowledge base is known to a tenant if the tenant owns it or has chunks indexed in it."""
        if not knowledge_base_ids:
            return
        missing = await self._pool.fetch(
            """
            SELECT kb FROM unnest($2::text[]) AS kb
            WHERE NOT EXISTS (SELECT 1 FROM retriever_chunks c WHERE c.tenant_id = $1 AND c.knowledge_base_id = kb)
              AND NOT EXISTS (SELECT 1 FROM knowledge_bases b WHERE b.tenant_id = $1 AND b.id = kb)
            """,
            tenant_id, sorted(set(knowledge_base_ids)),
        )
        if missing:
            raise NotFound(f"knowledge base {missing[0]['kb']!r} not found", field="knowledge_base_ids")

    async def _with_details(self, tenant_id: str, hits: list[Hit]) -> list[Hit]:
        if not hits:
            return hits
        rows = {
            row["id"]: row
            for row in await self._pool.fetch(
                """
                SELECT id, knowledge_base_id, knowledge_id, content, metadata::text AS metadata, seq, start_at, end_at
                FROM retriever_chunks WHERE tenant_id = $1 AND id = ANY($2::bigint[])
                """,
                tenant_id, [hit.ref for hit in hits],
            )
        }
        found = []
        for hit in hits:
            row = rows.get(hit.ref)
            if row is None:  # deleted between ranking and loading
                continue
            hit.knowledge_base_id = row["knowledge_base_id"]
            hit.knowledge_id = row["knowledge_id"]
            hit.content = row["content"]
            hit.metadata = json.loads(row["metadata"])
            hit.seq, hit.start, hit.end = row["seq"], row["start_at"], row["end_at"]
            found.append(hit)
        return found


async def _nothing() -> list[ChannelHit]:
    return []
