"""The grounded answering pieces: sentences, terms, cues, tables, evidence and the composed answer.

Each defect the extractive backend had is reproduced through ``ExtractiveChat`` (so the test fails
on the old backend) and pinned at the piece that fixes it."""

from __future__ import annotations

import pytest

from ml.answering.compose import compose
from ml.answering.cues import Cue, cue_of, spans
from ml.answering.evidence import find_evidence
from ml.answering.language import NO_ANSWER_TEXTS
from ml.answering.tables import parse_table
from ml.answering.terms import numbers, question_terms, terms
from ml.answering.text import split_blocks, split_sentences
from ml.serving.backends.extractive import ExtractiveChat
from ml.serving.types import ChatInput

RESULTS_TABLE = (
    "Table 3. Results on the test set.\n"
    "| Model | EM | F1 |\n"
    "| --- | --- | --- |\n"
    "| Human | 68.8 | 83.9 |\n"
    "| BERT-base | 50.1 | 60.2 |\n"
)
KO_TABLE = (
    "[표 2] 지역별 매출\n"
    "| 지역 | 2022년 매출 | 2023년 매출 |\n"
    "| --- | --- | --- |\n"
    "| 서울 | 1,250억 원 | 1,410억 원 |\n"
    "| 부산 | 430억 원 | 512억 원 |\n"
)
WRAPPED = (
    "Human capital. As of December 31, 2021, we had 4,\n"
    "453 employees, most of them in engineering. The camera records at a resolution of\n"
    "640 × 480 pixels, a format chosen for low bandwidth."
)


async def extractive(question: str, passages: list[str]) -> str:
    chat = ExtractiveChat()
    request = ChatInput(messages=(), passages=tuple(passages), question=question)
    return "".join([event.delta async for event in chat.stream(request)])


class TestSentences:
    def test_wrapped_lines_are_one_sentence_and_numbers_stay_whole(self) -> None:
        sentences = split_sentences(WRAPPED)
        assert "As of December 31, 2021, we had 4,453 employees, most of them in engineering." in sentences
        assert (
            "The camera records at a resolution of 640 × 480 pixels, a format chosen for low bandwidth."
            in sentences
        )

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("점수는 68.8점이다. 다음 문장.", ["점수는 68.8점이다.", "다음 문장."]),
            ("발표일은 2021. 4. 28.이다. 끝.", ["발표일은 2021. 4. 28.이다.", "끝."]),
            ("See e.g. the report by J. Smith. Then stop.", ["See e.g. the report by J. Smith.", "Then stop."]),
            ("第一句。第二句！", ["第一句。", "第二句！"]),
        ],
    )
    def test_sentence_ends(self, text: str, expected: list[str]) -> None:
        assert split_sentences(text) == expected

    def test_tables_are_blocks_of_their_own(self) -> None:
        kinds = [block.kind for block in split_blocks(RESULTS_TABLE)]
        assert kinds == ["text", "table"]


class TestTermsAndCues:
    def test_numbers_lose_group_separators_only(self) -> None:
        assert numbers("4,453 employees, 68.8 and 2021") == {"4453", "68.8", "2021"}

    def test_korean_terms_come_from_kiwi_and_drop_question_words(self) -> None:
        assert {"서울", "인구"} <= terms("서울의 인구는 몇 명인가요?")
        assert not {"몇", "무엇"} & terms("서울의 인구는 몇 명인가요? 무엇인가요?")

    def test_english_plurals_and_codes(self) -> None:
        assert "employ" in terms("employees") & terms("employee")
        assert terms("supplies") & terms("supplier") and terms("depart") & terms("departure")
        assert "f1" in terms("Human의 F1 점수는?")

    @pytest.mark.parametrize(
        ("question", "cue"),
        [
            ("When was the tower completed?", Cue.DATE),
            ("언제 발표되었나요?", Cue.DATE),
            ("长城是哪一年建成的？", Cue.DATE),
            ("How many employees are there?", Cue.NUMBER),
            ("직원은 몇 명인가요?", Cue.NUMBER),
            ("公司有多少员工？", Cue.NUMBER),
            ("What time does the ferry leave?", Cue.DATE),
            ("What was revenue in 2021?", Cue.NUMBER),
            ("SQL은 무엇의 약자인가요?", Cue.EXPANSION),
            ("What does NASA stand for?", Cue.EXPANSION),
            ("Who wrote the report?", Cue.OTHER),
        ],
    )
    def test_cue_of(self, question: str, cue: Cue) -> None:
        assert cue_of(question) is cue

    def test_number_spans_keep_their_units(self) -> None:
        text = "we had 4,453 employees and a 640 × 480 pixels camera costing 1,250억 원"
        found = [text[s:e] for s, e in spans(text, Cue.NUMBER)]
        assert found == ["4,453 employees", "640 × 480 pixels", "1,250억 원"]


    def test_question_words_are_dropped_before_stemming(self) -> None:
        assert question_terms("What does NASA stand for?") == {"nasa"}
        assert question_terms("How long is the crossing?") == {"crossi"}
        assert terms("青山水库是哪一年建成的？") == {"青山", "水库", "建成"}


class TestTables:
    def test_header_row_is_never_a_data_row(self) -> None:
        rows = parse_table(RESULTS_TABLE.split("\n", 1)[1])
        assert [row.cells[0] for row in rows] == ["Human", "BERT-base"]
        assert rows[0].header == ("Model", "EM", "F1")

    def test_cell_breaks_are_spaces(self) -> None:
        rows = parse_table("| a | b |\n|---|---|\n| 1<br>2 | x |")
        assert rows[0].cells == ("1 2", "x")

    def test_row_by_terms_and_column_by_header(self) -> None:
        best = find_evidence("What is the F1 of Human?", [RESULTS_TABLE])[0]
        assert best.answer == "83.9" and best.label == ("Human", "F1")
        korean = find_evidence("부산의 2023년 매출은 얼마인가요?", [KO_TABLE])[0]
        assert korean.answer == "512억 원"


class TestExtractiveAnswers:
    async def test_table_question_is_answered_with_the_cell_not_the_header(self) -> None:
        text = await extractive("What is the F1 score of Human?", [RESULTS_TABLE])
        assert text.startswith("According to the documents, the F1 of Human is 83.9 [1].")
        assert "| Model | EM | F1 |" not in text

    async def test_quote_is_not_cut_at_a_line_end(self) -> None:
        text = await extractive("How many employees did we have as of December 31, 2021?", [WRAPPED])
        assert "4,453 employees" in text.split("\n")[0]
        assert "we had 4,453 employees, most of them in engineering. [1]" in text
        resolution = await extractive("What resolution does the camera record at?", [WRAPPED])
        assert "640 × 480 pixels, a format chosen for low bandwidth. [1]" in resolution

    @pytest.mark.parametrize(
        ("question", "passages", "fact"),
        [
            ("서울의 2023년 매출은 얼마인가요?", [KO_TABLE], "1,410억 원"),
            ("What was the EM of BERT-base?", [RESULTS_TABLE], "50.1"),
        ],
    )
    async def test_answer_comes_first_in_the_questions_language(
        self, question: str, passages: list[str], fact: str
    ) -> None:
        text = await extractive(question, passages)
        first = text.split("\n")[0]
        assert fact in first
        assert first.startswith("문서에 따르면" if question[0] >= "가" else "According to the documents")

    @pytest.mark.parametrize(
        ("question", "language"),
        [("회사의 주가는 얼마인가요?", "ko"), ("公司的股价是多少？", "zh"), ("What is the share price?", "en")],
    )
    async def test_no_answer_is_in_the_questions_language(self, question: str, language: str) -> None:
        assert await extractive(question, [WRAPPED]) == NO_ANSWER_TEXTS[language]

    @pytest.mark.parametrize(
        ("question", "passage", "lead"),
        [
            ("What does NASA stand for?", "NASA (National Aeronautics and Space Administration) runs it.",
             "According to the documents, the answer is National Aeronautics and Space Administration [1]."),
            ("JSON은 무엇의 약자인가요?", "JSON(JavaScript Object Notation)은 데이터 형식입니다.",
             "문서에 따르면 답은 JavaScript Object Notation입니다 [1]."),
            ("When does the morning ferry leave?", "The morning ferry leaves at 07:30 from pier 3.",
             "According to the documents, the answer is 07:30 [1]."),
            ("By how long are passes extended?", "Annual passes are extended by four months at no cost.",
             "According to the documents, the answer is four months [1]."),
        ],
    )
    async def test_expansions_times_and_spelled_numbers(self, question: str, passage: str, lead: str) -> None:
        assert (await extractive(question, [passage])).split("\n")[0] == lead

    async def test_a_bare_small_number_is_not_an_answer(self) -> None:
        passage = "승강기 교체 공사를 합니다. 공사 기간에는 1 02 동 통로를 이용하세요."
        assert await extractive("승강기 공사 비용은 얼마인가요?", [passage]) == NO_ANSWER_TEXTS["ko"]

    def test_deterministic(self) -> None:
        runs = {compose("What is the F1 of Human?", [RESULTS_TABLE, WRAPPED]).text for _ in range(3)}
        assert len(runs) == 1
