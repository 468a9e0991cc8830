"""A query-side linear adapter over the stored e5 vectors: ``normalize(W q)``, with ``W`` learned from
(question, passage) pairs. Passages keep their stored vectors, so nothing is re-indexed.

Training minimises a softmax cross-entropy of each question over all of the tenant's passages (its own
passage is the target, every other passage a negative) plus a pull of ``W`` towards the identity, so a
small training set cannot drag the space far from the embedder's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

__all__ = ["AdapterConfig", "adapt", "train_adapter"]


@dataclass(frozen=True, slots=True)
class AdapterConfig:
    epochs: int = 5
    batch_size: int = 256
    learning_rate: float = 3e-5
    temperature: float = 0.02
    identity_weight: float = 1.0
    seed: int = 13
    threads: int = 1  # more only oversubscribes a shared CPU


def adapt(weights: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """Query vectors mapped by the adapter and L2-normalised (rows of ``vectors``; 1-D works too)."""
    mapped = vectors.astype(np.float32) @ weights.T
    norms = np.linalg.norm(mapped, axis=-1, keepdims=True)
    return (mapped / np.maximum(norms, 1e-12)).astype(np.float32)


def train_adapter(
    queries: np.ndarray,
    targets: np.ndarray,
    corpus: np.ndarray,
    config: AdapterConfig | None = None,
    progress: Callable[[float], None] | None = None,
) -> np.ndarray:
    """``W`` [d, d] float32 learned from question vectors ``queries`` [n, d] whose passages are rows
    ``targets`` [n] of ``corpus`` [m, d]. ``progress`` gets the share done after each epoch."""
    config = config or AdapterConfig()
    torch.manual_seed(config.seed)
    torch.set_num_threads(config.threads)
    dimension = corpus.shape[1]
    weights = torch.nn.Parameter(torch.eye(dimension))
    optimizer = torch.optim.Adam([weights], lr=config.learning_rate)
    q = torch.from_numpy(queries.astype(np.float32))
    t = torch.from_numpy(targets.astype(np.int64))
    p = torch.from_numpy(corpus.astype(np.float32))
    identity = torch.eye(dimension)
    for epoch in range(config.epochs):
        order = torch.randperm(len(q))
        for start in range(0, len(q), config.batch_size):
            batch = order[start : start + config.batch_size]
            mapped = torch.nn.functional.normalize(q[batch] @ weights.T, dim=-1)
            logits = mapped @ p.T / config.temperature
            loss = torch.nn.functional.cross_entropy(logits, t[batch])
            loss = loss + config.identity_weight * ((weights - identity) ** 2).sum() / dimension
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        if progress is not None:
            progress((epoch + 1) / config.epochs)
    return weights.detach().numpy().astype(np.float32)
