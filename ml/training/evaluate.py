"""Held-out evaluation of a tuned bundle (or the base models, ``bundle=None``) on a corpus: vector,
hybrid and reranked R@1/R@5/R@10, MRR@10 and nDCG@10."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .bundle import TunedBundle
from .corpus import Corpus
from .metrics import ranking_metrics

__all__ = ["evaluate"]


def evaluate(
    corpus: Corpus, queries: Sequence[str], query_vectors: np.ndarray, targets: Sequence[int],
    bundle: TunedBundle | None,
) -> dict[str, dict[str, float]]:
    """Metrics per ranking (``vector``, ``hybrid`` and, with a bundle, ``reranked``); the base models'
    reranked ranking is their hybrid one (no reranker)."""
    relevant = [corpus.ids[t] for t in targets]
    runs: dict[str, list[list[str]]] = {"vector": [], "hybrid": [], "reranked": []}
    for query, vector in zip(queries, query_vectors, strict=True):
        adapted = bundle.adapt(vector) if bundle else vector
        hybrid = corpus.hybrid_ranking(query, adapted, 10)
        runs["vector"].append([corpus.ids[i] for i in corpus.vector_ranking(adapted, 10)])
        runs["hybrid"].append([corpus.ids[i] for i in hybrid])
        reranked = corpus.reranked_ranking(query, vector, bundle, 10) if bundle else hybrid
        runs["reranked"].append([corpus.ids[i] for i in reranked])
    return {name: ranking_metrics(rankings, relevant) for name, rankings in runs.items()}
