"""Lag in seconds and a Burrow-style status per consumer group, from periodic offset samples.

- Time lag (as kafka-lag-exporter estimates it): the partition's end offset is sampled over time, so
  the moment the log reached offset ``c`` can be interpolated; a group whose committed offset is ``c``
  is ``now - that moment`` behind. Before the oldest sample the rate of the two oldest samples
  extrapolates; a group that is caught up is 0 s behind.
- Status per partition over the window of samples, with no fixed thresholds (Burrow's rules, with
  "commit time" read as the sample at which the committed offset was seen to move): lag 0 anywhere
  in the window -> OK; the committed offset did not move across the window while lag stayed or grew
  -> STALL; it moved, but longer ago than the moves before it spanned -> STOP; it moved but lag never
  shrank -> WARN; otherwise OK. A group's status is its worst partition's.
"""

from __future__ import annotations

import enum
from collections import deque
from dataclasses import dataclass, field

__all__ = ["LagStatus", "OffsetSample", "PartitionWindow", "estimate_lag_seconds", "evaluate", "worst"]


class LagStatus(enum.IntEnum):
    """Ordered by severity: a group reports its worst partition."""

    OK = 0
    WARN = 1
    STALL = 2
    STOP = 3


@dataclass(frozen=True)
class OffsetSample:
    at: float  # seconds, any monotonic clock shared by all samples
    end: int
    committed: int

    @property
    def lag(self) -> int:
        return max(0, self.end - self.committed)


def estimate_lag_seconds(samples: list[OffsetSample], committed: int, now: float) -> float:
    """Seconds since the log's end passed ``committed``, interpolated from the end-offset samples."""
    if not samples or committed >= samples[-1].end:
        return 0.0
    points = [(sample.at, sample.end) for sample in samples]
    for (t0, e0), (t1, e1) in zip(points, points[1:], strict=False):
        if e0 <= committed < e1:
            return max(0.0, now - (t0 + (t1 - t0) * (committed - e0) / (e1 - e0)))
    if committed >= points[-1][1]:
        return 0.0
    # Older than every sample: extrapolate backwards with the rate seen between the samples, if any.
    (t0, e0), (t1, e1) = points[0], points[-1]
    if e1 > e0 and t1 > t0:
        return max(0.0, now - (t0 - (e0 - committed) * (t1 - t0) / (e1 - e0)))
    return max(0.0, now - t0)


def evaluate(window: list[OffsetSample], now: float) -> LagStatus:
    """Burrow's partition rules over ``window`` (oldest first)."""
    if len(window) < 2 or any(sample.lag == 0 for sample in window):
        return LagStatus.OK
    pairs = list(zip(window, window[1:], strict=False))
    never_shrank = all(later.lag >= earlier.lag for earlier, later in pairs)
    moves = [later.at for earlier, later in pairs if later.committed != earlier.committed]
    if not moves:
        return LagStatus.STALL if never_shrank else LagStatus.OK
    if now - moves[-1] > moves[-1] - window[0].at:
        return LagStatus.STOP
    return LagStatus.WARN if never_shrank else LagStatus.OK


def worst(statuses: list[LagStatus]) -> LagStatus:
    return max(statuses, default=LagStatus.OK)


@dataclass
class PartitionWindow:
    """The last ``size`` samples of one group on one partition."""

    size: int
    samples: deque[OffsetSample] = field(init=False)

    def __post_init__(self) -> None:
        self.samples = deque(maxlen=self.size)

    def add(self, sample: OffsetSample) -> None:
        self.samples.append(sample)

    def lag_seconds(self, now: float) -> float:
        if not self.samples:
            return 0.0
        return estimate_lag_seconds(list(self.samples), self.samples[-1].committed, now)

    def status(self, now: float) -> LagStatus:
        return evaluate(list(self.samples), now)
