"""Ollama's native API: ``/api/embed`` and streaming ``/api/chat`` (NDJSON)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import numpy as np

from jisik.errors import Unavailable

from ..http import RemoteEndpoint
from ..types import ChatEvent, ChatInput, Role, Usage
from .openai_compat import OpenAIEmbedder, chat_messages

__all__ = ["OllamaChat", "OllamaEmbedder"]


class OllamaEmbedder(OpenAIEmbedder):
    """Ollama's ``POST /api/embed``; sub-batching, retries and normalisation as for OpenAI-style servers."""

    async def _embed_batch(self, texts: list[str], role: Role) -> np.ndarray:
        prefix = self._prefixes.get(role, "")
        body = await self._endpoint.post_json("/api/embed", {"model": self._model, "input": [prefix + t for t in texts]})
        try:
            vectors = np.asarray(body["embeddings"], dtype=np.float32)
        except (KeyError, TypeError, ValueError) as exc:
            raise Unavailable(f"model backend {self.name!r} returned a malformed embeddings body") from exc
        if vectors.shape != (len(texts), self.dimension):
            raise Unavailable(f"model backend {self.name!r} returned vectors of shape {vectors.shape}")
        return vectors


class OllamaChat:
    def __init__(self, endpoint: RemoteEndpoint, *, name: str, model: str) -> None:
        self.name = name
        self._endpoint = endpoint
        self._model = model

    async def stream(self, request: ChatInput) -> AsyncIterator[ChatEvent]:
        options: dict[str, Any] = {"temperature": request.temperature}
        if request.max_tokens > 0:
            options["num_predict"] = request.max_tokens
        payload = {
            "model": self._model,
            "messages": chat_messages(request),
            "stream": True,
            "options": options,
        }
        async for line in self._endpoint.stream_lines("/api/chat", payload):
            try:
                event = json.loads(line)
            except json.JSONDecodeError as exc:
                raise Unavailable(f"model backend {self.name!r} sent a malformed stream line") from exc
            if event.get("error"):
                raise Unavailable(f"model backend {self.name!r} failed while generating")
            text = (event.get("message") or {}).get("content") or ""
            if text:
                yield ChatEvent(delta=text)
            if event.get("done"):
                usage = Usage(int(event.get("prompt_eval_count", 0)), int(event.get("eval_count", 0)))
                yield ChatEvent(usage=usage, finish_reason=event.get("done_reason") or "stop")
                return
        raise Unavailable(f"model backend {self.name!r} closed the stream before finishing")
