"""filter_top_k: keep the best ``rerank_top_k`` passages; their order is the citation order."""

from __future__ import annotations

from ..context import ChatContext

__all__ = ["FilterTopK"]


class FilterTopK:
    name = "filter_top_k"

    async def run(self, ctx: ChatContext) -> str | None:
        source = ctx.merged or ctx.rerank_results or ctx.search_results
        ctx.passages = list(source[: max(ctx.settings.rerank_top_k, 1)])
        return None if source else "no passages"
