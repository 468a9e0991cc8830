"""RRF and weighted fusion: values, match types, deterministic ties."""

from __future__ import annotations

import pytest

from retriever.fusion import rrf, single_channel, weighted
from retriever.types import ChannelHit, MatchType

pytestmark = pytest.mark.unit


def ranking(*pairs: tuple[str, float]) -> list[ChannelHit]:
    return [ChannelHit(ref=i, chunk_id=cid, score=score, rank=i) for i, (cid, score) in enumerate(pairs, 1)]


class TestRRF:
    def test_scores_are_reciprocal_ranks(self) -> None:
        hits = rrf(ranking(("a", 0.9), ("b", 0.8)), ranking(("b", 7.0), ("c", 3.0)), k=60)
        by_id = {hit.chunk_id: hit for hit in hits}
        assert by_id["b"].score == pytest.approx(1 / 62 + 1 / 61)
        assert by_id["a"].score == pytest.approx(1 / 61)
        assert by_id["c"].score == pytest.approx(1 / 62)
        assert [hit.chunk_id for hit in hits] == ["b", "a", "c"]

    def test_match_types_and_channel_fields(self) -> None:
        hits = {hit.chunk_id: hit for hit in rrf(ranking(("a", 0.9), ("b", 0.8)), ranking(("b", 7.0)), k=60)}
        assert hits["b"].match_type is MatchType.HYBRID
        assert (hits["b"].vector_rank, hits["b"].keyword_rank) == (2, 1)
        assert (hits["b"].vector_score, hits["b"].keyword_score) == (0.8, 7.0)
        assert hits["a"].match_type is MatchType.EMBEDDING
        assert hits["a"].keyword_rank == 0

    def test_ties_break_by_chunk_id(self) -> None:
        hits = rrf(ranking(("z", 0.9), ("y", 0.1)), ranking(("y", 2.0), ("z", 1.0)), k=60)
        assert [hit.chunk_id for hit in hits] == ["y", "z"]

    def test_channel_weights_scale_each_term(self) -> None:
        hits = rrf(ranking(("a", 0.9)), ranking(("b", 5.0)), k=60, vector_weight=0.3, keyword_weight=0.7)
        assert [(hit.chunk_id, hit.score) for hit in hits] == [("b", pytest.approx(0.7 / 61)), ("a", pytest.approx(0.3 / 61))]

    def test_k_changes_the_gap(self) -> None:
        small = rrf(ranking(("a", 1.0)), ranking(), k=1)
        assert small[0].score == pytest.approx(0.5)


class TestWeighted:
    def test_min_max_normalisation_and_weights(self) -> None:
        hits = weighted(
            ranking(("a", 0.9), ("b", 0.5), ("c", 0.1)),
            ranking(("c", 10.0), ("a", 5.0), ("d", 0.0)),
            vector_weight=0.7, keyword_weight=0.3,
        )
        by_id = {hit.chunk_id: hit.score for hit in hits}
        assert by_id["a"] == pytest.approx(0.7 * 1.0 + 0.3 * 0.5)
        assert by_id["b"] == pytest.approx(0.7 * 0.5)
        assert by_id["c"] == pytest.approx(0.0 + 0.3 * 1.0)
        assert by_id["d"] == pytest.approx(0.0)

    def test_a_lone_candidate_counts_as_best(self) -> None:
        hits = weighted(ranking(("a", 0.2)), ranking(), vector_weight=0.7, keyword_weight=0.3)
        assert hits[0].score == pytest.approx(0.7)

    def test_same_input_same_order(self) -> None:
        v = ranking(*[(f"c{i}", 0.5) for i in range(20)])
        k = ranking(*[(f"c{19 - i}", 1.0) for i in range(20)])
        first = [hit.chunk_id for hit in weighted(v, k, vector_weight=0.5, keyword_weight=0.5)]
        assert first == sorted(first)


class TestSingleChannel:
    def test_keeps_the_channel_score(self) -> None:
        hits = single_channel(ranking(("a", 3.0), ("b", 1.0)), MatchType.KEYWORDS)
        assert [(h.chunk_id, h.score, h.keyword_rank, h.vector_rank) for h in hits] == [
            ("a", 3.0, 1, 0), ("b", 1.0, 2, 0)
        ]
