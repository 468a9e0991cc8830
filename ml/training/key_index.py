"""An inverted-file (IVF) index over the corpus memory's keys, so adapting a question does not score every
memorised question of the tenant.

The keys are grouped by their nearest of about sqrt(n) centroids (spherical k-means on a sample); a
question scores the centroids, then only the keys of its ``probes`` nearest groups: about sqrt(n) +
probes * sqrt(n) dot products instead of n (``_PROBES`` is fixed). The keys are stored grouped (group ``g`` is rows
``offsets[g]:offsets[g + 1]``), so a probe reads contiguous slices. Numpy only (serving has no other
index library; the memory is per tuned version, not per query, so an in-process index fits).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["MIN_INDEXED_KEYS", "KeyIndex", "build_key_index"]

# Below this a product over all keys is cheap (2-8 ms at 50,000 keys in bench/training.py) and exact;
# the index trades a little recall for a cost that grows with sqrt(n) (3 ms instead of 13-27 at 200,000).
MIN_INDEXED_KEYS = 32_768
# Groups a question probes, whatever the memory's size. On the KorQuAD tenant of bench/training.py (14,804
# keys, 122 groups) 32 probes find 95% of the exact 32 nearest keys and its vector MRR@10 on B is 0.925
# against 0.926 exact (16 probes: 88%, 0.922; 64: 99%, 0.926).
_PROBES = 32
_SAMPLE_PER_GROUP = 32
_ITERATIONS = 8


def _unit(vectors: np.ndarray) -> np.ndarray:
    return (vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)).astype(np.float32)


@dataclass(frozen=True, slots=True)
class KeyIndex:
    centroids: np.ndarray  # [groups, d] float32, unit length
    offsets: np.ndarray  # [groups + 1] int64 start row of each group in the grouped keys
    probes: int

    def search(self, keys: np.ndarray, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Rows of ``keys`` (grouped as ``build_key_index`` ordered them) and similarities [len(vectors), k]
        of the ``k`` best keys each row of ``vectors`` meets in its probed groups (all keys when those
        groups hold fewer than ``k``)."""
        k = min(k, len(keys))
        probes = min(self.probes, len(self.centroids))
        groups = np.argpartition(-(vectors @ self.centroids.T), probes - 1, axis=1)[:, :probes]
        index = np.zeros((len(vectors), k), dtype=np.int64)
        similarity = np.zeros((len(vectors), k), dtype=np.float32)
        for row, probed in enumerate(groups):
            spans = [(self.offsets[g], self.offsets[g + 1]) for g in probed]
            rows = np.concatenate([np.arange(start, end) for start, end in spans])
            if len(rows) < k:
                rows, spans = np.arange(len(keys)), [(0, len(keys))]
            # slices (no copy), summed by einsum in this thread: BLAS would wake its thread pool once per slice
            scores = np.concatenate([np.einsum("ij,j->i", keys[start:end], vectors[row]) for start, end in spans])
            best = np.argpartition(-scores, k - 1)[:k]
            index[row], similarity[row] = rows[best], scores[best]
        return index, similarity


def build_key_index(keys: np.ndarray, seed: int = 13) -> tuple[np.ndarray, KeyIndex]:
    """The order that groups ``keys`` [n, d] (unit rows) and the index over the keys in that order."""
    groups = max(1, round(math.sqrt(len(keys))))
    rng = np.random.default_rng(seed)
    sample = keys[rng.choice(len(keys), min(len(keys), groups * _SAMPLE_PER_GROUP), replace=False)].astype(np.float32)
    centroids = sample[rng.choice(len(sample), groups, replace=False)]
    for _ in range(_ITERATIONS):
        member = np.argmax(sample @ centroids.T, axis=1)
        sums = np.zeros_like(centroids)
        np.add.at(sums, member, sample)
        filled = np.bincount(member, minlength=groups) > 0
        centroids[filled] = _unit(sums[filled])
    assigned = np.concatenate([np.argmax(keys[start:start + 8192].astype(np.float32) @ centroids.T, axis=1)
                               for start in range(0, len(keys), 8192)])
    order = np.argsort(assigned, kind="stable")
    offsets = np.searchsorted(assigned[order], np.arange(groups + 1)).astype(np.int64)
    return order, KeyIndex(centroids, offsets, _PROBES)
