"""Fit a tuned bundle on training questions over a corpus: the adapter on every question, the reranker
on candidate lists scored with adapters that did not see those questions (two-fold cross-fitting, so
the adapter feature is as good in training as it will be on new questions).

The same two folds choose the adapter's strength: ``I + a (W - I)`` with ``a`` in ``STRENGTHS`` picked
by the vector MRR@10 on the questions each fold's adapter did not see; 0 keeps the base embedder's
question vectors when the adapter does not generalise."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .adapter import AdapterConfig, adapt, train_adapter
from .bundle import TunedBundle
from .corpus import RERANK_DEPTH, Corpus
from .reranker import FeatureReranker, train_reranker

__all__ = ["STRENGTHS", "fit_bundle"]

STRENGTHS = (0.0, 0.25, 0.5, 1.0)


def _blend(adapter: np.ndarray, strength: float) -> np.ndarray:
    identity = np.eye(adapter.shape[0], dtype=np.float32)
    return (identity + strength * (adapter - identity)).astype(np.float32)


def _vector_mrr(corpus: Corpus, adapter: np.ndarray, vectors: np.ndarray, targets: np.ndarray) -> float:
    scores = adapt(adapter, vectors) @ corpus.vectors.T
    target_scores = scores[np.arange(len(targets)), targets]
    ranks = (scores > target_scores[:, None]).sum(axis=1) + 1
    return float(np.where(ranks <= 10, 1.0 / ranks, 0.0).mean())


def _reranker_rows(
    corpus: Corpus, queries: Sequence[str], vectors: np.ndarray, targets: Sequence[int], adapter: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    placeholder = FeatureReranker(np.zeros(1), np.ones(1), np.zeros(1), 0.0)
    bundle = TunedBundle(adapter, placeholder)
    rows, labels = [], []
    for query, vector, target in zip(queries, vectors, targets, strict=True):
        ranking = corpus.hybrid_ranking(query, bundle.adapt(vector), RERANK_DEPTH)
        if target not in ranking:
            ranking[-1] = target
        rows.append(corpus.features(query, vector, bundle, ranking))
        labels.append(np.asarray([i == target for i in ranking], dtype=np.int64))
    return np.concatenate(rows), np.concatenate(labels)


def fit_bundle(
    corpus: Corpus,
    queries: Sequence[str],
    vectors: np.ndarray,
    targets: Sequence[int],
    config: AdapterConfig | None = None,
    progress: Callable[[float], None] | None = None,
) -> TunedBundle:
    """:raises ValueError: fewer than 4 training questions."""
    if len(queries) < 4:
        raise ValueError(f"{len(queries)} training questions; at least 4 are needed")
    config = config or AdapterConfig()
    report = progress or (lambda share: None)
    target_array = np.asarray(targets)
    adapter = train_adapter(vectors, target_array, corpus.vectors, config, lambda s: report(0.4 * s))
    half = np.arange(len(queries)) % 2 == 0
    folds = []
    for fit_on, score_on in ((half, ~half), (~half, half)):
        folds.append((train_adapter(vectors[fit_on], target_array[fit_on], corpus.vectors, config),
                      np.flatnonzero(score_on)))
    report(0.6)
    strength = max(STRENGTHS, key=lambda a: sum(
        _vector_mrr(corpus, _blend(fold, a), vectors[chosen], target_array[chosen]) for fold, chosen in folds
    ))
    rows, labels = [], []
    for step, (fold, chosen) in enumerate(folds):
        fold_rows, fold_labels = _reranker_rows(
            corpus, [queries[int(i)] for i in chosen], vectors[chosen], target_array[chosen].tolist(), _blend(fold, strength)
        )
        rows.append(fold_rows)
        labels.append(fold_labels)
        report(0.6 + 0.2 * (step + 1))
    reranker = train_reranker(np.concatenate(rows), np.concatenate(labels))
    report(1.0)
    return TunedBundle(_blend(adapter, strength), reranker, strength)
