"""The gRPC service end to end: every rpc, protobuf mapping, and typed errors as status codes."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
import pytest
from retriever_testkit import DIM, new_tenant, unit_vector

from jisik.proto import retriever_pb2 as pb
from jisik.proto import retriever_pb2_grpc as pb_grpc
from jisik.settings import Settings
from retriever.server import create_server

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def stub(module_database: str) -> AsyncIterator[pb_grpc.RetrieverStub]:
    settings = Settings.load()
    server, port, _, service = await create_server(settings, 0, module_database)
    await server.start()
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        yield pb_grpc.RetrieverStub(channel)
    await server.stop(0)
    await service.close()


def indexed(tenant: str, chunk_id: str, content: str, **fields: object) -> pb.IndexedChunk:
    values = {
        "chunk_id": chunk_id, "tenant_id": tenant, "knowledge_base_id": "kb", "knowledge_id": "k",
        "content": content, "embedding": unit_vector(chunk_id).tolist(), "metadata": pb.ChunkMetadata(file_name="map.pdf", pages=[3], chunk_type="table", version=2),
        "seq": 2, "start": 10, "end": 42, **fields,
    }
    return pb.IndexedChunk(**values)


TEXTS = {"a": "서울 지하철 노선도", "b": "부산 해운대 해수욕장", "c": "제주도 한라산 등산로", "d": "대전 과학 도시"}


class TestRpcs:
    async def test_index_search_delete(self, stub: pb_grpc.RetrieverStub) -> None:
        tenant = new_tenant()
        chunks = [indexed(tenant, cid, text) for cid, text in TEXTS.items()]
        assert (await stub.IndexChunks(pb.IndexChunksRequest(chunks=chunks))).indexed == 4
        response = await stub.Search(pb.SearchRequest(
            tenant_id=tenant, query_text="서울 지하철", query_vector=unit_vector("a").tolist(), top_k=3
        ))
        best = response.hits[0]
        assert (best.chunk_id, best.match_type, best.vector_rank, best.keyword_rank) == ("a", pb.MATCH_TYPE_HYBRID, 1, 1)
        assert best.content == "서울 지하철 노선도"
        assert best.metadata == pb.ChunkMetadata(file_name="map.pdf", pages=[3], chunk_type="table", version=2)
        assert (best.knowledge_base_id, best.knowledge_id, best.seq, best.start, best.end) == ("kb", "k", 2, 10, 42)
        assert best.score == pytest.approx(0.3 + 0.7)  # default: weighted fusion, best in both channels
        deleted = await stub.Delete(pb.DeleteRequest(tenant_id=tenant, chunk_ids=["a"]))
        assert deleted.deleted == 1
        keyword = await stub.Search(pb.SearchRequest(
            tenant_id=tenant, query_text="서울", top_k=3, mode=pb.SEARCH_MODE_KEYWORD
        ))
        assert [hit.chunk_id for hit in keyword.hits] == []

    @pytest.mark.parametrize(
        ("fusion", "text", "best", "score"),
        [
            (pb.FUSION_RRF, "서울 지하철", "a", (0.3 + 0.7) / 61),  # default weights, both ranks 1
            (pb.FUSION_WEIGHTED, "한라산", "c", 1.0),  # default weights, best in both channels
        ],
    )
    async def test_asked_fusion_uses_default_weights(
        self, stub: pb_grpc.RetrieverStub, fusion: int, text: str, best: str, score: float
    ) -> None:
        tenant = new_tenant()
        await stub.IndexChunks(pb.IndexChunksRequest(chunks=[indexed(tenant, c, t) for c, t in TEXTS.items()]))
        response = await stub.Search(pb.SearchRequest(
            tenant_id=tenant, query_text=text, query_vector=unit_vector(best).tolist(), top_k=3,
            fusion=fusion,  # type: ignore[arg-type]  # fusion is a parametrized int; the stub types it as Fusion or its name
        ))
        assert response.hits[0].chunk_id == best
        assert response.hits[0].score == pytest.approx(score)

    async def test_replace_knowledge_and_access(self, stub: pb_grpc.RetrieverStub) -> None:
        tenant = new_tenant()
        await stub.IndexChunks(pb.IndexChunksRequest(chunks=[indexed(tenant, c, t) for c, t in TEXTS.items()]))
        replaced = await stub.ReplaceKnowledge(pb.ReplaceKnowledgeRequest(
            tenant_id=tenant, knowledge_id="k", chunks=[indexed(tenant, "new", "새로운 내용")]
        ))
        assert replaced.indexed == 1
        access = await stub.SetKnowledgeAccess(pb.SetKnowledgeAccessRequest(
            tenant_id=tenant, knowledge_id="k", acl_principals=["group:x"], enabled=True
        ))
        assert access.updated == 1
        vector = unit_vector("new").tolist()
        hidden = await stub.Search(pb.SearchRequest(tenant_id=tenant, query_vector=vector, top_k=5))
        assert list(hidden.hits) == []
        seen = await stub.Search(pb.SearchRequest(
            tenant_id=tenant, query_vector=vector, top_k=5, acl_principals=["group:x"]
        ))
        assert [hit.chunk_id for hit in seen.hits] == ["new"]

    async def test_analyze(self, stub: pb_grpc.RetrieverStub) -> None:
        response = await stub.Analyze(pb.AnalyzeRequest(text="한국어 형태소 분석기 Kiwi"))
        assert list(response.tokens) == ["한국어", "형태소", "분석기", "kiwi"]


class TestStatusCodes:
    @pytest.mark.parametrize(
        ("request_fields", "code"),
        [
            ({"query_text": "  "}, grpc.StatusCode.INVALID_ARGUMENT),
            ({"query_text": "서울", "top_k": 0}, grpc.StatusCode.INVALID_ARGUMENT),
            ({"query_text": "서울", "top_k": 10_000}, grpc.StatusCode.INVALID_ARGUMENT),
            ({"query_vector": [0.1] * (DIM - 1)}, grpc.StatusCode.INVALID_ARGUMENT),
            ({"query_text": "서울", "knowledge_base_ids": ["nope"]}, grpc.StatusCode.NOT_FOUND),
            ({"query_text": "서울" * 3000}, grpc.StatusCode.RESOURCE_EXHAUSTED),
        ],
    )
    async def test_bad_searches(self, stub: pb_grpc.RetrieverStub, request_fields: dict, code: grpc.StatusCode) -> None:
        with pytest.raises(grpc.aio.AioRpcError) as error:
            await stub.Search(pb.SearchRequest(tenant_id=new_tenant(), **{"top_k": 5, **request_fields}))
        assert error.value.code() == code
        codes = {grpc.StatusCode.INVALID_ARGUMENT: "invalid_input", grpc.StatusCode.NOT_FOUND: "not_found",
                 grpc.StatusCode.RESOURCE_EXHAUSTED: "too_large"}
        assert dict(error.value.trailing_metadata() or ())["jisik-error-code"] == codes[code]

    async def test_bad_batches_index_nothing(self, stub: pb_grpc.RetrieverStub) -> None:
        tenant = new_tenant()
        cases = [
            [indexed(tenant, "a", "좋음"), indexed(tenant, "b", "나쁨", embedding=[1.0, 2.0])],
            [indexed(tenant, "a", "좋음"), indexed(new_tenant(), "b", "남의 것")],
        ]
        for chunks in cases:
            with pytest.raises(grpc.aio.AioRpcError) as error:
                await stub.IndexChunks(pb.IndexChunksRequest(chunks=chunks))
            assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        with pytest.raises(grpc.aio.AioRpcError) as error:
            await stub.IndexChunks(pb.IndexChunksRequest(chunks=[indexed(tenant, f"c{i}", "x") for i in range(2001)]))
        assert error.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        found = await stub.Search(pb.SearchRequest(tenant_id=tenant, query_vector=unit_vector("a").tolist(), top_k=5))
        assert list(found.hits) == []

    async def test_delete_needs_one_selector(self, stub: pb_grpc.RetrieverStub) -> None:
        with pytest.raises(grpc.aio.AioRpcError) as error:
            await stub.Delete(pb.DeleteRequest(tenant_id=new_tenant()))
        assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
