"""Combine the vector and keyword rankings into one.

- RRF: ``score = sum over channels of weight / (k + rank)``; only ranks matter, so uncalibrated scores mix
  safely. With the weights at 1 it is the classic RRF.
- Weighted: each channel's scores are min-max normalised to [0, 1] over its candidates (a lone candidate
  gets 1), then ``w_vector * v + w_keyword * k``; a channel that missed a chunk contributes 0.

Ties always break by chunk id, so the same index and query give the same order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .types import ChannelHit, Hit, MatchType

__all__ = ["rrf", "single_channel", "weighted"]


def _merge(
    vector: Sequence[ChannelHit], keyword: Sequence[ChannelHit], fused: Callable[[ChannelHit | None, ChannelHit | None], float]
) -> list[Hit]:
    by_vector = {hit.chunk_id: hit for hit in vector}
    by_keyword = {hit.chunk_id: hit for hit in keyword}
    hits = []
    for chunk_id in by_vector.keys() | by_keyword.keys():
        v, k = by_vector.get(chunk_id), by_keyword.get(chunk_id)
        match = MatchType.HYBRID if v and k else (MatchType.EMBEDDING if v else MatchType.KEYWORDS)
        hits.append(Hit(
            chunk_id=chunk_id,
            score=fused(v, k),
            match_type=match,
            vector_score=v.score if v else 0.0,
            vector_rank=v.rank if v else 0,
            keyword_score=k.score if k else 0.0,
            keyword_rank=k.rank if k else 0,
            bm25_score=k.bm25_score if k else 0.0,
            sentence_score=k.sentence_score if k else 0.0,
            ref=(v or k).ref,  # type: ignore[union-attr]  # every fused id has a vector or a keyword hit
        ))
    hits.sort(key=lambda hit: (-hit.score, hit.chunk_id))
    return hits


def rrf(
    vector: Sequence[ChannelHit],
    keyword: Sequence[ChannelHit],
    *,
    k: int,
    vector_weight: float = 1.0,
    keyword_weight: float = 1.0,
) -> list[Hit]:
    """Reciprocal rank fusion with constant ``k`` (60 in the original paper and by default), per-channel weights."""

    def fused(v: ChannelHit | None, kw: ChannelHit | None) -> float:
        return (vector_weight / (k + v.rank) if v else 0.0) + (keyword_weight / (k + kw.rank) if kw else 0.0)

    return _merge(vector, keyword, fused)


def _normaliser(hits: Sequence[ChannelHit]) -> Callable[[float], float]:
    if not hits:
        return lambda score: 0.0
    low = min(hit.score for hit in hits)
    high = max(hit.score for hit in hits)
    if high == low:
        return lambda score: 1.0
    return lambda score: (score - low) / (high - low)


def weighted(
    vector: Sequence[ChannelHit], keyword: Sequence[ChannelHit], *, vector_weight: float, keyword_weight: float
) -> list[Hit]:
    """Weighted sum of min-max normalised channel scores."""
    norm_v, norm_k = _normaliser(vector), _normaliser(keyword)

    def fused(v: ChannelHit | None, kw: ChannelHit | None) -> float:
        return (vector_weight * norm_v(v.score) if v else 0.0) + (keyword_weight * norm_k(kw.score) if kw else 0.0)

    return _merge(vector, keyword, fused)


def single_channel(hits: Sequence[ChannelHit], match: MatchType) -> list[Hit]:
    """One channel's ranking as hits; the fused score is the channel's own score."""
    vector = match is MatchType.EMBEDDING
    return [
        Hit(
            chunk_id=hit.chunk_id,
            score=hit.score,
            match_type=match,
            vector_score=hit.score if vector else 0.0,
            vector_rank=hit.rank if vector else 0,
            keyword_score=0.0 if vector else hit.score,
            keyword_rank=0 if vector else hit.rank,
            bm25_score=hit.bm25_score,
            sentence_score=hit.sentence_score,
            ref=hit.ref,
        )
        for hit in hits
    ]
