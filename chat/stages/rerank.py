"""chunk_rerank: rescore the search results with the session's rerank model, keep those above the threshold.

When none passes, the result is empty (and the timing says so): a threshold is never silently undone.
"""

from __future__ import annotations

from dataclasses import replace

from ..clients import ModelClient
from ..context import ChatContext

__all__ = ["ChunkRerank"]


class ChunkRerank:
    name = "chunk_rerank"

    def __init__(self, model: ModelClient) -> None:
        self._model = model

    async def run(self, ctx: ChatContext) -> str | None:
        ctx.rerank_results = None
        if not ctx.settings.rerank_model_id:
            return "no rerank model configured"
        if not ctx.search_results:
            return "nothing to rerank"
        texts = [passage.content for passage in ctx.search_results]
        # Like WeKnora: if nothing passes with the rewritten question, try the keywords, then the raw query.
        for query in dict.fromkeys(q for q in (ctx.search_query, ctx.keywords, ctx.query) if q):
            ctx.rerank_calls += 1
            scores = await self._model.rerank(
                tenant_id=ctx.tenant_id, model_id=ctx.settings.rerank_model_id, query=query, passages=texts
            )
            kept = [
                replace(passage, score=float(score))
                for passage, score in zip(ctx.search_results, scores, strict=True)
                if score > ctx.settings.rerank_threshold
            ]
            if kept:
                ctx.rerank_results = sorted(kept, key=lambda passage: (-passage.score, passage.chunk_id))
                return None
        ctx.rerank_results = []
        return f"no passage scored above the rerank threshold {ctx.settings.rerank_threshold:g}"
