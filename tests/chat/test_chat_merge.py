"""chunk_merge and dedupe: offsets decide, overlap is removed, order is deterministic."""

from __future__ import annotations

from chat.context import Passage
from chat.stages import dedupe, merge_passages
from chat.stages.search import search_queries

TEXT = "Badges are issued at reception. Bring ID. Laptops come from IT on day one. Lunch is at noon."


def _chunk(chunk_id: str, start: int, end: int, score: float, knowledge_id: str = "doc") -> Passage:
    return Passage(
        chunk_id=chunk_id, knowledge_id=knowledge_id, knowledge_base_id="kb", content=TEXT[start:end],
        score=score, start_at=start, end_at=end, seq=start, metadata={"pages": [start // 40 + 1]},
    )


class TestMerge:
    def test_overlapping_chunks_merge_without_repeating_the_overlap(self) -> None:
        merged = merge_passages([_chunk("b", 25, 70, 0.4), _chunk("a", 0, 40, 0.9)])
        assert len(merged) == 1
        assert merged[0].content == TEXT[0:70]
        assert (merged[0].start_at, merged[0].end_at, merged[0].score) == (0, 70, 0.9)
        assert merged[0].sub_chunk_ids == ["a", "b"]
        assert merged[0].metadata["pages"] == [1]

    def test_adjacent_chunks_merge(self) -> None:
        merged = merge_passages([_chunk("a", 0, 32, 0.5), _chunk("b", 32, 41, 0.6)])
        assert [block.content for block in merged] == [TEXT[0:41]]

    def test_contained_chunk_adds_nothing(self) -> None:
        merged = merge_passages([_chunk("a", 0, 70, 0.5), _chunk("b", 10, 30, 0.8)])
        assert merged[0].content == TEXT[0:70]
        assert merged[0].score == 0.8

    def test_gaps_and_documents_stay_apart_and_sort_by_score(self) -> None:
        merged = merge_passages(
            [_chunk("a", 0, 30, 0.2), _chunk("b", 42, 70, 0.7), _chunk("c", 0, 30, 0.5, knowledge_id="other")]
        )
        assert [(block.knowledge_id, block.chunk_id) for block in merged] == [("doc", "b"), ("other", "c"), ("doc", "a")]

    def test_inputs_are_not_mutated(self) -> None:
        first, second = _chunk("a", 0, 40, 0.9), _chunk("b", 25, 70, 0.4)
        merge_passages([first, second])
        assert first.content == TEXT[0:40] and first.end_at == 40


class TestDedupe:
    def test_best_score_wins_and_order_is_stable(self) -> None:
        results = dedupe([[_chunk("x", 0, 5, 0.3), _chunk("y", 5, 9, 0.3)], [_chunk("x", 0, 5, 0.8)]])
        assert [(p.chunk_id, p.score) for p in results] == [("x", 0.8), ("y", 0.3)]
        again = dedupe([[_chunk("x", 0, 5, 0.8)], [_chunk("y", 5, 9, 0.3), _chunk("x", 0, 5, 0.3)]])
        assert [p.chunk_id for p in again] == [p.chunk_id for p in results]

    def test_keyword_query_is_added_only_when_different(self) -> None:
        assert search_queries("Where is the badge?", "badge") == ["Where is the badge?", "badge"]
        assert search_queries("badge  office", "Badge office") == ["badge  office"]
        assert search_queries("q", "") == ["q"]
