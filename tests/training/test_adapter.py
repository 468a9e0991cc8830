"""The query adapter's parts on vectors built here: the corpus memory, the contrastive map and its early
stopping, the artifact round trip, and the synthetic clauses that fill the memory."""

from __future__ import annotations

import numpy as np
import pytest

from ml.training.adapter import AdapterConfig, CorpusMemory, QueryAdapter, normalise, train_map, vector_mrr
from ml.training.bundle import TunedBundle, checksum
from ml.training.reranker import FeatureReranker
from ml.training.synthetic import clauses, synthetic_queries

pytest.importorskip("torch")


def _space(seed: int = 0, passages: int = 40, dimension: int = 16) -> np.ndarray:
    return normalise(np.random.default_rng(seed).normal(size=(passages, dimension)))


class TestCorpusMemory:
    def test_a_question_like_a_memorised_one_moves_to_its_chunk(self) -> None:
        corpus = _space()
        keys = normalise(corpus[:10] + 0.3 * _space(1, 10))  # a memorised question per chunk 0-9
        memory = CorpusMemory(keys, corpus[:10], np.arange(10), temperature=0.01, weight=0.5)
        question = normalise(keys[3] + 0.05 * _space(2, 1)[0])
        before = question @ corpus[3]
        after = QueryAdapter(np.eye(16, dtype=np.float32), memory)(question)
        assert after @ corpus[3] > before
        assert np.isclose(np.linalg.norm(after), 1.0)

    def test_zero_weight_leaves_the_question_as_mapped(self) -> None:
        corpus = _space()
        memory = CorpusMemory(corpus[:5], corpus[:5], np.arange(5), temperature=0.01, weight=0.0)
        question = _space(3, 2)
        assert np.allclose(QueryAdapter(np.eye(16, dtype=np.float32), memory)(question), question, atol=1e-6)

    def test_an_excluded_key_is_never_a_neighbour(self) -> None:
        corpus = _space()
        memory = CorpusMemory(corpus, corpus, np.arange(len(corpus)))
        index, _ = memory.neighbours(corpus[:4], np.asarray([0, 1, -1, 3]))
        assert 0 not in index[0] and 1 not in index[1] and 3 not in index[3]
        assert 2 in index[2]


class TestTrainMap:
    def test_contrastive_training_learns_a_rotation_of_the_questions(self) -> None:
        corpus = _space(passages=60)
        rotation = np.linalg.qr(np.random.default_rng(5).normal(size=(16, 16)))[0].astype(np.float32)
        targets = np.arange(60).repeat(4)
        questions = normalise((corpus[targets] + 0.2 * _space(6, len(targets))) @ rotation.T)
        before = vector_mrr(questions, targets, corpus)
        weights = train_map(questions, targets, corpus, config=AdapterConfig(epochs=30, batch_size=64,
                                                                             identity_decay=0.0, learning_rate=1e-2))
        assert vector_mrr(normalise(questions @ weights.T), targets, corpus) > before + 0.2

    def test_early_stopping_keeps_the_identity_when_training_only_hurts_held_out_questions(self) -> None:
        corpus = _space(passages=60)
        targets = np.arange(60).repeat(2)
        held = normalise(corpus[targets] + 0.1 * _space(8, len(targets)))  # already answered by the base vectors
        # training questions that point at the wrong passages: every step moves away from the held-out truth
        wrong = normalise(corpus[(targets + 1) % 60] + 0.1 * _space(9, len(targets)))
        weights = train_map(wrong, targets, corpus, (held, targets),
                            AdapterConfig(epochs=6, batch_size=32, identity_decay=0.0, learning_rate=1e-2))
        assert np.allclose(weights, np.eye(16))


def test_the_artifact_round_trip_keeps_map_memory_and_choices() -> None:
    corpus = _space()
    memory = CorpusMemory(corpus[:7], corpus[:5], np.asarray([0, 1, 2, 3, 4, 0, 1]), 0.005, 0.3)
    reranker = FeatureReranker(np.zeros(10, np.float32), np.ones(10, np.float32), np.ones(10, np.float32), 0.5)
    weights = np.eye(16, dtype=np.float32) * 1.5
    bundle = TunedBundle(QueryAdapter(weights, memory), reranker, 0.5)
    artifact = bundle.to_bytes()
    loaded = TunedBundle.from_bytes(artifact, checksum(artifact))
    question = _space(4, 3)
    assert np.allclose(loaded.adapt(question), bundle.adapt(question), atol=2e-3)
    assert loaded.adapter.memory is not None
    assert (loaded.adapter.memory.temperature, loaded.adapter.memory.weight) == pytest.approx((0.005, 0.3))
    assert loaded.adapter_strength == 0.5


def test_long_sentences_give_their_clauses_as_questions() -> None:
    sentence = "헤이그는 1944년 미국 육군사관학교에 입학하였으며, 1947년 사관으로 졸업하였다."
    assert clauses(sentence) == ["헤이그는 1944년 미국 육군사관학교에 입학하였으며,", "1947년 사관으로 졸업하였다."]
    assert clauses("짧은 문장이다.") == []
    sources = [source for _, source in synthetic_queries("", sentence)]
    assert sources == ["sentence", "clause", "clause"]


class TestPairwiseReranker:
    @staticmethod
    def _lists(seed: int, count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Lists of 8 candidates; the relevant one is best on feature 0 within its list, but every list
        has its own offset, so feature 0 alone does not separate relevant from irrelevant across lists."""
        rng = np.random.default_rng(seed)
        rows, labels, groups = [], [], []
        for group in range(count):
            offset = rng.normal(scale=2.0)
            relevant = int(rng.integers(8))
            for candidate in range(8):
                signal = offset + (1.0 if candidate == relevant else rng.uniform(-1.0, 0.6))
                rows.append([signal, rng.normal(scale=0.1)])  # feature 1 is noise
                labels.append(int(candidate == relevant))
                groups.append(group)
        return np.asarray(rows, np.float32), np.asarray(labels), np.asarray(groups)

    def test_the_relevant_candidate_ranks_first_in_new_lists(self) -> None:
        from ml.training.reranker import train_reranker

        reranker = train_reranker(*self._lists(0, 200))
        features, labels, groups = self._lists(1, 100)
        firsts = [labels[groups == g][np.argmax(reranker.score(features[groups == g]))] for g in range(100)]
        assert sum(firsts) >= 97
        assert reranker.coef[0] > 0 and abs(reranker.coef[1]) < reranker.coef[0] / 5

    def test_lists_without_both_kinds_of_candidate_are_refused(self) -> None:
        from ml.training.reranker import train_reranker

        with pytest.raises(ValueError, match="relevant and irrelevant"):
            train_reranker(np.ones((3, 2), np.float32), np.zeros(3, np.int64), np.arange(3))

    def test_confident_candidates_keep_distinct_scores(self) -> None:
        reranker = FeatureReranker(np.zeros(1, np.float32), np.ones(1, np.float32), np.ones(1, np.float32), 0.0)
        scores = reranker.score(np.asarray([[20.0], [30.0]], np.float32))  # a float32 sigmoid gives 1.0 twice
        assert scores[1] > scores[0]
