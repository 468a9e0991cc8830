"""Sentence evidence for the keyword channel: how well a candidate's best sentence matches the query.

A question usually restates one sentence of the passage that answers it. BM25 over a whole chunk cannot
tell a chunk where the query's terms meet in one sentence from one where they are scattered across it;
the best sentence's score can. Each sentence is scored as an Okapi BM25 document with the query's
chunk-level term weights (so both scores share one scale), its length normalised by the tenant's mean
sentence length. The keyword channel ranks its BM25 candidates by ``(1 - w) * bm25 + w * sentence``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence

import asyncpg

from .bm25 import BM25Params, term_score
from .types import ChannelHit

__all__ = ["best_sentence_score", "blend", "sentence_scores"]


def best_sentence_score(
    weights: Mapping[str, float], sentences: Sequence[Sequence[str]], avg_len: float, params: BM25Params
) -> float:
    """The highest BM25 score of one sentence for query term ``weights`` (0 when none matches)."""
    best = 0.0
    for sentence in sentences:
        counts = Counter(token for token in sentence if token in weights)
        if counts:
            score = sum(weights[term] * term_score(tf, len(sentence), avg_len, params) for term, tf in counts.items())
            best = max(best, score)
    return best


async def sentence_scores(
    connection: asyncpg.Connection,
    tenant_id: str,
    refs: Sequence[int],
    weights: Mapping[str, float],
    avg_len: float,
    params: BM25Params,
) -> dict[int, float]:
    """Best-sentence scores of the chunks ``refs``, from the tokens stored at indexing time."""
    rows = await connection.fetch(
        "SELECT id, sentence_tokens FROM retriever_chunks WHERE tenant_id = $1 AND id = ANY($2::bigint[])",
        tenant_id, list(refs),
    )
    return {
        row["id"]: best_sentence_score(weights, json.loads(row["sentence_tokens"]), avg_len, params) for row in rows
    }


def blend(hits: Sequence[ChannelHit], scores: Mapping[int, float], weight: float, limit: int) -> list[ChannelHit]:
    """Re-rank BM25 ``hits`` by ``(1 - weight) * bm25 + weight * sentence``; ties by chunk id; the best ``limit``."""
    blended = [((1 - weight) * hit.score + weight * scores.get(hit.ref, 0.0), hit) for hit in hits]
    blended.sort(key=lambda pair: (-pair[0], pair[1].chunk_id))
    return [
        ChannelHit(hit.ref, hit.chunk_id, score, rank, bm25_score=hit.score, sentence_score=scores.get(hit.ref, 0.0))
        for rank, (score, hit) in enumerate(blended[:limit], 1)
    ]
