"""preprocess_query cleaning, language detection, the prompt and rewrite output handling."""

from __future__ import annotations

import pytest

from chat.context import ChatContext, HistoryTurn, Passage, RetrievalSettings
from chat.stages import FilterTopK, IntoChatMessage, clean_query
from chat.stages.into_chat_message import NO_MATCH
from chat.stages.rewrite import RewriteQuery, clean_rewrite
from ml.answering.language import detect_language


def _passage(number: int) -> Passage:
    return Passage(
        chunk_id=f"c{number}", knowledge_id="k", knowledge_base_id="kb", content=f"passage text {number}",
        score=1.0 / number, start_at=number * 100, end_at=number * 100 + 20, seq=number, knowledge_title="Handbook",
    )


class TestCleanQuery:
    def test_urls_emails_and_punctuation_go(self) -> None:
        assert clean_query("See https://x.io/a?b=1, mail a.b@c.com — now!!") == "See mail now"

    def test_korean_and_chinese_letters_stay(self) -> None:
        assert clean_query("출입증은 어디서 받나요?") == "출입증은 어디서 받나요"
        assert clean_query("工卡在哪里领取？") == "工卡在哪里领取"


class TestLanguage:
    @pytest.mark.parametrize(
        ("text", "language"),
        [("출입증은 어디서 받나요?", "ko"), ("工卡在哪里领取", "zh"), ("社員証はどこ？", "ja"), ("Where is it?", "en"), ("123", "en")],
    )
    def test_detect(self, text: str, language: str) -> None:
        assert detect_language(text) == language


class TestIntoChatMessage:
    async def test_prompt_numbers_passages_and_names_the_language(self) -> None:
        ctx = ChatContext(tenant_id="t", query="출입증은 어디서 받나요?", knowledge_base_ids=["kb"])
        ctx.passages = [_passage(1), _passage(2)]
        ctx.history = [HistoryTurn("old q", "<think>x</think>old a"), HistoryTurn("q2", "a2"), HistoryTurn("q3", "a3")]
        await IntoChatMessage(history_turns=2, max_passage_chars=10).run(ctx)
        system, *turns, user = ctx.messages
        assert "Korean" in system[1] and NO_MATCH in system[1] and "[n]" in system[1]
        assert "ONLY from the numbered passages" in system[1] and "exactly as the passage writes" in system[1]
        assert turns == [("user", "q2"), ("assistant", "a2"), ("user", "q3"), ("assistant", "a3")]
        assert "[1] (Handbook)\npassage te" in user[1] and "[2] (Handbook)" in user[1]
        assert user[1].endswith("Question: 출입증은 어디서 받나요?")

    async def test_top_k_keeps_the_order(self) -> None:
        ctx = ChatContext(tenant_id="t", query="q", knowledge_base_ids=[], settings=RetrievalSettings(rerank_top_k=2))
        ctx.merged = [_passage(1), _passage(2), _passage(3)]
        await FilterTopK().run(ctx)
        assert [p.chunk_id for p in ctx.passages] == ["c1", "c2"]


class TestRewrite:
    def test_clean_rewrite(self) -> None:
        assert clean_rewrite("<think>hm</think>\n\"Where is the badge office?\"\nextra", "where is it") == (
            "Where is the badge office?"
        )
        assert clean_rewrite("   ", "q") is None
        assert clean_rewrite("x" * 500, "short") is None

    async def test_skips_keep_the_original(self) -> None:
        class Unused:
            def chat_stream(self, **_: object) -> None:
                raise AssertionError("must not be called")

        stage = RewriteQuery(Unused(), max_tokens=32)  # type: ignore[arg-type]  # Unused is a deliberately partial chat client that fails if called
        ctx = ChatContext(tenant_id="t", query="and that one?", knowledge_base_ids=[])
        assert await stage.run(ctx) == "no earlier turns"
        ctx.history = [HistoryTurn("q", "a")]
        assert await stage.run(ctx) == "no chat model configured"
        ctx.settings = RetrievalSettings(enable_rewrite=False, chat_model_id="m")
        assert await stage.run(ctx) == "rewrite is off for this session"
        assert ctx.rewritten_query == "and that one?"
