"""Samples the ingest groups' offsets over time; reports lag in records and seconds and a status per
group (see :mod:`ingest.lag_status`), and keeps the lag gauges current."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from prometheus_client import Gauge

from jisik.errors import Unavailable
from jisik.settings import Settings

from .lag import PartitionOffsets, partition_offsets
from .lag_status import LagStatus, OffsetSample, PartitionWindow, worst

__all__ = ["LagMonitor", "sample_lag"]

logger = logging.getLogger(__name__)

LAG_RECORDS = Gauge("jisik_ingest_consumer_lag_records", "Records a consumer group has not committed, by group and "
                    "partition", ("group", "partition"))
LAG_SECONDS = Gauge("jisik_ingest_consumer_lag_seconds", "Estimated seconds the oldest uncommitted record of a group "
                    "has waited, by group and partition", ("group", "partition"))
GROUP_STATUS = Gauge("jisik_ingest_consumer_group_status", "Burrow-style group status: 0 OK, 1 WARN, 2 STALL, 3 STOP",
                     ("group",))


class LagMonitor:
    """One per process that reports lag; ``window`` samples per partition make up the status window."""

    def __init__(self, window: int = 10, clock: Callable[[], float] = time.monotonic) -> None:
        self._window = window
        self._clock = clock
        self._partitions: dict[tuple[str, str, int], PartitionWindow] = {}

    async def sample(self, settings: Settings) -> None:
        """Read the offsets once and record them (:class:`jisik.errors.Unavailable` without a broker)."""
        self.record(await partition_offsets(settings), self._clock())

    def record(self, offsets: list[PartitionOffsets], now: float) -> None:
        for item in offsets:
            key = (item.stage, item.group, item.partition)
            window = self._partitions.setdefault(key, PartitionWindow(self._window))
            window.add(OffsetSample(now, item.end, item.committed))
            LAG_RECORDS.labels(item.group, str(item.partition)).set(item.lag)
            LAG_SECONDS.labels(item.group, str(item.partition)).set(window.lag_seconds(now))
        for group, status in self._group_statuses(now).items():
            GROUP_STATUS.labels(group).set(int(status))

    def _group_statuses(self, now: float) -> dict[str, LagStatus]:
        statuses: dict[str, list[LagStatus]] = {}
        for (_, group, _), window in self._partitions.items():
            statuses.setdefault(group, []).append(window.status(now))
        return {group: worst(found) for group, found in statuses.items()}

    def report(self) -> dict[str, dict[str, Any]]:
        """``{stage: {group, status, lag_records, lag_seconds, partitions: [...]}}`` as of the last sample."""
        now = self._clock()
        stages: dict[str, dict[str, Any]] = {}
        for (stage, group, partition), window in sorted(self._partitions.items()):
            latest = window.samples[-1]
            entry = stages.setdefault(
                stage, {"group": group, "status": LagStatus.OK, "lag_records": 0, "lag_seconds": 0.0, "partitions": []}
            )
            status, seconds = window.status(now), round(window.lag_seconds(now), 3)
            entry["status"] = max(entry["status"], status)
            entry["lag_records"] += latest.lag
            entry["lag_seconds"] = max(entry["lag_seconds"], seconds)
            entry["partitions"].append(
                {"partition": partition, "lag_records": latest.lag, "lag_seconds": seconds, "status": status.name}
            )
        for entry in stages.values():
            entry["status"] = entry["status"].name
        return stages


async def sample_lag(monitor: LagMonitor, settings: Settings) -> None:
    """Sample every ``lag_sample_interval_s`` until cancelled; a missing broker skips a sample."""
    interval = settings.ingest.lag_sample_interval_s
    while interval > 0:
        try:
            await monitor.sample(settings)
        except Unavailable:
            logger.debug("lag sample skipped: the broker is unavailable")
        await asyncio.sleep(interval)
