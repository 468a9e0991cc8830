"""Dynamic batching and the embedding cache, on the real local e5 engine."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from ml.serving.backends.local_e5 import LocalE5Embedder
from ml.serving.batching import DynamicBatcher, sub_batches
from ml.serving.cache import CachedEmbedder, EmbeddingCache
from ml.serving.local import FastE5Embedder
from ml.serving.types import Embeddings, Role


class Counting:
    """Wraps a real embedder and records every call it receives."""

    def __init__(self, inner: LocalE5Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.dimension = inner.dimension
        self.calls: list[list[str]] = []

    async def embed(self, texts: list[str], role: Role) -> Embeddings:
        self.calls.append(list(texts))
        return await self.inner.embed(texts, role)


class Failing:
    name = "broken"
    dimension = 384

    async def embed(self, texts: list[str], role: Role) -> Embeddings:
        raise RuntimeError("backend exploded")


@pytest.fixture
def counting(e5: FastE5Embedder) -> Counting:
    return Counting(LocalE5Embedder(e5, name="multilingual-e5-small"))


class TestDynamicBatcher:
    async def test_concurrent_requests_share_one_call(self, counting: Counting, e5: FastE5Embedder) -> None:
        batcher = DynamicBatcher(counting, window_s=0.05, max_texts=64)
        groups = [["서울은 수도이다."], ["北京是首都。", "Paris is a city."], ["Berlin"]]
        results = await asyncio.gather(*(batcher.embed(g, "passage") for g in groups))
        assert len(counting.calls) == 1 and len(counting.calls[0]) == 4
        for group, result in zip(groups, results, strict=True):
            assert np.allclose(result.vectors, e5.embed(group, "passage"), atol=1e-5)

    async def test_roles_are_never_mixed(self, counting: Counting) -> None:
        batcher = DynamicBatcher(counting, window_s=0.05, max_texts=64)
        await asyncio.gather(batcher.embed(["a"], "query"), batcher.embed(["b"], "passage"))
        assert sorted(counting.calls) == [["a"], ["b"]]

    async def test_full_batch_flushes_without_waiting_for_the_window(self, counting: Counting) -> None:
        batcher = DynamicBatcher(counting, window_s=60, max_texts=2)
        result = await asyncio.wait_for(batcher.embed(["one", "two"], "query"), timeout=30)
        assert result.vectors.shape == (2, 384)

    async def test_truncation_indexes_are_mapped_back_per_request(self, counting: Counting) -> None:
        batcher = DynamicBatcher(counting, window_s=0.05, max_texts=64)
        long_text = "단어 " * 1000
        first, second = await asyncio.gather(
            batcher.embed(["short"], "passage"), batcher.embed(["short too", long_text], "passage")
        )
        assert first.truncated == () and second.truncated == (1,)

    async def test_a_failure_reaches_every_waiter(self) -> None:
        batcher = DynamicBatcher(Failing(), window_s=0.01, max_texts=64)
        outcomes = await asyncio.gather(
            batcher.embed(["a"], "query"), batcher.embed(["b"], "query"), return_exceptions=True
        )
        assert all(isinstance(o, RuntimeError) for o in outcomes)

    def test_sub_batches(self) -> None:
        assert sub_batches(5, 2) == [range(0, 2), range(2, 4), range(4, 5)]
        assert sub_batches(0, 3) == []


class TestEmbeddingCache:
    async def test_cached_texts_are_not_embedded_again(self, counting: Counting) -> None:
        cache = EmbeddingCache(100)
        cached = CachedEmbedder(counting, cache, "e5@1")
        first = await cached.embed(["가", "나"], "query")
        second = await cached.embed(["나", "다", "다"], "query")
        assert counting.calls == [["가", "나"], ["다"]]
        assert np.allclose(second.vectors[0], first.vectors[1])
        assert np.allclose(second.vectors[1], second.vectors[2])
        await cached.embed(["가"], "passage")  # the role is part of the key
        assert counting.calls[-1] == ["가"]

    async def test_model_is_part_of_the_key_and_lru_evicts(self, counting: Counting) -> None:
        cache = EmbeddingCache(2)
        await CachedEmbedder(counting, cache, "model-a").embed(["x"], "query")
        await CachedEmbedder(counting, cache, "model-b").embed(["x"], "query")
        assert len(counting.calls) == 2
        await CachedEmbedder(counting, cache, "model-b").embed(["y", "z"], "query")
        assert len(cache) == 2 and cache.get(cache.key("model-a", "query", "x")) is None

    async def test_truncated_texts_are_not_cached(self, counting: Counting) -> None:
        cache = EmbeddingCache(10)
        cached = CachedEmbedder(counting, cache, "e5@1")
        long_text = "word " * 2000
        result = await cached.embed([long_text], "passage")
        assert result.truncated == (0,) and len(cache) == 0
