"""Writes: idempotent upserts, all-or-nothing batches, exact statistics under concurrent writers, replace, delete, access."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
from retriever_testkit import DIM, assert_statistics_match_rows, chunk, new_tenant, unit_vector

from jisik.errors import InvalidInput, TooLarge
from retriever.index import Selector
from retriever.service import RetrieverService
from retriever.types import Filters, MatchType, Mode, SearchQuery

pytestmark = pytest.mark.integration


async def chunk_ids(service: RetrieverService, tenant: str, **filters: object) -> list[str]:
    query = SearchQuery(  # a threshold below -1 keeps every chunk the filters allow
        Filters(tenant, **filters), top_k=100, vector=unit_vector(0), mode=Mode.VECTOR, vector_threshold=-2  # type: ignore[arg-type]  # **filters forwards the Filters fields each test picks
    )
    return sorted(hit.chunk_id for hit in await service.search(query))


class TestUpsert:
    async def test_a_chunk_is_searchable_in_both_channels_at_commit(self, service: RetrieverService) -> None:
        tenant = new_tenant()
        # Three or more chunks: with two, a term in one of them has idf ln(1.5 / 1.5) = 0 in Okapi BM25.
        await service.index_chunks(tenant, [chunk("a", "지식 그래프 검색"), chunk("b", "다른 내용"), chunk("c", "세 번째")])
        hits = await service.search(SearchQuery(Filters(tenant), top_k=5, text="지식 그래프", vector=unit_vector("a")))
        assert hits[0].chunk_id == "a"
        assert hits[0].match_type is MatchType.HYBRID
        assert (hits[0].vector_rank, hits[0].keyword_rank) == (1, 1)
        assert hits[0].content == "지식 그래프 검색"
        assert hits[0].metadata == {"title": "a"}

    async def test_upsert_is_idempotent(self, service: RetrieverService) -> None:
        tenant = new_tenant()
        batch = [chunk(f"c{i}", f"문서 {i} 내용") for i in range(5)]
        await service.index_chunks(tenant, batch)
        await service.index_chunks(tenant, batch)
        assert await chunk_ids(service, tenant) == [f"c{i}" for i in range(5)]
        await assert_statistics_match_rows(service._pool, tenant)

    async def test_upsert_replaces_content(self, service: RetrieverService) -> None:
        tenant = new_tenant()
        filler = [chunk(f"f{i}", f"기타 문서 {i}") for i in range(3)]  # Okapi idf needs a few documents
        await service.index_chunks(tenant, [chunk("a", "사과 과일"), *filler])
        await service.index_chunks(tenant, [chunk("a", "자동차 엔진")])
        keyword = SearchQuery(Filters(tenant), top_k=5, text="사과", mode=Mode.KEYWORD)
        assert await service.search(keyword) == []
        keyword = SearchQuery(Filters(tenant), top_k=5, text="자동차", mode=Mode.KEYWORD)
        assert [hit.content for hit in await service.search(keyword)] == ["자동차 엔진"]
        await assert_statistics_match_rows(service._pool, tenant)

    async def test_one_bad_chunk_indexes_none(self, service: RetrieverService) -> None:
        tenant = new_tenant()
        bad_vector = np.ones(DIM - 1, dtype=np.float32)
        batch = [chunk("ok-1", "좋은 문서"), chunk("bad", "나쁜 문서", vector=bad_vector), chunk("ok-2", "좋은 문서")]
        with pytest.raises(InvalidInput, match="dimensions"):
            await service.index_chunks(tenant, batch)
        assert await chunk_ids(service, tenant) == []

    @pytest.mark.parametrize(
        ("bad", "error"),
        [
            ({"chunk_id": ""}, InvalidInput),
            ({"knowledge_base_id": " "}, InvalidInput),
            ({"content": "x\x00y"}, InvalidInput),
            ({"content": "가" * 100_001}, TooLarge),
            ({"embedding": np.zeros(DIM, dtype=np.float32)}, InvalidInput),
            ({"embedding": np.full(DIM, np.nan, dtype=np.float32)}, InvalidInput),
        ],
    )
    async def test_bad_chunks_get_typed_errors(self, service: RetrieverService, bad: dict, error: type) -> None:
        import dataclasses

        tenant = new_tenant()
        with pytest.raises(error):
            await service.index_chunks(tenant, [chunk("fine", "문서"), dataclasses.replace(chunk("x", "문서"), **bad)])
        assert await chunk_ids(service, tenant) == []

    async def test_duplicate_ids_and_oversized_batches_are_refused(self, service: RetrieverService) -> None:
        tenant = new_tenant()
        with pytest.raises(InvalidInput, match="twice"):
            await service.index_chunks(tenant, [chunk("a", "하나"), chunk("a", "둘")])
        with pytest.raises(TooLarge):
            await service.index_chunks(tenant, [chunk(f"c{i}", "문서") for i in range(501)])
        assert await chunk_ids(service, tenant) == []

    async def test_concurrent_writers_keep_statistics_exact(self, service: RetrieverService) -> None:
        tenant = new_tenant()

        async def writer(n: int) -> None:
            for round_ in range(3):
                ids = [f"c{(n * 7 + j) % 25}" for j in range(8)]  # writers overlap on chunk ids
                await service.index_chunks(tenant, [chunk(cid, f"문서 {n} {round_} 검색 공통 {cid}") for cid in ids])
                if round_ == 1:
                    await service.delete(tenant, Selector(chunk_ids=(f"c{n}",)))

        await asyncio.gather(*(writer(n) for n in range(6)))
        await assert_statistics_match_rows(service._pool, tenant)


class TestReplaceAndDelete:
    async def test_replace_knowledge_leaves_exactly_the_new_chunks(self, service: RetrieverService) -> None:
        tenant = new_tenant()
        await service.index_chunks(tenant, [chunk(f"v1-{i}", "옛 판", knowledge="doc") for i in range(4)])
        await service.index_chunks(tenant, [chunk("other", "다른 문서", knowledge="doc-2")])
        await service.index_chunks(
            tenant, [chunk(f"v2-{i}", "새 판", knowledge="doc") for i in range(2)], replace_knowledge_id="doc"
        )
        assert await chunk_ids(service, tenant) == ["other", "v2-0", "v2-1"]
        await assert_statistics_match_rows(service._pool, tenant)

    async def test_replace_with_a_stray_chunk_changes_nothing(self, service: RetrieverService) -> None:
        tenant = new_tenant()
        await service.index_chunks(tenant, [chunk("v1", "옛 판", knowledge="doc")])
        with pytest.raises(InvalidInput):
            await service.index_chunks(
                tenant, [chunk("v2", "새 판", knowledge="doc"), chunk("x", "남의 것", knowledge="elsewhere")],
                replace_knowledge_id="doc",
            )
        assert await chunk_ids(service, tenant) == ["v1"]

    async def test_delete_by_each_selector(self, service: RetrieverService) -> None:
        tenant = new_tenant()
        await service.index_chunks(tenant, [
            chunk("a", "하나", kb="kb-1", knowledge="k-1"), chunk("b", "둘", kb="kb-1", knowledge="k-2"),
            chunk("c", "셋", kb="kb-2", knowledge="k-3"), chunk("d", "넷", kb="kb-2", knowledge="k-3"),
        ])
        assert await service.delete(tenant, Selector(chunk_ids=("a", "missing"))) == 1
        assert await service.delete(tenant, Selector(knowledge_ids=("k-3",))) == 2
        assert await service.delete(tenant, Selector(knowledge_base_ids=("kb-1",))) == 1
        assert await chunk_ids(service, tenant) == []
        await assert_statistics_match_rows(service._pool, tenant)

    async def test_delete_needs_exactly_one_selector(self, service: RetrieverService) -> None:
        with pytest.raises(InvalidInput):
            await service.delete(new_tenant(), Selector())
        with pytest.raises(InvalidInput):
            await service.delete(new_tenant(), Selector(chunk_ids=("a",), knowledge_ids=("b",)))

    async def test_delete_never_reaches_another_tenant(self, service: RetrieverService) -> None:
        mine, theirs = new_tenant(), new_tenant()
        await service.index_chunks(theirs, [chunk("same-id", "그들의 문서")])
        assert await service.delete(mine, Selector(chunk_ids=("same-id",))) == 0
        assert await chunk_ids(service, theirs) == ["same-id"]


class TestAccess:
    async def test_acl_and_enabled_follow_set_knowledge_access(self, service: RetrieverService) -> None:
        tenant = new_tenant()
        await service.index_chunks(tenant, [chunk("open", "공개", knowledge="k-open"),
                                            chunk("secret", "비밀", knowledge="k-secret")])
        assert await service.set_access(tenant, ["k-secret"], ["group:hr"], True) == 1
        assert await chunk_ids(service, tenant) == ["open"]
        assert await chunk_ids(service, tenant, principals=("group:hr",)) == ["open", "secret"]
        await service.set_access(tenant, ["k-open"], [], False)
        assert await chunk_ids(service, tenant, principals=("group:hr",)) == ["secret"]

    async def test_access_survives_reindexing(self, service: RetrieverService) -> None:
        tenant = new_tenant()
        await service.set_access(tenant, ["k-1"], ["user:kim"], True)
        await service.index_chunks(tenant, [chunk("a", "문서", knowledge="k-1")])  # sent without an ACL
        assert await chunk_ids(service, tenant) == []
        assert await chunk_ids(service, tenant, principals=("user:kim",)) == ["a"]
