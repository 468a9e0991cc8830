"""gRPC face of the retriever: maps protobuf to domain objects and back; the logic is in service.py."""

from __future__ import annotations

import logging
from typing import Any

import grpc
import numpy as np
from grpc_health.v1 import health

from jisik.errors import InvalidInput
from jisik.grpc_server import create_server as create_grpc_server
from jisik.grpc_server import serve_forever
from jisik.proto import retriever_pb2 as pb
from jisik.proto import retriever_pb2_grpc as pb_grpc
from jisik.settings import Settings

from . import analysis
from .db import create_pool
from .index import Selector
from .service import RetrieverService
from .types import ChunkInput, Filters, Fusion, Hit, MatchType, Mode, SearchQuery

__all__ = ["SERVICE_NAME", "RetrieverServicer", "create_server", "run"]

logger = logging.getLogger(__name__)

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["Retriever"].full_name
_MODES = {pb.SEARCH_MODE_HYBRID: Mode.HYBRID, pb.SEARCH_MODE_VECTOR: Mode.VECTOR, pb.SEARCH_MODE_KEYWORD: Mode.KEYWORD}
_FUSIONS = {pb.FUSION_RRF: Fusion.RRF, pb.FUSION_WEIGHTED: Fusion.WEIGHTED}
_MATCH_TYPES = {
    MatchType.EMBEDDING: pb.MATCH_TYPE_EMBEDDING,
    MatchType.KEYWORDS: pb.MATCH_TYPE_KEYWORDS,
    MatchType.HYBRID: pb.MATCH_TYPE_HYBRID,
}


def _stored_metadata(message: pb.ChunkMetadata) -> dict[str, Any]:
    """The chunk's metadata as the index stores it (JSONB)."""
    return {"file_name": message.file_name, "pages": list(message.pages),
            "chunk_type": message.chunk_type or "text", "version": message.version}


def _metadata_message(stored: dict[str, Any]) -> pb.ChunkMetadata:
    """Stored metadata back as a message; keys it does not know (older rows) are left out."""
    pages = stored.get("pages")
    return pb.ChunkMetadata(
        file_name=str(stored.get("file_name") or ""),
        pages=[int(page) for page in pages if isinstance(page, int)] if isinstance(pages, list) else [],
        chunk_type=str(stored.get("chunk_type") or "text"),
        version=int(stored.get("version") or 0),
    )


def _chunk(message: pb.IndexedChunk) -> ChunkInput:
    return ChunkInput(
        chunk_id=message.chunk_id,
        knowledge_base_id=message.knowledge_base_id,
        knowledge_id=message.knowledge_id,
        content=message.content,
        title=message.title,
        embedding=np.asarray(message.embedding, dtype=np.float32),
        metadata=_stored_metadata(message.metadata),
        acl_principals=tuple(message.acl_principals),
        seq=message.seq,
        start=message.start,
        end=message.end,
    )


def _batch_tenant(chunks: Any, default: str = "") -> str:
    """The one tenant of a batch; chunks of several tenants in one call are refused."""
    tenants = {chunk.tenant_id or default for chunk in chunks} or {default}
    if len(tenants) != 1:
        raise InvalidInput("all chunks of one call must belong to one tenant", field="chunks.tenant_id")
    return tenants.pop()


def _hit(hit: Hit) -> pb.SearchHit:
    return pb.SearchHit(
        chunk_id=hit.chunk_id,
        knowledge_base_id=hit.knowledge_base_id,
        knowledge_id=hit.knowledge_id,
        content=hit.content,
        metadata=_metadata_message(hit.metadata),
        score=hit.score,
        vector_score=hit.vector_score,
        vector_rank=hit.vector_rank,
        keyword_score=hit.keyword_score,
        keyword_rank=hit.keyword_rank,
        bm25_score=hit.bm25_score,
        sentence_score=hit.sentence_score,
        match_type=_MATCH_TYPES[hit.match_type],
        seq=hit.seq,
        start=hit.start,
        end=hit.end,
    )


class RetrieverServicer(pb_grpc.RetrieverServicer):
    def __init__(self, service: RetrieverService) -> None:
        self._service = service

    async def IndexChunks(self, request: pb.IndexChunksRequest, context: grpc.aio.ServicerContext) -> pb.IndexChunksResponse:
        tenant = _batch_tenant(request.chunks)
        chunks = [_chunk(chunk) for chunk in request.chunks]
        return pb.IndexChunksResponse(indexed=await self._service.index_chunks(tenant, chunks))

    async def ReplaceKnowledge(
        self, request: pb.ReplaceKnowledgeRequest, context: grpc.aio.ServicerContext
    ) -> pb.IndexChunksResponse:
        if _batch_tenant(request.chunks, request.tenant_id) != request.tenant_id:
            raise InvalidInput("chunk tenant_id differs from the request's", field="chunks.tenant_id")
        chunks = [_chunk(chunk) for chunk in request.chunks]
        indexed = await self._service.index_chunks(
            request.tenant_id, chunks, replace_knowledge_id=request.knowledge_id
        )
        return pb.IndexChunksResponse(indexed=indexed)

    async def Delete(self, request: pb.DeleteRequest, context: grpc.aio.ServicerContext) -> pb.DeleteResponse:
        selector = Selector(
            chunk_ids=tuple(request.chunk_ids),
            knowledge_ids=tuple(request.knowledge_ids),
            knowledge_base_ids=tuple(request.knowledge_base_ids),
        )
        return pb.DeleteResponse(deleted=await self._service.delete(request.tenant_id, selector))

    async def Search(self, request: pb.SearchRequest, context: grpc.aio.ServicerContext) -> pb.SearchResponse:
        settings = self._service.settings
        if request.mode not in _MODES or request.fusion not in _FUSIONS:
            raise InvalidInput("unknown search mode or fusion", field="mode")
        default_weights = request.vector_weight == 0 and request.keyword_weight == 0
        query = SearchQuery(
            filters=Filters(
                tenant_id=request.tenant_id,
                knowledge_base_ids=tuple(request.knowledge_base_ids),
                knowledge_ids=tuple(request.knowledge_ids),
                principals=tuple(request.acl_principals),
                all_documents=request.all_documents,
            ),
            top_k=request.top_k,
            mode=_MODES[request.mode],
            text=request.query_text,
            vector=np.asarray(request.query_vector, dtype=np.float32) if len(request.query_vector) else None,
            vector_threshold=request.vector_threshold,
            keyword_threshold=request.keyword_threshold,
            fusion=_FUSIONS[request.fusion] if request.HasField("fusion") else Fusion(settings.fusion),
            rrf_k=request.rrf_k or settings.rrf_k,
            vector_weight=settings.vector_weight if default_weights else request.vector_weight,
            keyword_weight=settings.keyword_weight if default_weights else request.keyword_weight,
            sentence_weight=(
                request.sentence_weight if request.HasField("sentence_weight") else settings.sentence_weight
            ),
            vector_space=request.vector_space,
        )
        hits = await self._service.search(query)
        return pb.SearchResponse(hits=[_hit(hit) for hit in hits])

    async def Analyze(self, request: pb.AnalyzeRequest, context: grpc.aio.ServicerContext) -> pb.AnalyzeResponse:
        return pb.AnalyzeResponse(tokens=await self._service.analyze(request.text))

    async def SetKnowledgeAccess(
        self, request: pb.SetKnowledgeAccessRequest, context: grpc.aio.ServicerContext
    ) -> pb.SetKnowledgeAccessResponse:
        knowledge_ids = [request.knowledge_id] if request.knowledge_id else []
        updated = await self._service.set_access(
            request.tenant_id, [*knowledge_ids, *request.knowledge_ids], list(request.acl_principals), request.enabled
        )
        return pb.SetKnowledgeAccessResponse(updated=updated)


async def create_server(
    settings: Settings, port: int, database_url: str
) -> tuple[grpc.aio.Server, int, health.aio.HealthServicer, RetrieverService]:
    """Open the pool, build the service and bind the gRPC server (not started) on ``bind_host:port``."""
    pool = await create_pool(database_url, size=settings.retriever.pool_size)
    service = RetrieverService(pool, settings.retriever)
    servicer = RetrieverServicer(service)
    server, bound, health_servicer = create_grpc_server(
        register=lambda server: pb_grpc.add_RetrieverServicer_to_server(servicer, server),
        service_names=[SERVICE_NAME],
        address=f"{settings.endpoints.bind_host}:{port}",
        endpoints=settings.endpoints,
    )
    return server, bound, health_servicer, service


async def run(settings: Settings, *, port: int | None = None) -> None:
    """Serve the retriever until SIGINT/SIGTERM."""
    database_url = settings.database.dsn
    if port is None:
        port = settings.endpoints.retriever.port
    if settings.runtime.preload_models:
        analysis.warm_up()
    server, bound, health_servicer, service = await create_server(settings, port, database_url)
    logger.info("retriever listening on %s:%d", settings.endpoints.bind_host, bound)
    await serve_forever(
        server, health_servicer, [SERVICE_NAME], settings.endpoints.grpc_shutdown_grace_s, on_stop=service.close
    )
