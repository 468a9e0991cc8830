"""The keyword channel's scores equal rank_bm25.BM25Okapi on the same tokens and parameters."""

from __future__ import annotations

import random

import pytest
from rank_bm25 import BM25Okapi
from retriever_testkit import assert_statistics_match_rows, chunk, new_tenant

from retriever.analysis import analyze
from retriever.bm25 import BM25Params, idf, query_weights
from retriever.index import Selector
from retriever.service import RetrieverService
from retriever.types import Filters, Mode, SearchQuery

VOCABULARY = [
    "검색", "엔진", "서울", "부산", "데이터", "모델", "python", "kafka", "postgres", "한국어", "형태소", "분석",
    "도서관", "지하철", "기차", "바다", "산", "강", "학교", "병원", "vector", "index", "中文", "人民",
]
QUERIES = ["검색 엔진", "공통 데이터", "python python kafka", "서울 부산 한국어 형태소", "없는단어", "공통"]


def corpus(seed: int, size: int) -> dict[str, str]:
    rng = random.Random(seed)
    # "공통" is in every document, so its idf is negative and the epsilon floor applies.
    return {
        f"d{seed}-{i:03d}": " ".join(["공통", *rng.choices(VOCABULARY, k=rng.randint(2, 14))])
        for i in range(size)
    }


def reference_bm25(service: RetrieverService, documents: list[list[str]]) -> BM25Okapi:
    settings = service.settings
    return BM25Okapi(documents, k1=settings.bm25_k1, b=settings.bm25_b, epsilon=settings.bm25_epsilon)


async def assert_equal_to_rank_bm25(service: RetrieverService, tenant: str, documents: dict[str, str]) -> None:
    ids = sorted(documents)
    reference = reference_bm25(service, [analyze(documents[i]) for i in ids])
    for text in QUERIES:
        expected = dict(zip(ids, reference.get_scores(analyze(text)), strict=True))
        # A threshold far below zero keeps documents whose (floored) idf sum is negative; without sentence
        # evidence the channel's score is plain BM25.
        query = SearchQuery(
            Filters(tenant), top_k=100, text=text, mode=Mode.KEYWORD, keyword_threshold=-1e9, sentence_weight=0.0
        )
        hits = await service.search(query)
        got = {hit.chunk_id: hit.keyword_score for hit in hits}
        for hit in hits:
            assert hit.keyword_score == hit.bm25_score
            assert hit.keyword_score == pytest.approx(expected[hit.chunk_id], rel=1e-9, abs=1e-12), (text, hit.chunk_id)
        missing = {cid for cid, score in expected.items() if score != 0} - set(got)
        assert not missing, text
        ordered = sorted(got, key=lambda cid: (-got[cid], cid))
        assert [hit.chunk_id for hit in hits] == ordered


@pytest.mark.integration
class TestBM25Equality:
    async def test_scores_equal_rank_bm25(self, service: RetrieverService) -> None:
        tenant = new_tenant()
        documents = corpus(1, 40)
        await service.index_chunks(tenant, [chunk(cid, text) for cid, text in documents.items()])
        await assert_equal_to_rank_bm25(service, tenant, documents)

    async def test_scores_stay_equal_after_upserts_and_deletes(self, service: RetrieverService) -> None:
        tenant = new_tenant()
        documents = corpus(2, 30)
        await service.index_chunks(tenant, [chunk(cid, text) for cid, text in documents.items()])
        changed = {cid: text for cid, text in corpus(3, 30).items()}
        # Re-upsert ten documents with new text, add five, delete seven.
        rewritten = {cid: changed[f"d3-{cid[-3:]}"] for cid in sorted(documents)[:10]}
        added = {f"new-{i}": text for i, text in enumerate(list(changed.values())[10:15])}
        await service.index_chunks(tenant, [chunk(cid, text) for cid, text in {**rewritten, **added}.items()])
        gone = sorted(documents)[20:27]
        assert await service.delete(tenant, Selector(chunk_ids=tuple(gone))) == 7
        documents.update(rewritten)
        documents.update(added)
        for cid in gone:
            del documents[cid]
        await assert_statistics_match_rows(service._pool, tenant)
        await assert_equal_to_rank_bm25(service, tenant, documents)

    async def test_other_tenants_do_not_change_statistics(self, service: RetrieverService) -> None:
        tenant, other = new_tenant(), new_tenant()
        documents = corpus(4, 20)
        await service.index_chunks(tenant, [chunk(cid, text) for cid, text in documents.items()])
        await service.index_chunks(other, [chunk(f"o{i}", "검색 검색 검색 공통") for i in range(50)])
        await assert_equal_to_rank_bm25(service, tenant, documents)


@pytest.mark.unit
class TestQueryWeights:
    async def test_repeated_query_terms_count_again_and_unknown_terms_vanish(self) -> None:
        async def mean() -> float:
            raise AssertionError("mean idf is needed only for negative idf")

        weights = await query_weights(["a", "a", "b", "zzz"], {"a": 1, "b": 2}, 10, BM25Params(), mean)
        assert weights == {"a": pytest.approx(2 * idf(1, 10)), "b": pytest.approx(idf(2, 10))}

    async def test_negative_idf_is_floored_to_epsilon_times_mean(self) -> None:
        async def mean() -> float:
            return 2.0

        weights = await query_weights(["common"], {"common": 9}, 10, BM25Params(epsilon=0.25), mean)
        assert weights == {"common": pytest.approx(0.5)}


FREQUENT = {"공통": 0.6, "데이터": 0.35, "검색": 0.2, "모델": 0.1}


def rare_word(i: int) -> str:
    return "rare" + "abcdefghijklmnopqrstuvwxyz"[i // 26] + "abcdefghijklmnopqrstuvwxyz"[i % 26]


def skewed_corpus(size: int) -> dict[str, str]:
    """Documents with a few frequent words (in 10-60% of them) and many rare ones (a handful each)."""
    rng = random.Random(11)
    documents = {}
    for i in range(size):
        words = [word for word, share in FREQUENT.items() if rng.random() < share]
        words += [rare_word(rng.randrange(120)) for _ in range(rng.randint(1, 4))]
        words += rng.choices(["공통", "데이터"], k=rng.randint(0, 3))
        rng.shuffle(words)
        documents[f"s{i:04d}"] = " ".join(words)
    return documents


@pytest.mark.integration
class TestTopK:
    """The keyword channel's top-k is exactly BM25's, also when filters drop most of the best chunks."""

    async def test_top_k_is_exact_on_a_skewed_corpus(self, service: RetrieverService) -> None:
        tenant = new_tenant()
        documents = skewed_corpus(400)
        # Every fifth document is in kb-rare, so a kb-rare search skips most of the best candidates.
        kb_of = {cid: "kb-rare" if i % 5 == 0 else "kb-1" for i, cid in enumerate(sorted(documents))}
        await service.index_chunks(
            tenant, [chunk(cid, text, kb=kb_of[cid]) for cid, text in sorted(documents.items())]
        )
        ids = sorted(documents)
        reference = reference_bm25(service, [analyze(documents[i]) for i in ids])
        queries = [f"{rare_word(i)} 공통 데이터" for i in range(0, 120, 7)]
        queries += [f"{rare_word(3)} {rare_word(4)} 검색 모델", "공통 데이터 검색"]
        for text in queries:
            scores = dict(zip(ids, reference.get_scores(analyze(text)), strict=True))
            for kbs in ((), ("kb-rare",)):
                allowed = [cid for cid in ids if not kbs or kb_of[cid] in kbs]
                for top_k in (1, 5, 20):
                    query = SearchQuery(Filters(tenant, knowledge_base_ids=kbs), top_k=top_k, text=text,
                                        mode=Mode.KEYWORD, sentence_weight=0.0)
                    hits = await service.search(query)
                    expected = sorted((scores[cid] for cid in allowed if scores[cid] > 0), reverse=True)[:top_k]
                    assert [hit.keyword_score for hit in hits] == pytest.approx(expected, rel=1e-9), (text, kbs)
                    for hit in hits:
                        assert hit.keyword_score == pytest.approx(scores[hit.chunk_id], rel=1e-9)
                        assert kb_of[hit.chunk_id] in (kbs or ("kb-1", "kb-rare"))
