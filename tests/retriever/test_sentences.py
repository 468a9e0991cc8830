"""Sentence evidence and document titles in the keyword channel."""

from __future__ import annotations

import math

import pytest
from rank_bm25 import BM25Okapi
from retriever_testkit import assert_statistics_match_rows, chunk, new_tenant

from jisik.errors import InvalidInput
from retriever.analysis import analyze, analyze_sentences
from retriever.analysis.segment import sentences
from retriever.bm25 import BM25Params
from retriever.index import Selector
from retriever.sentences import best_sentence_score
from retriever.service import RetrieverService
from retriever.types import Filters, Mode, SearchQuery

FILLER = ["도서관 운영 시간 안내.", "기차 시간표 변경.", "바다 날씨 예보.", "학교 급식 메뉴.", "병원 진료 안내."]


def keyword(tenant: str, text: str, **fields: object) -> SearchQuery:
    return SearchQuery(Filters(tenant), top_k=10, text=text, mode=Mode.KEYWORD, **fields)  # type: ignore[arg-type]  # **fields forwards the SearchQuery fields each test picks


class TestSentenceSplitting:
    def test_sentences_end_at_terminators_followed_by_space_and_at_line_breaks(self) -> None:
        assert sentences("그는 말했다. “좋다.” 그리고 떠났다!\n둘째 줄") == ["그는 말했다.", "“좋다.", "그리고 떠났다!", "둘째 줄"]

    def test_decimals_stay_whole_and_full_width_stops_need_no_space(self) -> None:
        assert sentences("길이는 28.3km이다. 다음") == ["길이는 28.3km이다.", "다음"]
        assert sentences("今天天气很好。我们去公园吧！好") == ["今天天气很好。", "我们去公园吧！", "好"]

    def test_chunk_tokens_are_grouped_by_sentence(self) -> None:
        assert analyze_sentences("Python으로 검색 엔진을 만들었다. ... 서울 지하철") == [
            ["python", "검색", "엔진", "만들"], ["서울", "지하철"]
        ]


class TestCompounds:
    def test_touching_nouns_also_index_as_one_compound(self) -> None:
        tokens = analyze("지방자치단체장 선거")
        assert {"지방", "자치", "단체장", "지방자치단체장", "선거"} <= set(tokens)
        assert "단체장선거" not in tokens  # a space ends the compound

    def test_a_query_for_the_whole_word_matches_the_whole_word(self) -> None:
        assert "유영철" in analyze("유영철은 체포되었다") and "유영철" in analyze("유영철의 종교는?")


class TestBestSentenceScore:
    def test_is_the_best_single_sentence_okapi_score(self) -> None:
        params = BM25Params(k1=1.2, b=0.75)
        weights = {"서울": 2.0, "지하철": 1.0}
        sentences_ = [["서울", "버스"], ["서울", "지하철", "노선", "서울"]]
        avg = 3.0

        def okapi(tf: int, length: int) -> float:
            return tf * (params.k1 + 1) / (tf + params.k1 * (1 - params.b + params.b * length / avg))

        expected = max(2.0 * okapi(1, 2), 2.0 * okapi(2, 4) + 1.0 * okapi(1, 4))
        assert best_sentence_score(weights, sentences_, avg, params) == pytest.approx(expected)
        assert best_sentence_score(weights, [["부산"]], avg, params) == 0.0


@pytest.mark.integration
class TestSentenceEvidence:
    async def test_terms_in_one_sentence_outrank_the_same_terms_scattered(self, service: RetrieverService) -> None:
        tenant = new_tenant()
        # Same words, same length: equal BM25. "b-together" sorts after "a-scattered" by id.
        scattered = "서울 날씨 맑음. 지하철 공사 소식. 노선 변경 없음."
        together = "서울 지하철 노선 변경. 날씨 맑음. 공사 소식 없음."
        await service.index_chunks(tenant, [
            chunk("a-scattered", scattered), chunk("b-together", together),
            *(chunk(f"f{i}", text) for i, text in enumerate(FILLER)),
        ])
        plain = await service.search(keyword(tenant, "서울 지하철 노선", sentence_weight=0.0))
        assert [hit.chunk_id for hit in plain[:2]] == ["a-scattered", "b-together"]
        assert plain[0].keyword_score == pytest.approx(plain[1].keyword_score)
        blended = await service.search(keyword(tenant, "서울 지하철 노선", sentence_weight=0.5))
        assert [hit.chunk_id for hit in blended[:2]] == ["b-together", "a-scattered"]
        best = blended[0]
        assert best.sentence_score > blended[1].sentence_score > 0
        assert best.keyword_score == pytest.approx(0.5 * best.bm25_score + 0.5 * best.sentence_score)
        assert best.bm25_score == pytest.approx(plain[1].keyword_score)

    async def test_sentence_score_uses_the_chunk_weights_and_mean_sentence_length(
        self, service: RetrieverService
    ) -> None:
        tenant = new_tenant()
        texts = {"c0": "서울 지하철 노선. 버스 요금.", **{f"f{i}": text for i, text in enumerate(FILLER)}}
        await service.index_chunks(tenant, [chunk(cid, text) for cid, text in texts.items()])
        hit = (await service.search(keyword(tenant, "서울 지하철")))[0]
        per_sentence = [analyze_sentences(text) for text in texts.values()]
        n = len(texts)
        avg = sum(len(s) for doc in per_sentence for s in doc) / sum(len(doc) for doc in per_sentence)
        k1, b = service.settings.bm25_k1, service.settings.bm25_b
        idf = math.log(n - 1 + 0.5) - math.log(1 + 0.5)  # each term in one chunk
        expected = 2 * idf * (k1 + 1) / (1 + k1 * (1 - b + b * 3 / avg))  # best sentence: 서울 지하철 노선
        assert hit.chunk_id == "c0"
        assert hit.sentence_score == pytest.approx(expected)

    async def test_weight_out_of_range_is_refused(self, service: RetrieverService) -> None:
        for weight in (-0.1, 1.5, math.nan):
            with pytest.raises(InvalidInput):
                await service.search(keyword(new_tenant(), "서울", sentence_weight=weight))


@pytest.mark.integration
class TestTitles:
    async def test_title_words_find_the_chunk_and_count_in_its_bm25(self, service: RetrieverService) -> None:
        tenant = new_tenant()
        docs = {
            "t0": ("한라산 등반기", "정상까지 다섯 시간이 걸렸다."),
            **{f"f{i}": ("", text) for i, text in enumerate(FILLER)},
        }
        await service.index_chunks(tenant, [chunk(cid, body, title=title) for cid, (title, body) in docs.items()])
        hits = await service.search(keyword(tenant, "한라산 정상", sentence_weight=0.0))
        assert hits[0].chunk_id == "t0"
        ids = sorted(docs)
        reference = BM25Okapi(
            [analyze(docs[i][0]) + [t for s in analyze_sentences(docs[i][1]) for t in s] for i in ids],
            k1=service.settings.bm25_k1, b=service.settings.bm25_b, epsilon=service.settings.bm25_epsilon,
        )
        expected = dict(zip(ids, reference.get_scores(analyze("한라산 정상")), strict=True))
        assert hits[0].bm25_score == pytest.approx(expected["t0"])

    async def test_oversized_title_is_refused_and_nothing_is_indexed(self, service: RetrieverService) -> None:
        tenant = new_tenant()
        with pytest.raises(InvalidInput):
            await service.index_chunks(tenant, [chunk("ok", "서울"), chunk("bad", "부산", title="가" * 2000)])
        assert await service.search(keyword(tenant, "서울")) == []

    async def test_sentence_statistics_follow_upserts_and_deletes(self, service: RetrieverService) -> None:
        tenant = new_tenant()
        await service.index_chunks(tenant, [chunk(f"s{i}", text, title="안내") for i, text in enumerate(FILLER)])
        await service.index_chunks(tenant, [chunk("s0", "서울 지하철. 부산 바다. 대전 과학.")])
        await assert_statistics_match_rows(service._pool, tenant)
        await service.delete(tenant, Selector(chunk_ids=("s0", "s1")))
        await assert_statistics_match_rows(service._pool, tenant)
