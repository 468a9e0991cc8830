"""The built-in ``extractive`` chat backend: answers only from the supplied passages.

Deterministic: the same question and passages always give the same answer. It splits the
passages into sentences (Korean, Chinese and English punctuation), scores each sentence by
the IDF-weighted overlap of its tokens with the question's, and writes the best ones, each
followed by its ``[n]`` citation (``n`` is the passage's 1-based position), after a short
lead-in in the question's language.

When no sentence is relevant, the whole answer is one of :data:`NO_ANSWER` (in the
question's language), sent in the final chunk whose ``finish_reason`` is
:data:`NO_ANSWER_FINISH_REASON`; the chat pipeline goes by the finish reason, never by the text.
"""

from __future__ import annotations

import math
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from ..types import ChatEvent, ChatInput, Usage
from ..usage import estimate_tokens

__all__ = [
    "NAME",
    "NO_ANSWER",
    "NO_ANSWER_FINISH_REASON",
    "NO_ANSWER_TEXTS",
    "ExtractiveChat",
    "compose_answer",
    "question_language",
    "split_sentences",
    "warm_up",
]

NAME = "extractive"
NO_ANSWER_FINISH_REASON = "no_answer"
NO_ANSWER_TEXTS: dict[str, str] = {
    "ko": "제공된 문서에는 이 질문에 대한 답이 없습니다.",
    "zh": "提供的文档中没有这个问题的答案。",
    "ja": "提供された文書にはこの質問の答えがありません。",
    "en": "The provided documents do not contain the answer to this question.",
}
#: Every "the documents do not contain the answer" text; an answer equal to one of them means no answer.
NO_ANSWER: frozenset[str] = frozenset(NO_ANSWER_TEXTS.values())
LEAD_IN: dict[str, str] = {
    "ko": "문서에 따르면 다음과 같습니다.",
    "zh": "根据文档：",
    "ja": "文書によると次のとおりです。",
    "en": "According to the documents:",
}

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])|\n+")
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_MAX_SENTENCE_CHARS = 500
_STOPWORDS = frozenset(
    "a an the of in on at to for from by with and or is are was were be been what which who whom whose when "
    "where why how does do did can could should would will about into than that this these those it its as "
    "tell me please there their they he she his her i you we our your many much".split()
    + [
        "무엇",
        "언제",
        "어디",
        "누구",
        "어떻",
        "어떤",
        "왜",
        "얼마",
        "몇",
        "무슨",
        "이",
        "그",
        "저",
        "하",
        "있",
        "되",
        "것",
    ]
    + [
        "什么",
        "哪",
        "哪里",
        "哪个",
        "谁",
        "怎么",
        "怎样",
        "为什么",
        "多少",
        "几",
        "吗",
        "呢",
        "是",
        "的",
        "了",
        "在",
        "有",
    ]
)


def question_language(text: str) -> str:
    """``ko`` (any Hangul), ``ja`` (any kana), ``zh`` (any Han), else ``en``."""
    if re.search(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]", text):
        return "ko"
    if re.search(r"[\u3040-\u30ff]", text):
        return "ja"
    if re.search(r"[\u4e00-\u9fff\u3400-\u4dbf]", text):
        return "zh"
    return "en"


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def _fallback_tokens(text: str) -> list[str]:
    """Words for alphabetic scripts; Hangul words minus a trailing particle; Han character bigrams."""
    tokens: list[str] = []
    for word in _TOKEN.findall(text.casefold()):
        if re.search(r"[\u4e00-\u9fff]", word):
            tokens.extend(word[i : i + 2] for i in range(max(1, len(word) - 1)))
        elif re.search(r"[\uac00-\ud7a3]", word) and len(word) > 2:
            tokens.append(word[:-1])
            tokens.append(word)
        else:
            tokens.append(word[:-1] if len(word) > 4 and word.endswith("s") else word)
    return tokens


def default_analyzer() -> Callable[[str], list[str]]:
    """The retriever's analyzer (kiwipiepy / jieba) when installed, else a small built-in one."""
    try:
        from retriever.analysis import analyze
    except ImportError:
        return _fallback_tokens

    def tokens(text: str) -> list[str]:
        return [t.casefold() for t in analyze(text)]

    return tokens


def warm_up() -> None:
    """Load the Korean and Chinese analyzers now rather than on the first question."""
    default_analyzer()("서울 北京 Seoul")


@dataclass(frozen=True)
class _Sentence:
    passage: int  # 1-based citation number
    position: int
    text: str
    tokens: frozenset[str]


def compose_answer(
    question: str, passages: list[str], analyzer: Callable[[str], list[str]], *, max_sentences: int = 3
) -> tuple[str, list[str], bool]:
    """Return (language, answer pieces, answered). Pieces concatenate to the full answer."""
    language = question_language(question)
    wanted = {t for t in analyzer(question) if t not in _STOPWORDS}
    sentences = [
        _Sentence(
            n,
            pos,
            text if len(text) <= _MAX_SENTENCE_CHARS else text[:_MAX_SENTENCE_CHARS] + "…",
            frozenset(analyzer(text)),
        )
        for n, passage in enumerate(passages, start=1)
        for pos, text in enumerate(split_sentences(passage))
    ]
    if not wanted or not sentences:
        return language, [NO_ANSWER_TEXTS[language]], False
    frequency = {t: sum(1 for s in sentences if t in s.tokens) for t in wanted}
    idf = {t: math.log(1 + len(sentences) / (1 + df)) for t, df in frequency.items()}
    needed = max(1, math.ceil(0.3 * len(wanted)))
    scored = []
    for s in sentences:
        matched = wanted & s.tokens
        if len(matched) >= needed:
            scored.append((-sum(idf[t] for t in matched), s.passage, s.position, s))
    if not scored:
        return language, [NO_ANSWER_TEXTS[language]], False
    best = [item[3] for item in sorted(scored, key=lambda item: item[:3])[:max_sentences]]
    pieces = [LEAD_IN[language]]
    pieces.extend(f"\n{s.text} [{s.passage}]" for s in best)
    return language, pieces, True


class ExtractiveChat:
    """A :class:`ChatModel` that quotes the supplied passages; no model weights involved."""

    def __init__(self, analyzer: Callable[[str], list[str]] | None = None, *, max_sentences: int = 3) -> None:
        self.name = NAME
        self._analyzer = analyzer or default_analyzer()
        self._max_sentences = max_sentences

    async def stream(self, request: ChatInput) -> AsyncIterator[ChatEvent]:
        question = request.question or next(
            (m.content for m in reversed(request.messages) if m.role == "user"), ""
        )
        _, pieces, answered = compose_answer(
            question, list(request.passages), self._analyzer, max_sentences=self._max_sentences
        )
        prompt = estimate_tokens(question) + sum(estimate_tokens(p) for p in request.passages)
        usage = Usage(prompt, sum(estimate_tokens(p) for p in pieces))
        if not answered:  # the no-answer text travels with its finish reason, so a reader can drop it
            yield ChatEvent(delta="".join(pieces), usage=usage, finish_reason=NO_ANSWER_FINISH_REASON)
            return
        for piece in pieces:
            yield ChatEvent(delta=piece)
        yield ChatEvent(usage=usage, finish_reason="stop")
