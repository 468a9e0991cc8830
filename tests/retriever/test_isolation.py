"""Tenant isolation as a property: whatever the query and filters, a search returns only the caller's chunks."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from retriever_testkit import chunk, new_tenant, unit_vector

from jisik.errors import NotFound
from retriever.service import RetrieverService
from retriever.types import Filters, Fusion, Mode, SearchQuery

pytestmark = pytest.mark.integration

WORDS = ["검색", "서울", "데이터", "모델", "python", "vector", "人民", "首都", "공통", "문서"]
KBS = ["kb-a", "kb-b", "kb-c"]
KNOWLEDGES = ["k-1", "k-2", "k-3", "k-4"]
PRINCIPALS = ["user:kim", "group:hr", "group:dev"]
TENANTS = [new_tenant() for _ in range(3)]
SHARED_IDS = [f"shared-{i}" for i in range(6)]  # every tenant uses the same chunk ids


@pytest.fixture(scope="module")
async def indexed(service: RetrieverService) -> None:
    """Index the same chunk ids (and similar texts and vectors) for three tenants."""
    for t, tenant in enumerate(TENANTS):
        chunks = []
        for i in range(30):
            chunk_id = SHARED_IDS[i] if i < len(SHARED_IDS) else f"{tenant}-{i}"
            text = " ".join(WORDS[(i + j + t) % len(WORDS)] for j in range(4))
            chunks.append(chunk(
                chunk_id, text, kb=KBS[i % 3], knowledge=KNOWLEDGES[i % 4],
                vector=unit_vector(i), acl=[PRINCIPALS[i % 3]] if i % 5 == 0 else [],
            ))
        await service.index_chunks(tenant, chunks)


queries = st.fixed_dictionaries({
    "tenant": st.sampled_from(TENANTS),
    "text": st.lists(st.sampled_from(WORDS), min_size=0, max_size=4).map(" ".join),
    "vector_seed": st.one_of(st.none(), st.integers(0, 40)),
    "mode": st.sampled_from(list(Mode)),
    "fusion": st.sampled_from(list(Fusion)),
    "kbs": st.lists(st.sampled_from(KBS), max_size=2, unique=True),
    "knowledges": st.lists(st.sampled_from(KNOWLEDGES), max_size=2, unique=True),
    "principals": st.lists(st.sampled_from(PRINCIPALS), max_size=2, unique=True),
    "top_k": st.integers(1, 100),
})


class TestTenantIsolation:
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(spec=queries)
    async def test_no_search_returns_another_tenants_chunk(
        self, service: RetrieverService, indexed: None, spec: dict
    ) -> None:
        if not spec["text"] and spec["vector_seed"] is None:
            spec["text"] = WORDS[0]
        mode = spec["mode"]
        if mode is Mode.KEYWORD and not spec["text"]:
            mode = Mode.HYBRID
        if mode is Mode.VECTOR and spec["vector_seed"] is None:
            mode = Mode.HYBRID
        query = SearchQuery(
            Filters(spec["tenant"], tuple(spec["kbs"]), tuple(spec["knowledges"]), tuple(spec["principals"])),
            top_k=spec["top_k"], mode=mode, text=spec["text"], fusion=spec["fusion"], vector_threshold=-1,
            keyword_threshold=-1e9,
            vector=None if spec["vector_seed"] is None else unit_vector(spec["vector_seed"]),
        )
        hits = await service.search(query)
        tenant = spec["tenant"]
        async with service._pool.acquire() as connection:
            rows = await connection.fetch(
                "SELECT id, tenant_id, knowledge_base_id, knowledge_id, acl_principals FROM retriever_chunks"
                " WHERE id = ANY($1::bigint[])",
                [hit.ref for hit in hits],
            )
        assert len(rows) == len(hits)
        for row in rows:
            assert row["tenant_id"] == tenant
            assert not spec["kbs"] or row["knowledge_base_id"] in spec["kbs"]
            assert not spec["knowledges"] or row["knowledge_id"] in spec["knowledges"]
            assert not row["acl_principals"] or set(row["acl_principals"]) & set(spec["principals"])
        assert all(hit.chunk_id in SHARED_IDS or hit.chunk_id.startswith(tenant) for hit in hits)

    async def test_an_unknown_knowledge_base_of_another_tenant_is_not_found(
        self, service: RetrieverService, indexed: None
    ) -> None:
        stranger = new_tenant()
        with pytest.raises(NotFound):
            await service.search(SearchQuery(Filters(stranger, knowledge_base_ids=("kb-a",)), top_k=5, text="검색"))
