"""The built-in ``extractive`` chat backend: answers only from the supplied passages.

Deterministic: the same question and passages always give the same answer. The evidence is found at
sentence and table-cell level and the answer is written by :func:`ml.answering.compose.compose`: the
answer first, in the question's language, then the supporting quotes with ``[n]`` (``n`` is the
passage's 1-based position).

When no passage supports an answer, the whole answer is one of :data:`NO_ANSWER` (in the question's
language), sent in the final chunk whose ``finish_reason`` is :data:`NO_ANSWER_FINISH_REASON`; the chat
pipeline goes by the finish reason, never by the text.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from ml.answering import terms
from ml.answering.compose import compose
from ml.answering.language import NO_ANSWER_TEXTS

from ..types import ChatEvent, ChatInput, Usage
from ..usage import estimate_tokens

__all__ = ["NAME", "NO_ANSWER", "NO_ANSWER_FINISH_REASON", "ExtractiveChat", "warm_up"]

NAME = "extractive"
NO_ANSWER_FINISH_REASON = "no_answer"
#: Every "the documents do not contain the answer" text; an answer equal to one of them means no answer.
NO_ANSWER: frozenset[str] = frozenset(NO_ANSWER_TEXTS.values())


def warm_up() -> None:
    """Load the Korean and Chinese analysers now rather than on the first question."""
    terms.warm_up()


class ExtractiveChat:
    """A :class:`ChatModel` that quotes the supplied passages; no model weights involved."""

    def __init__(self, *, max_quotes: int = 3) -> None:
        self.name = NAME
        self._max_quotes = max_quotes

    async def stream(self, request: ChatInput) -> AsyncIterator[ChatEvent]:
        question = request.question or next(
            (m.content for m in reversed(request.messages) if m.role == "user"), ""
        )
        answer = compose(question, list(request.passages), max_quotes=self._max_quotes)
        prompt = estimate_tokens(question) + sum(estimate_tokens(p) for p in request.passages)
        usage = Usage(prompt, sum(estimate_tokens(p) for p in answer.pieces))
        if not answer.answered:  # the no-answer text travels with its finish reason, so a reader can drop it
            yield ChatEvent(delta="".join(answer.pieces), usage=usage, finish_reason=NO_ANSWER_FINISH_REASON)
            return
        for piece in answer.pieces:
            yield ChatEvent(delta=piece)
        yield ChatEvent(usage=usage, finish_reason="stop")
