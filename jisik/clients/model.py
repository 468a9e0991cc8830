"""The model service's client: embeddings, rerank scores and streamed chat answers over gRPC."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

import grpc

from jisik.errors import Unavailable
from jisik.proto import model_pb2 as pb
from jisik.proto import model_pb2_grpc as pb_grpc

from .errors import rpc_errors
from .types import ChatDelta

__all__ = ["ModelClient"]

_SERVICE = "model service"


class ModelClient:
    """Typed calls to ``jisik.model.v1.Model``; failures raise jisik errors."""

    def __init__(
        self, channel: grpc.aio.Channel, *, timeout_s: float, rerank_timeout_s: float, stream_timeout_s: float
    ) -> None:
        self._stub = pb_grpc.ModelStub(channel)
        self._timeout = timeout_s
        self._rerank_timeout = rerank_timeout_s
        self._stream_timeout = stream_timeout_s

    async def _embed(self, tenant_id: str, model_id: str, texts: Sequence[str], role: pb.EmbedRole) -> pb.EmbedResponse:
        request = pb.EmbedRequest(tenant_id=tenant_id, model_id=model_id, texts=list(texts), role=role)
        with rpc_errors(_SERVICE):
            reply: pb.EmbedResponse = await self._stub.Embed(request, timeout=self._timeout)
        if len(reply.vectors) != len(texts):
            raise Unavailable(f"{_SERVICE} returned {len(reply.vectors)} vectors for {len(texts)} texts")
        return reply

    async def embed(self, *, tenant_id: str, model_id: str, texts: Sequence[str]) -> list[list[float]]:
        """Query vectors, in input order."""
        reply = await self._embed(tenant_id, model_id, texts, pb.EMBED_ROLE_QUERY)
        return [list(vector.values) for vector in reply.vectors]

    async def embed_passages(
        self, *, tenant_id: str, model_id: str, texts: Sequence[str]
    ) -> tuple[list[list[float]], str]:
        """Passage vectors in input order, and the id of the model that made them."""
        reply = await self._embed(tenant_id, model_id, texts, pb.EMBED_ROLE_PASSAGE)
        return [list(vector.values) for vector in reply.vectors], reply.model_id

    async def rerank(self, *, tenant_id: str, model_id: str, query: str, passages: Sequence[str]) -> list[float]:
        request = pb.RerankRequest(tenant_id=tenant_id, model_id=model_id, query=query, passages=list(passages))
        with rpc_errors(_SERVICE):
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
    ) -> AsyncIterator[ChatDelta]:
        """Answer deltas; the last one carries the finish reason. Closing the iterator cancels the call."""
        request = pb.ChatRequest(
            tenant_id=tenant_id,
            model_id=model_id,
            messages=[pb.ChatMessage(role=role, content=content) for role, content in messages],
            temperature=temperature,
            max_tokens=max_tokens,
            passages=list(passages),
            question=question,
        )
        call = self._stub.ChatStream(request, timeout=self._stream_timeout)
        try:
            with rpc_errors(_SERVICE):
                async for chunk in call:
                    if chunk.model_input:
                        yield ChatDelta("", model_input=chunk.model_input)
                    elif chunk.done:
                        yield ChatDelta(chunk.delta, chunk.finish_reason, chunk.usage.prompt_tokens,
                                        chunk.usage.completion_tokens, chunk.model_id, done=True)
                    elif chunk.delta:
                        yield ChatDelta(chunk.delta)
                    if chunk.done:
                        break
        finally:
            call.cancel()
