"""stream_filter: thinking split, no-answer gate and citation guard, fed in awkward pieces."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chat.citations import CitationGuard, cited_numbers
from chat.stages.stream_filter import NoAnswerGate, StreamFilter, ThinkSplitter

FALLBACK = "Not in the documents."


def _feed(parts: list[str], **kwargs: object) -> tuple[str, str, StreamFilter]:
    stream_filter = StreamFilter(markers=kwargs.get("markers", ("NO_MATCH",)), fallback=FALLBACK,  # type: ignore[arg-type]  # kwargs values are object; callers pass a tuple of markers
                                 passage_count=int(kwargs.get("passages", 3)))  # type: ignore[call-overload]  # kwargs values are object; callers pass an int
    events = [event for part in parts for event in stream_filter.feed(part)] + stream_filter.finish()
    answer = "".join(text for kind, text in events if kind == "answer")
    thinking = "".join(text for kind, text in events if kind == "thinking")
    return answer, thinking, stream_filter


def _split(text: str, cuts: list[int]) -> list[str]:
    points = sorted({0, len(text), *[cut % (len(text) + 1) for cut in cuts]})
    return [text[a:b] for a, b in zip(points, points[1:], strict=False)]


class TestThinkSplitter:
    def test_tags_split_across_deltas(self) -> None:
        splitter = ThinkSplitter()
        events = []
        for part in ["<th", "ink>plan", " it</th", "ink>Answer", " here"]:
            events += splitter.feed(part)
        events += splitter.finish()
        assert "".join(t for k, t in events if k == "thinking") == "plan it"
        assert "".join(t for k, t in events if k == "answer") == "Answer here"

    @given(st.lists(st.integers(min_value=0, max_value=80), max_size=12))
    def test_any_split_gives_the_same_result(self, cuts: list[int]) -> None:
        text = "<think>secret reasoning</think>The badge is at reception [1]."
        answer, thinking, _ = _feed(_split(text, cuts))
        assert thinking == "secret reasoning"
        assert answer == "The badge is at reception [1]."


class TestNoAnswerGate:
    @pytest.mark.parametrize("output", ["NO_MATCH", "  NO_MATCH\n", "NO_MATCH.", ""])
    def test_marker_only_becomes_the_fallback(self, output: str) -> None:
        answer, _, stream_filter = _feed([output])
        assert answer == FALLBACK
        assert stream_filter.no_answer

    def test_marker_after_thinking_is_detected(self) -> None:
        answer, thinking, stream_filter = _feed(["<think>\n</think>\nNO_", "MATCH"])
        assert answer == FALLBACK and stream_filter.no_answer

    def test_text_that_only_starts_like_the_marker_passes(self) -> None:
        answer, _, stream_filter = _feed(["NO", " worries: it is on page 3 [1]."])
        assert answer == "NO worries: it is on page 3 [1]."
        assert not stream_filter.no_answer

    def test_long_marker_of_another_backend(self) -> None:
        gate = NoAnswerGate(["The documents do not contain the answer."], FALLBACK)
        assert gate.feed("The documents do not ") == ""
        assert gate.feed("contain the answer.") == ""
        assert gate.finish() == FALLBACK


class TestCitationGuard:
    def test_out_of_range_numbers_are_removed(self) -> None:
        answer, _, stream_filter = _feed(["A [1]. B [7]. C [2, 9]. D [0]."], passages=2)
        assert answer == "A [1]. B . C [2]. D ."
        assert stream_filter.cited == {1, 2}

    def test_citation_split_across_deltas(self) -> None:
        answer, _, stream_filter = _feed(["Fact [", "1", "2] and [", "3]"], passages=3)
        assert answer == "Fact  and [3]"
        assert stream_filter.cited == {3}

    def test_other_brackets_are_kept(self) -> None:
        answer, _, _ = _feed(["See [the manual](x) and [a] ["], passages=3)
        assert answer == "See [the manual](x) and [a] ["

    @given(st.text(alphabet="ab [],0123456789", max_size=60), st.lists(st.integers(0, 60), max_size=8))
    def test_every_citation_left_points_at_a_passage(self, text: str, cuts: list[int]) -> None:
        guard = CitationGuard(3)
        out = "".join(guard.feed(part) for part in _split(text, cuts)) + guard.finish()
        assert cited_numbers(out) <= {1, 2, 3}
        assert cited_numbers(out) == guard.cited
