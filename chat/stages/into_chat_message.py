"""into_chat_message: the prompt. Answer only from the numbered passages, cite them as [n],
say so when they do not hold the answer, answer in the question's language."""

from __future__ import annotations

from ml.answering.language import LANGUAGE_NAMES, detect_language

from ..context import ChatContext, Passage
from .rewrite import strip_thinking

__all__ = ["NO_MATCH", "IntoChatMessage", "render_passages", "system_prompt"]

NO_MATCH = "NO_MATCH"


def system_prompt(language: str) -> str:
    """The rules of a grounded answer: only the documents, say so when they lack it, cite [n]."""
    return (
        "You are a careful assistant that answers questions from a company's documents.\n"
        "Rules:\n"
        "1. Answer ONLY from the numbered passages in the user's message; never use your own knowledge.\n"
        f"2. If the passages do not contain the answer, reply with exactly {NO_MATCH} and nothing else.\n"
        "3. Start with the answer itself in one short sentence, then add supporting details if they help.\n"
        "4. End every sentence that uses a passage with its number as [n] (e.g. [1] or [2][3]). "
        "Cite only passage numbers that exist and that you used.\n"
        "5. Copy numbers, dates, names and units exactly as the passage writes them.\n"
        f"6. Write the answer in {LANGUAGE_NAMES.get(language, 'the language of the question')}.\n"
        "7. Be concise; use Markdown lists or tables when they help."
    )


def _title(passage: Passage) -> str:
    return passage.knowledge_title or passage.knowledge_filename or passage.knowledge_id


def render_passages(passages: list[Passage], *, max_chars: int) -> str:
    return "\n\n".join(
        f"[{number}] ({_title(passage)})\n{passage.content[:max_chars]}"
        for number, passage in enumerate(passages, start=1)
    )


class IntoChatMessage:
    name = "into_chat_message"

    def __init__(self, *, history_turns: int, max_passage_chars: int) -> None:
        self._history_turns = history_turns
        self._max_chars = max_passage_chars

    async def run(self, ctx: ChatContext) -> str | None:
        ctx.language = detect_language(ctx.query)
        if not ctx.passages:
            ctx.messages = []
            return "no passages"
        messages: list[tuple[str, str]] = [("system", system_prompt(ctx.language))]
        recent = ctx.history[-self._history_turns :] if self._history_turns else []
        for turn in recent:
            messages += [("user", turn.question), ("assistant", strip_thinking(turn.answer))]
        user = (
            f"Passages:\n{render_passages(ctx.passages, max_chars=self._max_chars)}\n\n"
            f"Question: {ctx.query}"
        )
        messages.append(("user", user))
        ctx.messages = messages
        return None
