"""preprocess_query: the keyword sequence of the (rewritten) question, from the retriever's analyzers."""

from __future__ import annotations

import re

from jisik.errors import JisikError

from ..clients import RetrieverClient
from ..context import ChatContext

__all__ = ["PreprocessQuery", "clean_query"]

_URL = re.compile(r"https?://\S+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_SPACES = re.compile(r"\s+")


def clean_query(text: str) -> str:
    """Drop URLs and e-mail addresses, turn punctuation into spaces, collapse whitespace."""
    text = _EMAIL.sub(" ", _URL.sub(" ", text))
    text = "".join(ch if ch.isalnum() or ch.isspace() else " " for ch in text)
    return _SPACES.sub(" ", text).strip()


class PreprocessQuery:
    name = "preprocess_query"

    def __init__(self, retriever: RetrieverClient) -> None:
        self._retriever = retriever

    async def run(self, ctx: ChatContext) -> str | None:
        cleaned = clean_query(ctx.search_query)
        if not cleaned:
            ctx.keywords = ""
            return "no words in the question"
        try:
            tokens = await self._retriever.analyze(cleaned)
        except JisikError as exc:
            ctx.keywords = cleaned
            return f"analyzer unavailable ({exc.code}); cleaned text used"
        ctx.keywords = " ".join(tokens) if tokens else cleaned
        return None
