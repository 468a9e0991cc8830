"""The built-in extractive chat backend."""

from __future__ import annotations

import re

from ml.answering.text import split_sentences
from ml.serving.backends.extractive import NO_ANSWER, NO_ANSWER_FINISH_REASON, ExtractiveChat
from ml.serving.types import ChatEvent, ChatInput, Message

KO_PASSAGES = [
    "부산은 대한민국 제2의 도시이다. 해운대 해수욕장이 유명하다.",
    "서울은 대한민국의 수도이다. 서울의 인구는 약 940만 명이다.",
]
ZH_PASSAGES = ["上海是中国最大的城市。", "长城位于中国北方。长城全长两万多公里。"]
EN_PASSAGES = [
    "Photosynthesis converts light energy into chemical energy. It happens in chloroplasts.",
    "The Eiffel Tower is in Paris. It was completed in 1889 for the World's Fair.",
]


async def answer(question: str, passages: list[str], *, via_messages: bool = False) -> list[ChatEvent]:
    chat = ExtractiveChat()
    request = (
        ChatInput(messages=(Message("system", "answer"), Message("user", question)), passages=tuple(passages))
        if via_messages
        else ChatInput(messages=(), passages=tuple(passages), question=question)
    )
    return [event async for event in chat.stream(request)]


def text_of(events: list[ChatEvent]) -> str:
    return "".join(e.delta for e in events)


class TestExtractiveChat:
    async def test_korean_answer_cites_the_right_passage(self) -> None:
        events = await answer("대한민국의 수도는 어디인가요?", KO_PASSAGES)
        text = text_of(events)
        assert text.startswith("문서에 따르면: 서울은 대한민국의 수도이다. [2]")
        assert "해운대" not in text

    async def test_chinese_answer(self) -> None:
        text = text_of(await answer("长城有多长？", ZH_PASSAGES))
        assert text.startswith("根据文档")
        assert "长城全长两万多公里。 [2]" in text
        assert "上海" not in text

    async def test_english_answer_from_the_last_user_message(self) -> None:
        text = text_of(await answer("When was the Eiffel Tower completed?", EN_PASSAGES, via_messages=True))
        assert text.startswith("According to the documents, the answer is 1889 [2].")
        assert "It was completed in 1889 for the World's Fair. [2]" in text
        assert "[1]" not in text

    async def test_every_citation_points_at_a_supplied_passage(self) -> None:
        text = text_of(await answer("Where is the Eiffel Tower and what is photosynthesis?", EN_PASSAGES))
        cited = {int(n) for n in re.findall(r"\[(\d+)\]", text)}
        assert cited and cited <= {1, 2}

    async def test_says_plainly_when_the_documents_lack_the_answer(self) -> None:
        for question, passages in [
            ("What is the boiling point of mercury?", EN_PASSAGES),
            ("독도의 면적은 얼마인가?", KO_PASSAGES),
            ("What is the boiling point of mercury?", []),
        ]:
            events = await answer(question, passages)
            assert text_of(events) in NO_ANSWER
            assert events[-1].finish_reason == NO_ANSWER_FINISH_REASON
        assert text_of(await answer("독도의 면적은 얼마인가?", KO_PASSAGES)).startswith("제공된 문서에는")

    async def test_streams_several_deltas_then_usage(self) -> None:
        events = await answer("대한민국의 수도와 인구는?", KO_PASSAGES)
        assert len([e for e in events if e.delta]) >= 2
        assert all(e.usage is None for e in events[:-1])
        final = events[-1]
        assert final.usage is not None and final.usage.prompt_tokens > 0 and final.usage.completion_tokens > 0
        assert final.finish_reason == "stop"

    async def test_deterministic(self) -> None:
        runs = [text_of(await answer("서울의 인구는 몇 명인가?", KO_PASSAGES)) for _ in range(3)]
        assert len(set(runs)) == 1 and "940만" in runs[0]


class TestSplitSentences:
    def test_mixed_scripts(self) -> None:
        text = "첫 문장이다. 둘째 문장!\n第三句。第四句？ Fifth one, v3.5 ok. Sixth"
        assert split_sentences(text) == [
            "첫 문장이다.",
            "둘째 문장!",
            "第三句。",
            "第四句？",
            "Fifth one, v3.5 ok.",
            "Sixth",
        ]
