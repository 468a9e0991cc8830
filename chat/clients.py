"""What the pipeline needs from the retriever, the model service and the document catalog.

The Protocols are the seam; ``GrpcRetriever`` and ``GrpcModel`` implement them over jisik's gRPC
contracts and translate gRPC statuses into jisik's typed errors.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

import grpc

from jisik.errors import DeadlineExceeded, InvalidInput, JisikError, NotFound, TooLarge, Unavailable
from jisik.proto import model_pb2, model_pb2_grpc, retriever_pb2, retriever_pb2_grpc

from .context import Passage

__all__ = [
    "GrpcModel",
    "GrpcRetriever",
    "KnowledgeCatalog",
    "KnowledgeInfo",
    "ModelClient",
    "RetrieverClient",
    "SearchMode",
    "translate_rpc_error",
]

SearchMode = int  # retriever_pb2.SearchMode value


@dataclass(frozen=True, slots=True)
class KnowledgeInfo:
    title: str
    file_name: str
    source: str


class RetrieverClient(Protocol):
    async def analyze(self, text: str) -> list[str]: ...

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
        mode: SearchMode = retriever_pb2.SEARCH_MODE_HYBRID,
        knowledge_ids: Sequence[str] = (),
    ) -> list[Passage]: ...


class ModelClient(Protocol):
    async def embed(self, *, tenant_id: str, model_id: str, texts: Sequence[str]) -> list[list[float]]: ...

    async def rerank(self, *, tenant_id: str, model_id: str, query: str, passages: Sequence[str]) -> list[float]: ...

    def chat_stream(
        self,
        *,
        tenant_id: str,
        model_id: str,
        messages: Sequence[tuple[str, str]],
        passages: Sequence[str],
        question: str,
        temperature: float,
        max_tokens: int,
    ) -> AsyncIterator[str]: ...


class KnowledgeCatalog(Protocol):
    """Titles of searchable documents; ids missing from the answer are dropped from results."""

    async def describe(self, *, tenant_id: str, knowledge_ids: Sequence[str]) -> dict[str, KnowledgeInfo]: ...


_STATUS_ERRORS: dict[grpc.StatusCode, type[JisikError]] = {
    grpc.StatusCode.INVALID_ARGUMENT: InvalidInput,
    grpc.StatusCode.NOT_FOUND: NotFound,
    grpc.StatusCode.RESOURCE_EXHAUSTED: TooLarge,
    grpc.StatusCode.DEADLINE_EXCEEDED: DeadlineExceeded,
}


def translate_rpc_error(service: str, error: grpc.aio.AioRpcError) -> JisikError:
    """The jisik error for a failed call to ``service`` (Unavailable unless the status says otherwise)."""
    kind = _STATUS_ERRORS.get(error.code(), Unavailable)
    detail = error.details() or error.code().name
    return kind(f"{service}: {detail}")


@contextmanager
def _rpc(service: str) -> Iterator[None]:
    try:
        yield
    except grpc.aio.AioRpcError as exc:
        raise translate_rpc_error(service, exc) from exc


def _passage(hit: retriever_pb2.SearchHit) -> Passage:
    try:
        metadata = json.loads(hit.metadata_json) if hit.metadata_json else {}
    except json.JSONDecodeError:
        metadata = {}
    if not isinstance(metadata, dict):
        metadata = {}
    return Passage(
        chunk_id=hit.chunk_id,
        knowledge_id=hit.knowledge_id,
        knowledge_base_id=hit.knowledge_base_id,
        content=hit.content,
        score=hit.score,
        start_at=hit.start,
        end_at=hit.end,
        seq=hit.seq,
        match_type=int(hit.match_type),
        chunk_type=str(metadata.get("chunk_type", "text")),
        metadata=metadata,
    )


class GrpcRetriever:
    """RetrieverClient over the retriever service."""

    def __init__(self, channel: grpc.aio.Channel, *, timeout_s: float) -> None:
        self._stub = retriever_pb2_grpc.RetrieverStub(channel)
        self._timeout = timeout_s

    async def analyze(self, text: str) -> list[str]:
        with _rpc("retriever"):
            reply = await self._stub.Analyze(retriever_pb2.AnalyzeRequest(text=text), timeout=self._timeout)
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
        mode: SearchMode = retriever_pb2.SEARCH_MODE_HYBRID,
        knowledge_ids: Sequence[str] = (),
    ) -> list[Passage]:
        request = retriever_pb2.SearchRequest(
            tenant_id=tenant_id,
            query_text=query_text,
            query_vector=list(query_vector),
            top_k=top_k,
            vector_threshold=vector_threshold,
            keyword_threshold=keyword_threshold,
            mode=mode,  # type: ignore[arg-type]
            knowledge_base_ids=list(knowledge_base_ids),
            knowledge_ids=list(knowledge_ids),
        )
        with _rpc("retriever"):
            reply = await self._stub.Search(request, timeout=self._timeout)
        return [_passage(hit) for hit in reply.hits]


class GrpcModel:
    """ModelClient over the model service."""

    def __init__(
        self, channel: grpc.aio.Channel, *, timeout_s: float, rerank_timeout_s: float, stream_timeout_s: float
    ) -> None:
        self._stub = model_pb2_grpc.ModelStub(channel)
        self._timeout = timeout_s
        self._rerank_timeout = rerank_timeout_s
        self._stream_timeout = stream_timeout_s

    async def embed(self, *, tenant_id: str, model_id: str, texts: Sequence[str]) -> list[list[float]]:
        request = model_pb2.EmbedRequest(
            tenant_id=tenant_id, model_id=model_id, texts=list(texts), role=model_pb2.EMBED_ROLE_QUERY
        )
        with _rpc("model service"):
            reply = await self._stub.Embed(request, timeout=self._timeout)
        return [list(vector.values) for vector in reply.vectors]

    async def rerank(self, *, tenant_id: str, model_id: str, query: str, passages: Sequence[str]) -> list[float]:
        request = model_pb2.RerankRequest(tenant_id=tenant_id, model_id=model_id, query=query, passages=list(passages))
        with _rpc("model service"):
            reply = await self._stub.Rerank(request, timeout=self._rerank_timeout)
        return list(reply.scores)

    async def chat_stream(
        self,
        *,
        tenant_id: str,
        model_id: str,
        messages: Sequence[tuple[str, str]],
        passages: Sequence[str],
        question: str,
        temperature: float,
        max_tokens: int,
    ) -> AsyncIterator[str]:
        request = model_pb2.ChatRequest(
            tenant_id=tenant_id,
            model_id=model_id,
            messages=[model_pb2.ChatMessage(role=role, content=content) for role, content in messages],
            temperature=temperature,
            max_tokens=max_tokens,
            passages=list(passages),
            question=question,
        )
        call = self._stub.ChatStream(request, timeout=self._stream_timeout)
        try:
            with _rpc("model service"):
                async for chunk in call:
                    if chunk.delta:
                        yield chunk.delta
                    if chunk.done:
                        break
        finally:
            call.cancel()
