"""Embedding cache keyed by (model, role, sha256(text)), bounded LRU, in process memory."""

from __future__ import annotations

import hashlib
from collections import OrderedDict

import numpy as np

from .types import Embedder, Embeddings, Role

__all__ = ["CachedEmbedder", "EmbeddingCache"]


class EmbeddingCache:
    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._items: OrderedDict[tuple[str, str, bytes], np.ndarray] = OrderedDict()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(model: str, role: Role, text: str) -> tuple[str, str, bytes]:
        return model, role, hashlib.sha256(text.encode("utf-8")).digest()

    def get(self, key: tuple[str, str, bytes]) -> np.ndarray | None:
        vector = self._items.get(key)
        if vector is None:
            self.misses += 1
            return None
        self._items.move_to_end(key)
        self.hits += 1
        return vector

    def put(self, key: tuple[str, str, bytes], vector: np.ndarray) -> None:
        if self.max_entries <= 0:
            return
        self._items[key] = vector
        self._items.move_to_end(key)
        while len(self._items) > self.max_entries:
            self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


class CachedEmbedder:
    """Wraps an embedder: cached texts are not sent again; truncated texts are not cached."""

    def __init__(self, inner: Embedder, cache: EmbeddingCache, cache_key: str) -> None:
        self.inner = inner
        self.name = inner.name
        self.dimension = inner.dimension
        self._cache = cache
        self._cache_key = cache_key

    async def embed(self, texts: list[str], role: Role) -> Embeddings:
        keys = [self._cache.key(self._cache_key, role, text) for text in texts]
        found = [self._cache.get(key) for key in keys]
        missing = [i for i, vector in enumerate(found) if vector is None]
        truncated: tuple[int, ...] = ()
        if missing:
            # duplicates inside one request are embedded once
            unique = list(dict.fromkeys(texts[i] for i in missing))
            result = await self.inner.embed(unique, role)
            by_text = {text: result.vectors[j] for j, text in enumerate(unique)}
            cut = {unique[j] for j in result.truncated}
            for i in missing:
                found[i] = by_text[texts[i]]
                if texts[i] not in cut:
                    self._cache.put(keys[i], by_text[texts[i]])
            truncated = tuple(i for i in missing if texts[i] in cut)
        rows = [vector for vector in found if vector is not None]
        return Embeddings(np.stack(rows).astype(np.float32, copy=False), truncated)
