"""The analyzers: script runs, Korean content morphemes, Chinese search-mode words, Unicode words."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from retriever.analysis import analyze
from retriever.analysis.segment import Script, script_runs, words

pytestmark = pytest.mark.unit


class TestScriptRuns:
    def test_a_line_with_hangul_is_one_korean_run(self) -> None:
        assert list(script_runs("Python으로 만든 조선(朝鮮)의 검색기")) == [
            (Script.KOREAN, "Python으로 만든 조선(朝鮮)의 검색기")
        ]

    def test_han_and_other_words_split_apart(self) -> None:
        runs = list(script_runs("hello 世界，你好 2024 café"))
        assert runs == [
            (Script.WORD, "hello"), (Script.HAN, "世界，你好"), (Script.WORD, "2024"), (Script.WORD, "café")
        ]

    def test_lines_are_analysed_separately(self) -> None:
        assert [script for script, _ in script_runs("한국어 문장\nEnglish line\n中文")] == [
            Script.KOREAN, Script.WORD, Script.WORD, Script.HAN
        ]

    def test_words_split_letters_from_digits_and_casefold(self) -> None:
        assert words("COVID-19 abc123 snake_case Straße ΣΊΣΥΦΟΣ") == [
            "covid", "19", "abc", "123", "snake", "case", "strasse", "σίσυφοσ"
        ]


class TestAnalyze:
    def test_korean_keeps_content_morphemes_and_drops_particles_and_endings(self) -> None:
        tokens = analyze("서울대학교를 졸업한 김철수는 연구를 계속했다")
        assert {"서울대학교", "졸업", "김철수", "연구", "계속"} <= set(tokens)
        assert not {"를", "는", "했다", "다", "한"} & set(tokens)

    def test_korean_verb_and_adjective_stems(self) -> None:
        assert analyze("아름다운 꽃을 먹었다") == ["아름답", "꽃", "먹"]

    def test_latin_inside_korean_matches_latin_alone(self) -> None:
        assert analyze("Python으로 COVID-19를 분석") == ["python", "covid", "19", "분석"]
        assert analyze("Python COVID-19") == ["python", "covid", "19"]

    def test_chinese_search_mode_yields_the_word_and_its_parts(self) -> None:
        tokens = analyze("中华人民共和国成立了")
        assert {"中华人民共和国", "人民", "共和国", "成立"} <= set(tokens)
        assert "，" not in tokens

    def test_chinese_query_part_matches_document_word(self) -> None:
        assert set(analyze("人民")) <= set(analyze("中华人民共和国"))

    def test_english_is_casefolded_words(self) -> None:
        assert analyze("The Quick, quick FOX!") == ["the", "quick", "quick", "fox"]

    def test_nothing_to_index(self) -> None:
        assert analyze("") == []
        assert analyze("  \n\t !!! ... ") == []

    def test_repeats_are_kept_for_term_frequency(self) -> None:
        assert analyze("검색 검색 검색").count("검색") == 3

    def test_concurrent_calls_give_the_same_tokens(self) -> None:
        texts = ["서울은 대한민국의 수도이다", "中华人民共和国", "hello world 안녕"] * 20
        expected = [analyze(text) for text in texts]
        with ThreadPoolExecutor(max_workers=8) as pool:
            assert list(pool.map(analyze, texts)) == expected
