"""Ranking metrics over queries with one relevant item each: R@k, MRR@10, nDCG@10."""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["ranking_metrics"]


def _rank(ranking: Sequence[str], relevant: str) -> int | None:
    """1-based rank of ``relevant`` in ``ranking``, None when absent."""
    for position, item in enumerate(ranking, start=1):
        if item == relevant:
            return position
    return None


def ranking_metrics(rankings: Sequence[Sequence[str]], relevant: Sequence[str]) -> dict[str, float]:
    """Mean R@1, R@5, R@10, MRR@10 and nDCG@10 of ``rankings`` (one per query) against each query's
    relevant item; an empty input gives zeros."""
    names = ("r@1", "r@5", "r@10", "mrr@10", "ndcg@10")
    if not rankings:
        return dict.fromkeys(names, 0.0)
    totals = dict.fromkeys(names, 0.0)
    for ranking, target in zip(rankings, relevant, strict=True):
        rank = _rank(ranking, target)
        if rank is None:
            continue
        totals["r@1"] += rank <= 1
        totals["r@5"] += rank <= 5
        if rank <= 10:
            totals["r@10"] += 1
            totals["mrr@10"] += 1 / rank
            totals["ndcg@10"] += 1 / math.log2(rank + 1)
    return {name: round(value / len(rankings), 4) for name, value in totals.items()}
