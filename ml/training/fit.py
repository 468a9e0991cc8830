"""Fit a tuned bundle on training pairs over a corpus.

The questions are split by document into two folds. On each fold a linear map is trained (early-stopped on
the other fold's questions); the corpus memory holds the synthetic pairs. The map's strength
(``I + a (W - I)``) and the memory's temperature and weight are chosen together by the vector MRR@10 of
each fold's held-out questions under the other fold's map, so the choice measures documents the map never
saw. The served map is the mean of the two folds' maps. The reranker learns from the held-out questions'
candidate lists scored with the adapter that did not see them (cross-fitting, so the adapter feature is as
good in training as it will be on new questions).

Real questions (feedback, uploads) are the ones evaluated and reranked; synthetic pairs train the map and
fill the memory. A tenant with synthetic pairs only has them play both parts, each never finding itself
in the memory.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .adapter import AdapterConfig, CorpusMemory, QueryAdapter, normalise, train_map, vector_mrr
from .bundle import TunedBundle
from .corpus import RERANK_DEPTH, Corpus
from .reranker import train_reranker

__all__ = ["MEMORY_TEMPERATURES", "MEMORY_WEIGHTS", "STRENGTHS", "AdapterFit", "candidate_lists", "fit_adapter", "fit_bundle"]

STRENGTHS = (0.0, 0.5, 1.0)
MEMORY_TEMPERATURES = (0.005, 0.01, 0.02)
MEMORY_WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.4)


def _blend(weights: np.ndarray, strength: float) -> np.ndarray:
    identity = np.eye(weights.shape[0], dtype=np.float32)
    return (identity + strength * (weights - identity)).astype(np.float32)


def _folds(corpus: Corpus, targets: np.ndarray, asked: np.ndarray) -> np.ndarray:
    """0/1 per pair by a hash of its passage's document (its title, else the chunk id); by position when
    the asked questions would all land in one fold."""
    documents = [corpus.titles[t] or corpus.ids[t] for t in targets]
    fold = np.asarray([int(hashlib.sha256(d.encode()).hexdigest()[:8], 16) % 2 for d in documents])
    if len(set(fold[asked].tolist())) < 2:
        fold = np.arange(len(targets)) % 2
    return fold


def _share_of(report: Callable[[float], None], start: float, width: float) -> Callable[[float], None]:
    return lambda share: report(start + width * share)


def _memory(vectors: np.ndarray, targets: np.ndarray, rows: np.ndarray, corpus: Corpus) -> CorpusMemory:
    chunks, index = np.unique(targets[rows], return_inverse=True)
    return CorpusMemory(vectors[rows].astype(np.float32), corpus.vectors[chunks].astype(np.float32),
                        index.astype(np.int32))


@dataclass(frozen=True, slots=True)
class AdapterFit:
    """The served adapter, and for every asked question (``rows``) its vector adapted by the fold's map that
    never saw it (``held_out``), what the reranker learns from."""

    adapter: QueryAdapter
    strength: float
    rows: np.ndarray
    held_out: np.ndarray


def fit_adapter(
    corpus: Corpus,
    vectors: np.ndarray,
    targets: np.ndarray,
    real: np.ndarray,
    config: AdapterConfig | None = None,
    progress: Callable[[float], None] | None = None,
) -> AdapterFit:
    """The map and corpus memory (the first 60% of ``fit_bundle``'s progress)."""
    report = progress or (lambda share: None)
    asked = real if real.any() else np.ones(len(vectors), dtype=bool)
    memory_rows = np.flatnonzero(~real) if real.any() else np.arange(len(vectors))
    memory = _memory(vectors, targets, memory_rows, corpus)
    own_key = np.full(len(vectors), -1)
    own_key[memory_rows] = np.arange(len(memory_rows))
    fold = _folds(corpus, targets, asked)
    maps, held = [], []
    for k in (0, 1):
        chosen = np.flatnonzero(asked & (fold == k))
        trained = np.flatnonzero(fold != k)
        maps.append(train_map(vectors[trained], targets[trained], corpus.vectors,
                              (vectors[chosen], targets[chosen]), config, _share_of(report, 0.25 * k, 0.25)))
        held.append(chosen)
    scores: dict[tuple[float, float, float], float] = {}
    for strength in STRENGTHS:
        for fold_map, chosen in zip(maps, held, strict=True):
            mapped = normalise(vectors[chosen] @ _blend(fold_map, strength).T)
            near = memory.neighbours(mapped, own_key[chosen])
            for temperature, weight in itertools.product(MEMORY_TEMPERATURES, MEMORY_WEIGHTS):
                adapted = memory.pull(mapped, *near, temperature, weight) if weight else mapped
                key = (strength, temperature, weight)
                scores[key] = scores.get(key, 0.0) + vector_mrr(adapted, targets[chosen], corpus.vectors) * len(chosen)
    strength, temperature, weight = max(scores, key=lambda key: (scores[key], -key[2], -key[0]))
    memory = CorpusMemory(memory.keys, memory.values, memory.targets, temperature, weight)
    adapted_rows = []
    for fold_map, chosen in zip(maps, held, strict=True):
        mapped = normalise(vectors[chosen] @ _blend(fold_map, strength).T)
        adapted_rows.append(memory.pull(mapped, *memory.neighbours(mapped, own_key[chosen]), temperature, weight)
                            if weight else mapped)
    report(0.6)
    served = QueryAdapter(_blend(np.mean(maps, axis=0), strength), memory.indexed())
    return AdapterFit(served, strength, np.concatenate(held), np.concatenate(adapted_rows))


def candidate_lists(corpus: Corpus, queries: Sequence[str], vectors: np.ndarray, targets: np.ndarray,
                    rows: np.ndarray, adapted: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features, 0/1 labels and list ids of question ``rows[j]``'s hybrid candidates under ``adapted[j]``
    (its own passage put last when the search missed it)."""
    features, labels, groups = [], [], []
    for i, adapted_vector in zip(rows.tolist(), adapted, strict=True):
        ranking = corpus.hybrid_ranking(queries[i], adapted_vector, RERANK_DEPTH)
        if targets[i] not in ranking:
            ranking[-1] = int(targets[i])
        features.append(corpus.features(queries[i], vectors[i], adapted_vector, ranking))
        labels.append(np.asarray([c == targets[i] for c in ranking], dtype=np.int64))
        groups.append(np.full(len(ranking), i))
    return np.concatenate(features), np.concatenate(labels), np.concatenate(groups)


def fit_bundle(
    corpus: Corpus,
    queries: Sequence[str],
    vectors: np.ndarray,
    targets: Sequence[int],
    real: Sequence[bool] | np.ndarray,
    config: AdapterConfig | None = None,
    progress: Callable[[float], None] | None = None,
) -> TunedBundle:
    """``real[i]`` marks question ``i`` as asked by a person (feedback or upload) rather than synthetic.

    :raises ValueError: fewer than 4 training questions.
    """
    if len(queries) < 4:
        raise ValueError(f"{len(queries)} training questions; at least 4 are needed")
    report = progress or (lambda share: None)
    target_array = np.asarray(targets)
    fitted = fit_adapter(corpus, vectors, target_array, np.asarray(real, dtype=bool), config, report)
    lists = candidate_lists(corpus, queries, vectors, target_array, fitted.rows, fitted.held_out)
    report(0.8)
    reranker = train_reranker(*lists)
    report(1.0)
    return TunedBundle(fitted.adapter, reranker, fitted.strength)
