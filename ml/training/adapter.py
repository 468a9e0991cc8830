"""The query-side adapter over the stored e5 vectors: nothing is re-indexed, only the question vector moves.

Two parts, both applied to the question vector alone:

- a linear map ``normalize(W q)`` with ``W = I + M``, ``M`` learned by contrastive training (InfoNCE over
  in-batch positives and hard negatives mined from the base vectors, temperature near e5's, weight decay
  pulling ``W`` back to the identity, early stopping on held-out questions);
- a corpus memory: the query vectors of synthetic questions asked of the tenant's own chunks (a sentence
  or a clause of a chunk asks for that chunk) with the stored vectors of those chunks. A question that
  resembles a memorised one is pulled towards its chunk: ``normalize(x + weight * sum_j softmax(x.k_j / t) v_j)``
  over the ``MEMORY_NEIGHBOURS`` nearest keys. Training finds them exactly (one product over all keys);
  a served memory of ``MIN_INDEXED_KEYS`` (32,768) keys or more finds them through an inverted-file index
  (``key_index``), so a question's cost grows with the square root of the tenant's memory, not with it.

Serving is numpy only; torch (the ``train`` extra) is imported only to train the map.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .key_index import MIN_INDEXED_KEYS, KeyIndex, build_key_index

__all__ = ["AdapterConfig", "CorpusMemory", "QueryAdapter", "normalise", "train_map", "vector_mrr"]

MEMORY_NEIGHBOURS = 32


def normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


@dataclass(frozen=True, slots=True)
class AdapterConfig:
    epochs: int = 8
    batch_size: int = 256
    learning_rate: float = 1e-3
    temperature: float = 0.01  # e5 was trained at 0.01
    identity_decay: float = 1e-2  # weight of ||W - I||^2
    hard_negatives: int = 32  # per question, the base vectors' nearest passages other than its own
    patience: int = 2  # epochs without a better held-out MRR@10 before stopping
    seed: int = 13
    threads: int = 1  # more only oversubscribes a shared CPU


@dataclass(frozen=True, slots=True)
class CorpusMemory:
    keys: np.ndarray  # [n, d] float32 query vectors of synthetic questions
    values: np.ndarray  # [m, d] float32 stored vectors of the chunks they ask for
    targets: np.ndarray  # [n] row of ``values`` each key asks for
    temperature: float = 0.01
    weight: float = 0.0
    index: KeyIndex | None = None  # over ``keys`` as ordered (see ``indexed``)

    def indexed(self, min_keys: int = MIN_INDEXED_KEYS) -> CorpusMemory:
        """This memory with its keys grouped and indexed for serving (unchanged below ``min_keys`` keys)."""
        if len(self.keys) < min_keys or not len(self.keys):
            return self
        order, index = build_key_index(self.keys)
        return CorpusMemory(self.keys[order], self.values, self.targets[order], self.temperature, self.weight, index)

    def neighbours(self, vectors: np.ndarray, exclude: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Indices and similarities [k, MEMORY_NEIGHBOURS] of the nearest keys of each row of ``vectors``;
        ``exclude`` names one key per row never to return (-1: none), so a memorised question cannot
        find itself while it is scored."""
        scores = vectors @ self.keys.T
        if exclude is not None:
            rows = np.flatnonzero(exclude >= 0)
            scores[rows, exclude[rows]] = -np.inf
        k = min(MEMORY_NEIGHBOURS, scores.shape[1])
        index = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        return index, np.take_along_axis(scores, index, axis=1)

    def pull(self, vectors: np.ndarray, index: np.ndarray, similarity: np.ndarray, temperature: float,
             weight: float) -> np.ndarray:
        """``vectors`` moved towards the chunks of their nearest keys (from ``neighbours``) and normalised."""
        logits = (similarity - similarity.max(axis=1, keepdims=True)) / temperature
        shares = np.exp(logits)
        shares /= shares.sum(axis=1, keepdims=True)
        chunks = self.values[self.targets[index]]  # [k, neighbours, d]
        return normalise(vectors + weight * np.einsum("kn,knd->kd", shares, chunks))

    def nearest(self, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Like ``neighbours``, through the index when there is one."""
        if self.index is None:
            return self.neighbours(vectors)
        return self.index.search(self.keys, vectors, MEMORY_NEIGHBOURS)

    def apply(self, vectors: np.ndarray) -> np.ndarray:
        if self.weight <= 0 or not len(self.keys):
            return vectors
        return self.pull(vectors, *self.nearest(vectors), self.temperature, self.weight)


@dataclass(frozen=True, slots=True)
class QueryAdapter:
    weights: np.ndarray  # [d, d]
    memory: CorpusMemory | None = None

    def __call__(self, vectors: np.ndarray) -> np.ndarray:
        """Question vectors (rows; 1-D works too) mapped, pulled by the memory and L2-normalised."""
        single = vectors.ndim == 1
        mapped = normalise(np.atleast_2d(vectors).astype(np.float32) @ self.weights.T)
        if self.memory is not None:
            mapped = self.memory.apply(mapped)
        return mapped[0] if single else mapped


def _hard_negatives(queries: np.ndarray, targets: np.ndarray, corpus: np.ndarray, count: int) -> np.ndarray:
    """[n, count] the base vectors' nearest passages of each question other than its own."""
    count = min(count, len(corpus) - 1)
    out = np.zeros((len(queries), count), dtype=np.int64)
    for start in range(0, len(queries), 1024):
        scores = queries[start:start + 1024] @ corpus.T
        scores[np.arange(len(scores)), targets[start:start + 1024]] = -np.inf
        out[start:start + 1024] = np.argpartition(-scores, count - 1, axis=1)[:, :count]
    return out


def vector_mrr(vectors: np.ndarray, targets: np.ndarray, corpus: np.ndarray) -> float:
    """MRR@10 of ranking ``corpus`` rows by cosine to each of ``vectors`` (its target the relevant one)."""
    scores = vectors @ corpus.T
    own = scores[np.arange(len(targets)), targets]
    ranks = (scores > own[:, None]).sum(axis=1) + 1
    return float(np.where(ranks <= 10, 1.0 / ranks, 0.0).mean()) if len(targets) else 0.0


def train_map(
    queries: np.ndarray,
    targets: np.ndarray,
    corpus: np.ndarray,
    held_out: tuple[np.ndarray, np.ndarray] | None = None,
    config: AdapterConfig | None = None,
    progress: Callable[[float], None] | None = None,
) -> np.ndarray:
    """``W`` [d, d] float32 for question vectors ``queries`` [n, d] whose passages are rows ``targets`` of
    ``corpus`` [m, d]. With ``held_out`` (vectors, targets), the epoch with the best held-out MRR@10 is
    kept (the identity counts as epoch 0) and training stops after ``patience`` epochs without a better one."""
    import torch  # training only: serving applies the adapter with numpy (torch is the `train` extra)

    config = config or AdapterConfig()
    torch.manual_seed(config.seed)
    torch.set_num_threads(config.threads)
    dimension = corpus.shape[1]
    identity = np.eye(dimension, dtype=np.float32)
    residual = torch.nn.Parameter(torch.zeros(dimension, dimension))
    optimizer = torch.optim.Adam([residual], lr=config.learning_rate)
    q = torch.from_numpy(queries.astype(np.float32))
    t = torch.from_numpy(targets.astype(np.int64))
    p = torch.from_numpy(corpus.astype(np.float32))
    hard = torch.from_numpy(_hard_negatives(queries.astype(np.float32), targets, corpus, config.hard_negatives))

    def score(weights: np.ndarray) -> float:
        assert held_out is not None
        return vector_mrr(normalise(held_out[0] @ weights.T), held_out[1], corpus)

    best, best_score, stale = identity, score(identity) if held_out is not None else -1.0, 0
    for epoch in range(config.epochs):
        order = torch.randperm(len(q))
        for start in range(0, len(q), config.batch_size):
            batch = order[start : start + config.batch_size]
            mapped = torch.nn.functional.normalize(q[batch] + q[batch] @ residual.T, dim=-1)
            own = t[batch]
            in_batch = mapped @ p[own].T  # column i is question i's passage
            in_batch = in_batch.masked_fill((own[:, None] == own[None, :]) & ~torch.eye(len(batch), dtype=torch.bool),
                                            float("-inf"))
            mined = torch.einsum("bd,bkd->bk", mapped, p[hard[batch]])
            logits = torch.cat([in_batch, mined], dim=1) / config.temperature
            loss = torch.nn.functional.cross_entropy(logits, torch.arange(len(batch)))
            loss = loss + config.identity_decay * (residual**2).sum()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        if progress is not None:
            progress((epoch + 1) / config.epochs)
        weights = identity + residual.detach().numpy()
        if held_out is None:
            best = weights
            continue
        current = score(weights)
        if current > best_score:
            best, best_score, stale = weights.copy(), current, 0
        else:
            stale += 1
            if stale >= config.patience:
                break
    return best.astype(np.float32)
