from __future__ import annotations

from aiokafka import TopicPartition

from ingest.worker import _OffsetTracker

TP = TopicPartition("documents.uploaded", 0)


class TestOffsetTracker:
    def test_commits_only_past_contiguous_finished_work(self) -> None:
        tracker = _OffsetTracker()
        for offset in (5, 6, 7):
            tracker.started(TP, offset)
        assert tracker.finished(TP, 6) is None  # 5 still running: committing 7 would lose it on a crash
        assert tracker.finished(TP, 5) == 7
        assert tracker.finished(TP, 7) == 8

    def test_unknown_offsets_are_ignored(self) -> None:
        tracker = _OffsetTracker()
        assert tracker.finished(TP, 3) is None

    def test_a_restarted_partition_forgets_old_offsets(self) -> None:
        tracker = _OffsetTracker()
        tracker.started(TP, 57)
        tracker.started(TP, 0)  # the broker came back empty
        assert tracker.finished(TP, 57) is None
        assert tracker.finished(TP, 0) == 1
