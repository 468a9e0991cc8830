"""Index maintenance the gateway does directly: removing chunks and re-indexing an edited chunk."""

from __future__ import annotations

import json
from collections.abc import Sequence

import grpc

from chat.clients import translate_rpc_error
from jisik.db.models import Chunk, Knowledge
from jisik.proto import model_pb2, model_pb2_grpc, retriever_pb2, retriever_pb2_grpc

__all__ = ["IndexClient"]


class IndexClient:
    def __init__(self, retriever_channel: grpc.aio.Channel, model_channel: grpc.aio.Channel, *, timeout_s: float) -> None:
        self._retriever = retriever_pb2_grpc.RetrieverStub(retriever_channel)
        self._model = model_pb2_grpc.ModelStub(model_channel)
        self._timeout = timeout_s

    async def delete(
        self,
        *,
        tenant_id: str,
        chunk_ids: Sequence[str] = (),
        knowledge_base_ids: Sequence[str] = (),
    ) -> int:
        """Remove chunks (by id) or whole knowledge bases from the search index."""
        request = retriever_pb2.DeleteRequest(
            tenant_id=tenant_id, chunk_ids=list(chunk_ids), knowledge_base_ids=list(knowledge_base_ids)
        )
        try:
            reply = await self._retriever.Delete(request, timeout=self._timeout)
        except grpc.aio.AioRpcError as exc:
            raise translate_rpc_error("retriever", exc) from exc
        return int(reply.deleted)

    async def set_access(self, *, knowledge: Knowledge, enabled: bool) -> None:
        """Make one document searchable or not (its ACL principals unchanged)."""
        request = retriever_pb2.SetKnowledgeAccessRequest(
            tenant_id=knowledge.tenant_id,
            knowledge_id=knowledge.id,
            acl_principals=list(knowledge.acl_principals),
            enabled=enabled,
        )
        try:
            await self._retriever.SetKnowledgeAccess(request, timeout=self._timeout)
        except grpc.aio.AioRpcError as exc:
            raise translate_rpc_error("retriever", exc) from exc

    async def reindex(self, *, chunk: Chunk, knowledge: Knowledge, embedding_model_id: str) -> None:
        """Embed the chunk's (edited) content and upsert it into the index."""
        try:
            embedded = await self._model.Embed(
                model_pb2.EmbedRequest(
                    tenant_id=chunk.tenant_id,
                    model_id=embedding_model_id,
                    texts=[chunk.content],
                    role=model_pb2.EMBED_ROLE_PASSAGE,
                ),
                timeout=self._timeout,
            )
            metadata = {
                "title": knowledge.title,
                "file_name": knowledge.file_name,
                "pages": list(chunk.pages),
                "chunk_type": chunk.chunk_type,
            }
            await self._retriever.IndexChunks(
                retriever_pb2.IndexChunksRequest(
                    chunks=[
                        retriever_pb2.IndexedChunk(
                            chunk_id=chunk.id,
                            tenant_id=chunk.tenant_id,
                            knowledge_base_id=chunk.knowledge_base_id,
                            knowledge_id=chunk.knowledge_id,
                            content=chunk.content,
                            embedding=list(embedded.vectors[0].values),
                            metadata_json=json.dumps(metadata, ensure_ascii=False),
                            acl_principals=list(knowledge.acl_principals),
                            seq=chunk.chunk_index,
                            start=chunk.start_at,
                            end=chunk.end_at,
                        )
                    ]
                ),
                timeout=self._timeout,
            )
        except grpc.aio.AioRpcError as exc:
            raise translate_rpc_error("index", exc) from exc
