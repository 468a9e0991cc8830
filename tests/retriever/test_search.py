"""Search: modes, filters, selective filters with a full top-k, thresholds, determinism, typed errors."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from retriever_testkit import DIM, chunk, new_tenant, unit_vector

from jisik.errors import InvalidInput, NotFound, TooLarge
from retriever.service import RetrieverService
from retriever.types import Filters, Fusion, MatchType, Mode, SearchQuery

pytestmark = pytest.mark.integration

TEXTS = [
    "서울은 대한민국의 수도이며 가장 큰 도시이다",
    "부산은 대한민국 제2의 도시이자 최대 항구 도시이다",
    "김치는 배추와 고춧가루로 만드는 한국의 전통 음식이다",
    "PostgreSQL supports vector search through the pgvector extension",
    "北京是中华人民共和国的首都",
    "한글은 세종대왕이 창제한 문자이다",
]


@pytest.fixture(scope="module")
async def corpus(service: RetrieverService) -> str:
    tenant = new_tenant()
    chunks = [chunk(f"t{i}", text, kb=f"kb-{i % 2}", knowledge=f"k-{i}") for i, text in enumerate(TEXTS)]
    await service.index_chunks(tenant, chunks)
    return tenant


def query(tenant: str, **options: object) -> SearchQuery:
    return SearchQuery(Filters(tenant), **{"top_k": 5, **options})  # type: ignore[arg-type]  # **options forwards the SearchQuery fields each test picks


class TestModes:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [("대한민국의 수도", "t0"), ("항구 도시", "t1"), ("vector search", "t3"), ("人民 首都", "t4"), ("세종대왕", "t5")],
    )
    async def test_keyword_finds_the_chunk_in_each_language(
        self, service: RetrieverService, corpus: str, text: str, expected: str
    ) -> None:
        hits = await service.search(query(corpus, text=text, mode=Mode.KEYWORD))
        assert hits[0].chunk_id == expected
        assert all(hit.match_type is MatchType.KEYWORDS and hit.vector_rank == 0 for hit in hits)
        assert [hit.keyword_rank for hit in hits] == list(range(1, len(hits) + 1))

    async def test_vector_ranks_by_cosine(self, service: RetrieverService, corpus: str) -> None:
        hits = await service.search(query(corpus, vector=unit_vector("t2"), mode=Mode.VECTOR, vector_threshold=-1))
        assert hits[0].chunk_id == "t2"
        assert hits[0].vector_score == pytest.approx(1.0, abs=1e-5)
        assert [h.vector_score for h in hits] == sorted((h.vector_score for h in hits), reverse=True)

    @pytest.mark.parametrize("fusion", [Fusion.RRF, Fusion.WEIGHTED])
    async def test_hybrid_puts_a_double_match_first(self, service: RetrieverService, corpus: str, fusion: Fusion) -> None:
        hits = await service.search(query(corpus, text="김치 음식", vector=unit_vector("t2"), fusion=fusion))
        assert hits[0].chunk_id == "t2"
        assert hits[0].match_type is MatchType.HYBRID
        assert hits[0].vector_rank == 1 and hits[0].keyword_rank == 1

    async def test_hybrid_with_text_only_uses_the_keyword_channel(self, service: RetrieverService, corpus: str) -> None:
        hits = await service.search(query(corpus, text="김치"))
        assert [hit.chunk_id for hit in hits] == ["t2"]

    async def test_same_query_same_order(self, service: RetrieverService, corpus: str) -> None:
        q = query(corpus, text="대한민국 도시", vector=unit_vector(5), vector_threshold=-1, top_k=6)
        first = [hit.chunk_id for hit in await service.search(q)]
        for _ in range(3):
            assert [hit.chunk_id for hit in await service.search(q)] == first

    async def test_thresholds_drop_weak_hits(self, service: RetrieverService, corpus: str) -> None:
        hits = await service.search(query(corpus, vector=unit_vector("t1"), mode=Mode.VECTOR, vector_threshold=0.9))
        assert [hit.chunk_id for hit in hits] == ["t1"]
        strong = await service.search(query(corpus, text="도시", mode=Mode.KEYWORD, keyword_threshold=1e6))
        assert strong == []


class TestFilters:
    async def test_knowledge_base_and_knowledge_filters(self, service: RetrieverService, corpus: str) -> None:
        hits = await service.search(query(corpus, text="도시", mode=Mode.KEYWORD))
        assert {hit.chunk_id for hit in hits} == {"t0", "t1"}
        only_odd = dataclasses.replace(query(corpus, text="도시", mode=Mode.KEYWORD),
                                       filters=Filters(corpus, knowledge_base_ids=("kb-1",)))
        assert [hit.chunk_id for hit in await service.search(only_odd)] == ["t1"]
        by_knowledge = dataclasses.replace(only_odd, filters=Filters(corpus, knowledge_ids=("k-0",)))
        assert [hit.chunk_id for hit in await service.search(by_knowledge)] == ["t0"]

    async def test_unknown_knowledge_base_is_not_found(self, service: RetrieverService, corpus: str) -> None:
        with pytest.raises(NotFound):
            await service.search(SearchQuery(Filters(corpus, knowledge_base_ids=("kb-0", "nope")), top_k=5, text="도시"))

    async def test_another_tenants_knowledge_base_is_not_found(self, service: RetrieverService, corpus: str) -> None:
        with pytest.raises(NotFound):
            await service.search(SearchQuery(Filters(new_tenant(), knowledge_base_ids=("kb-0",)), top_k=5, text="도시"))

    async def test_selective_filter_still_returns_a_full_exact_top_k(self, service: RetrieverService) -> None:
        """2,000 chunks of one tenant, 40 in a rare knowledge base: top-20 inside it equals brute force."""
        tenant = new_tenant()
        rng = np.random.default_rng(11)
        vectors = rng.standard_normal((2000, DIM)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        chunks = [
            chunk(f"c{i:04d}", "문서", kb="rare" if i % 50 == 0 else "common", vector=vectors[i]) for i in range(2000)
        ]
        for start in range(0, 2000, 500):
            await service.index_chunks(tenant, chunks[start:start + 500])
        async with service._pool.acquire() as connection:
            await connection.execute("ANALYZE retriever_chunks")
        target = rng.standard_normal(DIM).astype(np.float32)
        rare = [i for i in range(2000) if i % 50 == 0]
        cosine = vectors[rare] @ (target / np.linalg.norm(target))
        expected = [f"c{rare[j]:04d}" for j in np.argsort(-cosine)[:20]]
        hits = await service.search(SearchQuery(
            Filters(tenant, knowledge_base_ids=("rare",)), top_k=20, vector=target, mode=Mode.VECTOR, vector_threshold=-1
        ))
        assert [hit.chunk_id for hit in hits] == expected


class TestBadInput:
    @pytest.mark.parametrize(
        ("options", "error"),
        [
            ({"text": "   \n"}, InvalidInput),
            ({}, InvalidInput),
            ({"text": "도시", "top_k": 0}, InvalidInput),
            ({"text": "도시", "top_k": 101}, InvalidInput),
            ({"text": "가" * 4001}, TooLarge),
            ({"vector": np.ones(DIM + 1, dtype=np.float32)}, InvalidInput),
            ({"vector": np.zeros(DIM, dtype=np.float32)}, InvalidInput),
            ({"text": "도시", "mode": Mode.VECTOR}, InvalidInput),
            ({"vector": np.ones(DIM, dtype=np.float32), "mode": Mode.KEYWORD}, InvalidInput),
            ({"text": "도시", "vector_threshold": float("nan")}, InvalidInput),
            ({"text": "도시", "rrf_k": 0}, InvalidInput),
            ({"text": "도시", "vector_weight": -1.0}, InvalidInput),
        ],
    )
    async def test_typed_errors(self, service: RetrieverService, corpus: str, options: dict, error: type) -> None:
        with pytest.raises(error):
            await service.search(SearchQuery(Filters(corpus), **{"top_k": 5, **options}))

    async def test_missing_tenant(self, service: RetrieverService) -> None:
        with pytest.raises(InvalidInput):
            await service.search(SearchQuery(Filters(""), top_k=5, text="도시"))

    async def test_unknown_tenant_and_punctuation_only_query_find_nothing(
        self, service: RetrieverService, corpus: str
    ) -> None:
        assert await service.search(SearchQuery(Filters(new_tenant()), top_k=5, text="도시")) == []
        assert await service.search(SearchQuery(Filters(corpus), top_k=5, text="?!", mode=Mode.KEYWORD)) == []
