"""filter_top_k: keep the best ``rerank_top_k`` passages; their order is the citation order."""

from __future__ import annotations

from ..context import ChatContext

__all__ = ["FilterTopK"]


class FilterTopK:
    name = "filter_top_k"

    async def run(self, ctx: ChatContext) -> str | None:
        ctx.passages = list(ctx.merged[: max(ctx.settings.rerank_top_k, 1)])
        return None if ctx.merged else "no passages"
