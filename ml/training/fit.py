"""Fit a tuned bundle on training questions over a corpus: the adapter on every question, the reranker
on candidate lists scored with adapters that did not see those questions (two-fold cross-fitting, so
the adapter feature is as good in training as it will be on new questions)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .adapter import AdapterConfig, train_adapter
from .bundle import TunedBundle
from .corpus import RERANK_DEPTH, Corpus
from .reranker import FeatureReranker, train_reranker

__all__ = ["fit_bundle"]


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
    config: AdapterConfig = AdapterConfig(),
    progress: Callable[[float], None] | None = None,
) -> TunedBundle:
    """:raises ValueError: fewer than 4 training questions."""
    if len(queries) < 4:
        raise ValueError(f"{len(queries)} training questions; at least 4 are needed")
    report = progress or (lambda share: None)
    target_array = np.asarray(targets)
    adapter = train_adapter(vectors, target_array, corpus.vectors, config, lambda s: report(0.4 * s))
    half = np.arange(len(queries)) % 2 == 0
    rows, labels = [], []
    for step, (fit_on, score_on) in enumerate(((half, ~half), (~half, half))):
        fold_adapter = train_adapter(vectors[fit_on], target_array[fit_on], corpus.vectors, config)
        chosen = np.flatnonzero(score_on)
        fold_rows, fold_labels = _reranker_rows(
            corpus, [queries[i] for i in chosen], vectors[chosen], target_array[chosen].tolist(), fold_adapter
        )
        rows.append(fold_rows)
        labels.append(fold_labels)
        report(0.4 + 0.25 * (step + 1))
    reranker = train_reranker(np.concatenate(rows), np.concatenate(labels))
    report(1.0)
    return TunedBundle(adapter, reranker)
