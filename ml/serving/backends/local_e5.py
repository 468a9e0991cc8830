"""The default embedder (fast multilingual-e5-small) and a bi-encoder reranker on top of it."""

from __future__ import annotations

import asyncio

import numpy as np

from ..local import FastE5Embedder
from ..types import Embedder, Embeddings, Role

__all__ = ["E5SimilarityReranker", "LocalE5Embedder"]


class LocalE5Embedder:
    """Runs :class:`FastE5Embedder` off the event loop, one call at a time (it uses every core)."""

    def __init__(self, engine: FastE5Embedder, *, name: str) -> None:
        self.name = name
        self.dimension = engine.dimension
        self._engine = engine
        self._slot = asyncio.Semaphore(1)

    async def embed(self, texts: list[str], role: Role) -> Embeddings:
        if not texts:
            return Embeddings(np.zeros((0, self.dimension), np.float32))
        async with self._slot:
            result = await asyncio.to_thread(self._engine.embed_detailed, texts, role)
        return Embeddings(result.vectors, tuple(result.truncated))


class E5SimilarityReranker:
    """Scores passages by cosine similarity of E5 query/passage embeddings (no extra weights)."""

    def __init__(self, embedder: Embedder, *, name: str) -> None:
        self.name = name
        self._embedder = embedder

    async def rerank(self, query: str, passages: list[str]) -> list[float]:
        q = await self._embedder.embed([query], "query")
        p = await self._embedder.embed(passages, "passage")
        return [float(s) for s in p.vectors @ q.vectors[0]]
