"""chunk_rerank: rescore the search results with the session's rerank model, keep those above the threshold.

When none passes, the result is empty (and the timing says so): a threshold is never silently undone.
A session without a rerank model of its own is reranked by the tenant's tuned model when one serves it
(``ml.training``): its feature reranker, or its fine-tuned cross-encoder (scored in a worker thread). The
candidates are put in the tuned model's order of relevance, none is dropped.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

import numpy as np

from jisik.passages import passage_text
from ml.training.features import Candidate, candidate_features

from ..clients import ModelClient, TunedModelSource
from ..context import ChatContext

__all__ = ["ChunkRerank"]


class ChunkRerank:
    name = "chunk_rerank"

    def __init__(self, model: ModelClient, tuned: TunedModelSource | None = None) -> None:
        self._model = model
        self._tuned = tuned

    async def run(self, ctx: ChatContext) -> str | None:
        ctx.rerank_results = None
        if not ctx.search_results:
            return "nothing to rerank"
        if not ctx.settings.rerank_model_id:
            if ctx.tuned is not None and ctx.tuned.cross_encoder is not None:
                await self._cross_encoder_rerank(ctx)
                return None
            if ctx.tuned is None or ctx.tuned.bundle is None or self._tuned is None or ctx.base_query_vector is None:
                return "no rerank model configured"
            await self._tuned_rerank(ctx)
            return None
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

    async def _cross_encoder_rerank(self, ctx: ChatContext) -> None:
        assert ctx.tuned is not None and ctx.tuned.cross_encoder is not None
        passages = [passage_text(passage.knowledge_title, passage.content) for passage in ctx.search_results]
        scores = await asyncio.to_thread(ctx.tuned.cross_encoder.scores, ctx.search_query or ctx.query, passages)
        self._reorder(ctx, scores)

    async def _tuned_rerank(self, ctx: ChatContext) -> None:
        assert ctx.tuned is not None and ctx.tuned.bundle is not None
        assert self._tuned is not None and ctx.base_query_vector is not None
        stored = await self._tuned.vectors(ctx.tenant_id, [passage.chunk_id for passage in ctx.search_results])
        base = np.asarray(ctx.base_query_vector, dtype=np.float32)
        missing = np.zeros_like(base)
        candidates = [
            Candidate(passage.content, passage.knowledge_title, stored.get(passage.chunk_id, missing), rank)
            for rank, passage in enumerate(ctx.search_results)
        ]
        bundle = ctx.tuned.bundle
        # off the event loop: the features analyse the passages' sentences (Kiwi) the first time they are seen
        scores = await asyncio.to_thread(
            lambda: bundle.reranker.score(candidate_features(ctx.query, base, bundle.adapt(base), candidates))
        )
        self._reorder(ctx, scores)

    @staticmethod
    def _reorder(ctx: ChatContext, scores: np.ndarray) -> None:
        rescored = [replace(passage, score=float(score)) for passage, score in zip(ctx.search_results, scores, strict=True)]
        ctx.rerank_results = sorted(rescored, key=lambda passage: (-passage.score, passage.chunk_id))
