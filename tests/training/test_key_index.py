"""The corpus memory's key index against the exact product over all keys, on memories built here."""

from __future__ import annotations

import numpy as np

from ml.training.adapter import MEMORY_NEIGHBOURS, CorpusMemory, QueryAdapter, normalise
from ml.training.bundle import TunedBundle, checksum
from ml.training.features import FEATURES
from ml.training.key_index import MIN_INDEXED_KEYS, KeyIndex
from ml.training.reranker import FeatureReranker

_DIMENSION = 32


def _memory(keys: int, seed: int = 0) -> CorpusMemory:
    """Memorised questions around 300 chunks (as a tenant's synthetic questions gather around theirs)."""
    rng = np.random.default_rng(seed)
    chunks = normalise(rng.normal(size=(300, _DIMENSION)))
    targets = rng.integers(0, 300, size=keys)
    questions = normalise(chunks[targets] + 0.6 * normalise(rng.normal(size=(keys, _DIMENSION))))
    return CorpusMemory(questions, chunks, targets, temperature=0.01, weight=0.3)


def _questions(memory: CorpusMemory, count: int, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    near = memory.keys[rng.integers(0, len(memory.keys), size=count)]
    return normalise(near + 0.3 * normalise(rng.normal(size=near.shape)))


def _rows_as_sets(index: np.ndarray) -> list[frozenset[int]]:
    return [frozenset(row.tolist()) for row in index]


def test_probing_every_group_finds_exactly_the_keys_the_full_product_finds() -> None:
    exact = _memory(6000)
    indexed = exact.indexed(min_keys=0)
    assert indexed.index is not None
    groups = len(indexed.index.centroids)
    everything = CorpusMemory(indexed.keys, indexed.values, indexed.targets, exact.temperature, exact.weight,
                              KeyIndex(indexed.index.centroids, indexed.index.offsets, groups))
    questions = _questions(exact, 50)
    found, similarity = everything.nearest(questions)
    wanted, wanted_similarity = indexed.neighbours(questions)
    assert _rows_as_sets(found) == _rows_as_sets(wanted)
    assert np.allclose(np.sort(similarity, axis=1), np.sort(wanted_similarity, axis=1), atol=1e-5)


def test_the_indexed_memory_adapts_questions_as_the_exact_one_does() -> None:
    exact = _memory(6000)
    indexed = exact.indexed(min_keys=0)
    assert indexed.index is not None and indexed.index.probes < len(indexed.index.centroids)
    questions = _questions(exact, 200)
    identity = np.eye(_DIMENSION, dtype=np.float32)
    adapted_exact = QueryAdapter(identity, exact)(questions)
    adapted_indexed = QueryAdapter(identity, indexed)(questions)
    assert np.min(np.sum(adapted_exact * adapted_indexed, axis=1)) > 0.999
    # the keys themselves: the probed groups hold nearly all of each question's exact neighbours
    found, _ = indexed.nearest(questions)
    wanted, _ = indexed.neighbours(questions)
    overlap = np.mean([len(a & b) / MEMORY_NEIGHBOURS for a, b in zip(_rows_as_sets(found), _rows_as_sets(wanted),
                                                                      strict=True)])
    assert overlap > 0.95


def test_grouping_keeps_each_key_with_its_chunk() -> None:
    exact = _memory(6000)
    indexed = exact.indexed(min_keys=0)
    pairs = {(tuple(np.round(k, 5)), int(t)) for k, t in zip(exact.keys, exact.targets, strict=True)}
    assert pairs == {(tuple(np.round(k, 5)), int(t)) for k, t in zip(indexed.keys, indexed.targets, strict=True)}


def test_a_memory_is_indexed_from_min_indexed_keys_on() -> None:
    small = _memory(MIN_INDEXED_KEYS - 1)
    assert small.indexed() is small and small.index is None
    assert _memory(MIN_INDEXED_KEYS).indexed().index is not None


def test_the_artifact_keeps_the_index() -> None:
    indexed = _memory(6000).indexed(min_keys=0)
    assert indexed.index is not None
    count = len(FEATURES)
    reranker = FeatureReranker(np.zeros(count, np.float32), np.ones(count, np.float32), np.ones(count, np.float32), 0.0)
    bundle = TunedBundle(QueryAdapter(np.eye(_DIMENSION, dtype=np.float32), indexed), reranker)
    artifact = bundle.to_bytes()
    loaded = TunedBundle.from_bytes(artifact, checksum(artifact))
    assert loaded.adapter.memory is not None and loaded.adapter.memory.index is not None
    assert loaded.adapter.memory.index.probes == indexed.index.probes
    assert np.array_equal(loaded.adapter.memory.index.offsets, indexed.index.offsets)
    questions = _questions(indexed, 20)
    assert np.min(np.sum(loaded.adapt(questions) * bundle.adapt(questions), axis=1)) > 0.999
