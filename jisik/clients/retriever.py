"""The retriever's client: index, delete, search, analyze and access updates over gRPC."""

from __future__ import annotations

from collections.abc import Sequence

import grpc

from jisik.access import Access
from jisik.proto import retriever_pb2 as pb
from jisik.proto import retriever_pb2_grpc as pb_grpc

from .errors import rpc_errors
from .types import ChunkMetadata, IndexChunk, MatchType, SearchHit, SearchMode

__all__ = ["RetrieverClient", "chunk_metadata", "metadata_message"]

_SERVICE = "retriever"
_MODES = {
    SearchMode.HYBRID: pb.SEARCH_MODE_HYBRID,
    SearchMode.VECTOR: pb.SEARCH_MODE_VECTOR,
    SearchMode.KEYWORD: pb.SEARCH_MODE_KEYWORD,
}
_MATCH_TYPES = {
    pb.MATCH_TYPE_EMBEDDING: MatchType.EMBEDDING,
    pb.MATCH_TYPE_KEYWORDS: MatchType.KEYWORDS,
    pb.MATCH_TYPE_HYBRID: MatchType.HYBRID,
}


def metadata_message(metadata: ChunkMetadata) -> pb.ChunkMetadata:
    return pb.ChunkMetadata(file_name=metadata.file_name, pages=list(metadata.pages),
                            chunk_type=metadata.chunk_type, version=metadata.version)


def chunk_metadata(message: pb.ChunkMetadata) -> ChunkMetadata:
    return ChunkMetadata(file_name=message.file_name, pages=tuple(message.pages),
                         chunk_type=message.chunk_type or "text", version=message.version)


def _indexed(chunk: IndexChunk) -> pb.IndexedChunk:
    return pb.IndexedChunk(
        chunk_id=chunk.chunk_id,
        tenant_id=chunk.tenant_id,
        knowledge_base_id=chunk.knowledge_base_id,
        knowledge_id=chunk.knowledge_id,
        content=chunk.content,
        title=chunk.title,
        embedding=list(chunk.embedding),
        acl_principals=list(chunk.acl_principals),
        seq=chunk.seq,
        start=chunk.start,
        end=chunk.end,
        metadata=metadata_message(chunk.metadata),
    )


def _hit(hit: pb.SearchHit) -> SearchHit:
    return SearchHit(
        chunk_id=hit.chunk_id,
        knowledge_id=hit.knowledge_id,
        knowledge_base_id=hit.knowledge_base_id,
        content=hit.content,
        score=hit.score,
        seq=hit.seq,
        start=hit.start,
        end=hit.end,
        match_type=_MATCH_TYPES.get(hit.match_type, MatchType.HYBRID),
        metadata=chunk_metadata(hit.metadata),
    )


class RetrieverClient:
    """Typed calls to ``jisik.retriever.v1.Retriever``; failures raise jisik errors."""

    def __init__(self, channel: grpc.aio.Channel, *, timeout_s: float) -> None:
        self._stub = pb_grpc.RetrieverStub(channel)
        self._timeout = timeout_s

    async def index_chunks(self, chunks: Sequence[IndexChunk]) -> int:
        """Upsert chunks by id (one tenant per call)."""
        with rpc_errors(_SERVICE):
            reply = await self._stub.IndexChunks(
                pb.IndexChunksRequest(chunks=[_indexed(chunk) for chunk in chunks]), timeout=self._timeout
            )
        return int(reply.indexed)

    async def replace_knowledge(self, tenant_id: str, knowledge_id: str, chunks: Sequence[IndexChunk]) -> int:
        """Swap every chunk of one document for ``chunks`` atomically."""
        request = pb.ReplaceKnowledgeRequest(
            tenant_id=tenant_id, knowledge_id=knowledge_id, chunks=[_indexed(chunk) for chunk in chunks]
        )
        with rpc_errors(_SERVICE):
            reply = await self._stub.ReplaceKnowledge(request, timeout=self._timeout)
        return int(reply.indexed)

    async def delete(
        self,
        tenant_id: str,
        *,
        chunk_ids: Sequence[str] = (),
        knowledge_ids: Sequence[str] = (),
        knowledge_base_ids: Sequence[str] = (),
    ) -> int:
        """Remove chunks by exactly one selector; returns how many went."""
        request = pb.DeleteRequest(
            tenant_id=tenant_id, chunk_ids=list(chunk_ids), knowledge_ids=list(knowledge_ids),
            knowledge_base_ids=list(knowledge_base_ids),
        )
        with rpc_errors(_SERVICE):
            reply = await self._stub.Delete(request, timeout=self._timeout)
        return int(reply.deleted)

    async def set_access(
        self, tenant_id: str, knowledge_ids: Sequence[str], *, acl_principals: Sequence[str], enabled: bool
    ) -> int:
        """Give these knowledges the same access (one transaction); returns the chunks updated."""
        request = pb.SetKnowledgeAccessRequest(
            tenant_id=tenant_id, knowledge_ids=list(knowledge_ids), acl_principals=list(acl_principals),
            enabled=enabled,
        )
        with rpc_errors(_SERVICE):
            reply = await self._stub.SetKnowledgeAccess(request, timeout=self._timeout)
        return int(reply.updated)

    async def analyze(self, text: str) -> list[str]:
        with rpc_errors(_SERVICE):
            reply = await self._stub.Analyze(pb.AnalyzeRequest(text=text), timeout=self._timeout)
        return list(reply.tokens)

    async def search(
        self,
        *,
        tenant_id: str,
        query_text: str,
        query_vector: Sequence[float],
        top_k: int,
        vector_threshold: float,
        keyword_threshold: float,
        knowledge_base_ids: Sequence[str],
        mode: SearchMode = SearchMode.HYBRID,
        knowledge_ids: Sequence[str] = (),
        access: Access,
        vector_space: str = "",
    ) -> list[SearchHit]:
        """Hybrid search; ``knowledge_ids`` (when not empty) restricts it to those documents, ``access``
        to what the caller may read; ``vector_space`` names a fine-tuned bi-encoder version whose vectors
        the query vector is compared with."""
        request = pb.SearchRequest(
            tenant_id=tenant_id,
            query_text=query_text,
            query_vector=list(query_vector),
            top_k=top_k,
            vector_threshold=vector_threshold,
            keyword_threshold=keyword_threshold,
            mode=_MODES[mode],
            knowledge_base_ids=list(knowledge_base_ids),
            knowledge_ids=list(knowledge_ids),
            acl_principals=sorted(access.principals),
            all_documents=access.everything,
            vector_space=vector_space,
        )
        with rpc_errors(_SERVICE):
            reply = await self._stub.Search(request, timeout=self._timeout)
        return [_hit(hit) for hit in reply.hits]
