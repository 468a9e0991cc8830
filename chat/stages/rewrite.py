"""rewrite_query: resolve references ("it", "that one") against the last turns of the session."""

from __future__ import annotations

import logging
import re

from jisik.errors import JisikError

from ..clients import ModelClient
from ..context import ChatContext, HistoryTurn

__all__ = ["REWRITE_SYSTEM", "RewriteQuery", "strip_thinking"]

logger = logging.getLogger(__name__)

REWRITE_SYSTEM = (
    "You rewrite the user's latest question so it can be understood without the conversation. "
    "Replace pronouns and omitted subjects with what they refer to in the conversation. "
    "Keep the question's language and meaning; do not answer it. "
    "Output only the rewritten question on one line."
)
_THINK = re.compile(r"<think>.*?</think>", re.DOTALL)


def strip_thinking(text: str) -> str:
    return _THINK.sub("", text).strip()


def _conversation(turns: list[HistoryTurn]) -> str:
    return "\n".join(f"User: {turn.question}\nAssistant: {strip_thinking(turn.answer)}" for turn in turns)


def clean_rewrite(output: str, original: str) -> str | None:
    """The usable rewrite in a model's output, or None when it looks wrong (empty, rambling)."""
    lines = [line.strip() for line in strip_thinking(output).splitlines() if line.strip()]
    if not lines:
        return None
    candidate = lines[0].strip("\"'“”「」 ")
    if not candidate or len(candidate) > 3 * len(original) + 80:
        return None
    return candidate


class RewriteQuery:
    name = "rewrite_query"

    def __init__(self, model: ModelClient, *, max_tokens: int) -> None:
        self._model = model
        self._max_tokens = max_tokens

    async def run(self, ctx: ChatContext) -> str | None:
        ctx.rewritten_query = ctx.query
        if not ctx.settings.enable_rewrite:
            return "rewrite is off for this session"
        turns = ctx.history[-ctx.settings.max_rounds :] if ctx.settings.max_rounds else []
        if not turns:
            return "no earlier turns"
        if not ctx.settings.chat_model_id:
            return "no chat model configured"
        prompt = f"Conversation:\n{_conversation(turns)}\n\nLatest question: {ctx.query}"
        try:
            parts = []
            async for delta in self._model.chat_stream(
                tenant_id=ctx.tenant_id,
                model_id=ctx.settings.chat_model_id,
                messages=[("system", REWRITE_SYSTEM), ("user", prompt)],
                passages=[],
                question=ctx.query,
                temperature=0.3,
                max_tokens=self._max_tokens,
            ):
                parts.append(delta.text)
                ctx.count_tokens(delta)
        except JisikError as exc:
            logger.warning("query rewrite failed, keeping the original: %s", exc.code)
            return f"rewrite failed ({exc.code}); original kept"
        rewritten = clean_rewrite("".join(parts), ctx.query)
        if rewritten is None:
            return "rewrite output unusable; original kept"
        ctx.rewritten_query = rewritten
        return None
