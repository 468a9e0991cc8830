"""Time lag and Burrow-style status from offset samples: a simulated producer and throttled consumer
(the offsets as Kafka would report them, sampled as the gateway samples them)."""

from __future__ import annotations

import pytest

from ingest.lag import PartitionOffsets
from ingest.lag_monitor import LagMonitor
from ingest.lag_status import LagStatus, OffsetSample, estimate_lag_seconds, evaluate


def simulate(produce_rate: float, consume_rate: float, seconds: int, *, stop_consuming_at: float = 1e9) -> list[OffsetSample]:
    """One sample a second: the end offset grows at ``produce_rate``, the committed one at ``consume_rate``
    (never past the end) until ``stop_consuming_at``."""
    samples: list[OffsetSample] = []
    committed = 0.0
    for second in range(seconds + 1):
        end = int(produce_rate * second)
        if second <= stop_consuming_at:
            committed = min(float(end), consume_rate * second)
        samples.append(OffsetSample(float(second), end, int(committed)))
    return samples


def test_time_lag_of_a_throttled_consumer_is_within_twenty_percent() -> None:
    produce, consume = 10.0, 4.0
    samples = simulate(produce, consume, 60)
    last = samples[-1]
    true_wait = last.at - last.committed / produce  # the record at the committed offset was produced then
    estimate = estimate_lag_seconds(samples[-10:], last.committed, last.at)  # only the window is kept
    assert true_wait > 30
    assert estimate == pytest.approx(true_wait, rel=0.2)


def test_a_caught_up_consumer_is_zero_seconds_behind() -> None:
    samples = simulate(10.0, 50.0, 20)
    assert estimate_lag_seconds(samples, samples[-1].committed, samples[-1].at) == 0.0


def test_a_keeping_up_consumer_is_ok() -> None:
    assert evaluate(simulate(10.0, 50.0, 20)[-10:], 20.0) is LagStatus.OK


def test_a_consumer_falling_behind_is_warn() -> None:
    assert evaluate(simulate(10.0, 4.0, 30)[-10:], 30.0) is LagStatus.WARN


def test_a_consumer_that_does_not_move_with_lag_is_stall() -> None:
    samples = simulate(10.0, 4.0, 40, stop_consuming_at=20)
    assert evaluate(samples[-10:], 40.0) is LagStatus.STALL


def test_a_consumer_that_stopped_committing_recently_is_stop() -> None:
    samples = simulate(10.0, 4.0, 30, stop_consuming_at=23)
    window = samples[-10:]  # seconds 21..30: moves until 23, then silence longer than the moves spanned
    assert evaluate(window, 30.0) is LagStatus.STOP


def test_a_consumer_catching_up_is_ok_even_with_lag() -> None:
    samples = [OffsetSample(float(t), 100, 10 * t) for t in range(10)]
    assert evaluate(samples, 9.0) is LagStatus.OK


def test_monitor_reports_worst_partition_per_group_and_seconds() -> None:
    clock = {"now": 0.0}
    monitor = LagMonitor(window=10, clock=lambda: clock["now"])
    for second in range(31):
        clock["now"] = float(second)
        monitor.record(
            [
                PartitionOffsets("parse", "jisik-parse", 0, 10 * second, min(10 * second, 50 * second)),
                PartitionOffsets("parse", "jisik-parse", 1, 10 * second, 4 * second),
            ],
            clock["now"],
        )
    report = monitor.report()["parse"]
    assert report["group"] == "jisik-parse"
    assert report["status"] == "WARN"
    assert [p["status"] for p in report["partitions"]] == ["OK", "WARN"]
    assert report["lag_records"] == 300 - 120
    assert report["lag_seconds"] == pytest.approx(30 - 12, rel=0.2)
