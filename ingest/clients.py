"""gRPC clients of the services the pipeline calls, with gRPC statuses turned into jisik errors."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import grpc

from jisik.errors import (
    DeadlineExceeded,
    InvalidInput,
    JisikError,
    NotFound,
    ParseFailed,
    ParserCrashed,
    TooLarge,
    Unavailable,
    UnsupportedFormat,
)
from jisik.grpc_server import grpc_channel
from jisik.proto import (
    docreader_pb2,
    docreader_pb2_grpc,
    model_pb2,
    model_pb2_grpc,
    retriever_pb2,
    retriever_pb2_grpc,
)
from jisik.settings import Settings

__all__ = ["Services", "indexed_chunk", "map_rpc_errors"]

# Statuses that mean "this document will never work", so retrying is pointless.
_PERMANENT: dict[grpc.StatusCode, type[JisikError]] = {
    grpc.StatusCode.INVALID_ARGUMENT: InvalidInput,
    grpc.StatusCode.FAILED_PRECONDITION: ParseFailed,
    grpc.StatusCode.RESOURCE_EXHAUSTED: TooLarge,
    grpc.StatusCode.NOT_FOUND: NotFound,
    grpc.StatusCode.UNIMPLEMENTED: UnsupportedFormat,
    grpc.StatusCode.PERMISSION_DENIED: InvalidInput,
    grpc.StatusCode.ABORTED: ParserCrashed,
}


@contextmanager
def map_rpc_errors(service: str) -> Iterator[None]:
    """Re-raise gRPC failures as typed jisik errors naming the service."""
    try:
        yield
    except grpc.aio.AioRpcError as exc:
        code = exc.code()
        detail = exc.details() or code.name
        if code in _PERMANENT:
            raise _PERMANENT[code](f"{service}: {detail}") from exc
        if code == grpc.StatusCode.DEADLINE_EXCEEDED:
            raise DeadlineExceeded(f"{service} did not answer in time") from exc
        raise Unavailable(f"{service} is unavailable ({code.name}: {detail})") from exc


@dataclass
class Services:
    """Channels to the docreader, the model service and the retriever, opened once per worker."""

    settings: Settings
    _channels: dict[str, grpc.aio.Channel] = field(default_factory=dict)

    def _channel(self, address: str) -> grpc.aio.Channel:
        if address not in self._channels:
            self._channels[address] = grpc_channel(address, self.settings.endpoints)
        return self._channels[address]

    @property
    def _timeout(self) -> float:
        return self.settings.ingest.grpc_timeout_s

    async def close(self) -> None:
        for channel in self._channels.values():
            await channel.close()
        self._channels.clear()

    async def read_stream(
        self, request: docreader_pb2.ReadStreamRequest
    ) -> AsyncIterator[docreader_pb2.ReadStreamResponse]:
        """Chunk frames, then one ``done`` frame with the document's info."""
        stub = docreader_pb2_grpc.DocReaderStub(self._channel(self.settings.endpoints.docreader_addr))
        with map_rpc_errors("docreader"):
            async for frame in stub.ReadStream(request, timeout=self._timeout):
                yield frame

    async def embed_passages(self, tenant_id: str, texts: Sequence[str], model_id: str = "") -> tuple[list[list[float]], str]:
        """Vectors in input order and the id of the model that made them."""
        stub = model_pb2_grpc.ModelStub(self._channel(self.settings.endpoints.model_addr))
        request = model_pb2.EmbedRequest(
            tenant_id=tenant_id, model_id=model_id, texts=list(texts), role=model_pb2.EMBED_ROLE_PASSAGE
        )
        with map_rpc_errors("model service"):
            response = await stub.Embed(request, timeout=self._timeout)
        if len(response.vectors) != len(texts):
            raise Unavailable(f"model service returned {len(response.vectors)} vectors for {len(texts)} texts")
        return [list(vector.values) for vector in response.vectors], response.model_id

    def _retriever(self) -> retriever_pb2_grpc.RetrieverStub:
        return retriever_pb2_grpc.RetrieverStub(self._channel(self.settings.endpoints.retriever_addr))

    async def index_chunks(self, chunks: Sequence[retriever_pb2.IndexedChunk]) -> int:
        with map_rpc_errors("retriever"):
            response = await self._retriever().IndexChunks(
                retriever_pb2.IndexChunksRequest(chunks=list(chunks)), timeout=self._timeout
            )
        return int(response.indexed)

    async def replace_knowledge(
        self, tenant_id: str, knowledge_id: str, chunks: Sequence[retriever_pb2.IndexedChunk]
    ) -> int:
        request = retriever_pb2.ReplaceKnowledgeRequest(
            tenant_id=tenant_id, knowledge_id=knowledge_id, chunks=list(chunks)
        )
        with map_rpc_errors("retriever"):
            response = await self._retriever().ReplaceKnowledge(request, timeout=self._timeout)
        return int(response.indexed)

    async def delete_knowledge(self, tenant_id: str, knowledge_id: str) -> int:
        request = retriever_pb2.DeleteRequest(tenant_id=tenant_id, knowledge_ids=[knowledge_id])
        with map_rpc_errors("retriever"):
            response = await self._retriever().Delete(request, timeout=self._timeout)
        return int(response.deleted)


def indexed_chunk(
    *,
    chunk_id: str,
    tenant_id: str,
    knowledge_base_id: str,
    knowledge_id: str,
    content: str,
    title: str,
    embedding: Sequence[float],
    seq: int,
    start: int,
    end: int,
    acl_principals: Sequence[str],
    metadata: dict[str, Any],
) -> retriever_pb2.IndexedChunk:
    return retriever_pb2.IndexedChunk(
        chunk_id=chunk_id,
        tenant_id=tenant_id,
        knowledge_base_id=knowledge_base_id,
        knowledge_id=knowledge_id,
        content=content,
        title=title,
        embedding=list(embedding),
        metadata_json=json.dumps(metadata, ensure_ascii=False),
        acl_principals=list(acl_principals),
        seq=seq,
        start=start,
        end=end,
    )
