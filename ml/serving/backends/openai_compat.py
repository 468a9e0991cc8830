"""OpenAI-compatible HTTP backends (OpenAI, vLLM, llama.cpp server, TEI/Jina-style rerank)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import numpy as np

from jisik.errors import Unavailable

from ..batching import sub_batches
from ..http import RemoteEndpoint
from ..types import ChatEvent, ChatInput, Embeddings, Role, Usage
from ..usage import estimate_tokens

__all__ = ["OpenAIChat", "OpenAIEmbedder", "OpenAIReranker", "chat_messages"]


def chat_messages(request: ChatInput) -> list[dict[str, str]]:
    return [{"role": m.role, "content": m.content} for m in request.messages]


def _normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


class OpenAIEmbedder:
    """``POST /v1/embeddings`` in sub-batches; a failed sub-batch is retried alone.

    ``prefixes`` adds E5-style role prefixes for servers that do not add them.
    """

    def __init__(
        self,
        endpoint: RemoteEndpoint,
        *,
        name: str,
        model: str,
        dimension: int,
        batch_size: int,
        prefixes: dict[str, str] | None = None,
    ) -> None:
        self.name = name
        self.dimension = dimension
        self._endpoint = endpoint
        self._model = model
        self._batch_size = batch_size
        self._prefixes = prefixes or {}

    async def _embed_batch(self, texts: list[str], role: Role) -> np.ndarray:
        prefix = self._prefixes.get(role, "")
        body = await self._endpoint.post_json(
            "/v1/embeddings",
            {
                "model": self._model,
                "input": [prefix + t for t in texts],
                "input_type": role,
                "encoding_format": "float",
            },
        )
        try:
            rows = sorted(body["data"], key=lambda item: item["index"])
            vectors = np.asarray([row["embedding"] for row in rows], dtype=np.float32)
        except (KeyError, TypeError, ValueError) as exc:
            raise Unavailable(f"model backend {self.name!r} returned a malformed embeddings body") from exc
        if vectors.shape != (len(texts), self.dimension):
            raise Unavailable(
                f"model backend {self.name!r} returned vectors of shape {vectors.shape}, "
                f"expected ({len(texts)}, {self.dimension})"
            )
        return vectors

    async def embed(self, texts: list[str], role: Role) -> Embeddings:
        parts = sub_batches(len(texts), self._batch_size)
        results = []
        for part in parts:  # sequential: each sub-batch retries on its own, earlier ones are kept
            results.append(await self._embed_batch([texts[i] for i in part], role))
        vectors = np.concatenate(results) if results else np.zeros((0, self.dimension), np.float32)
        return Embeddings(_normalise(vectors))


class OpenAIReranker:
    """``POST /v1/rerank`` (vLLM, llama.cpp server, TEI, Jina/Cohere shape)."""

    def __init__(self, endpoint: RemoteEndpoint, *, name: str, model: str) -> None:
        self.name = name
        self._endpoint = endpoint
        self._model = model

    async def rerank(self, query: str, passages: list[str]) -> list[float]:
        body = await self._endpoint.post_json(
            "/v1/rerank",
            {"model": self._model, "query": query, "documents": passages, "top_n": len(passages)},
        )
        scores = [0.0] * len(passages)
        try:
            for item in body.get("results", body.get("data", [])):
                scores[int(item["index"])] = float(item.get("relevance_score", item.get("score", 0.0)))
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise Unavailable(f"model backend {self.name!r} returned a malformed rerank body") from exc
        return scores


class OpenAIChat:
    """``POST /v1/chat/completions`` with ``stream: true`` (server-sent events)."""

    def __init__(self, endpoint: RemoteEndpoint, *, name: str, model: str) -> None:
        self.name = name
        self._endpoint = endpoint
        self._model = model

    async def stream(self, request: ChatInput) -> AsyncIterator[ChatEvent]:
        payload: dict[str, Any] = {
            "model": self._model,
            "messages": chat_messages(request),
            "stream": True,
            "stream_options": {"include_usage": True},
            "temperature": request.temperature,
        }
        if request.max_tokens > 0:
            payload["max_tokens"] = request.max_tokens
        usage: Usage | None = None
        finish = ""
        pieces = 0
        async for line in self._endpoint.stream_lines("/v1/chat/completions", payload):
            if not line.startswith("data:"):
                continue
            data = line[5:].strip()
            if data == "[DONE]":
                break
            try:
                event = json.loads(data)
            except json.JSONDecodeError as exc:
                raise Unavailable(f"model backend {self.name!r} sent a malformed stream event") from exc
            if event.get("usage"):
                usage = Usage(
                    int(event["usage"].get("prompt_tokens", 0)),
                    int(event["usage"].get("completion_tokens", 0)),
                )
            for choice in event.get("choices") or []:
                text = (choice.get("delta") or {}).get("content") or ""
                if text:
                    pieces += 1
                    yield ChatEvent(delta=text)
                finish = choice.get("finish_reason") or finish
        if usage is None:  # the server sent no usage (e.g. llama-cpp-python's server): estimate it
            prompt = sum(estimate_tokens(m.content) for m in request.messages)
            usage = Usage(prompt, pieces)
        yield ChatEvent(usage=usage, finish_reason=finish or "stop")
