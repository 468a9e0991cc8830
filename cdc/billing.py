"""``billing.usage``: per-tenant tumbling windows of documents uploaded, bytes stored, chunks indexed and
chat messages, computed from ``db.knowledges`` and ``db.messages`` change events.

Windows are assigned by commit time (``source.ts_ms``). A window is emitted once the event-time
watermark (the newest commit time seen) or, when the input is idle, the wall clock passes its end
plus ``grace``; it is kept for ``retention`` more windows and re-emitted whole if a late event
arrives. Every emission is the window's full state keyed by tenant id, with a ``window_id``, so
consumers upsert by ``window_id`` and replays are harmless:

* the same change delivered twice (the relay is at-least-once) is counted once: each window keeps
  the identities (table, LSN, row id) of the changes it counted;
* after a crash the processor re-reads from the first offset of the oldest window it still keeps
  (it commits no further), so every kept window is rebuilt from all its events.

Events for windows older than the retention are dropped as too late (as Flink does), and logged.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from aiokafka import ConsumerRecord, TopicPartition
from pydantic import BaseModel, ConfigDict, ValidationError

from jisik.events import Topic, cdc_topic
from jisik.settings import CdcSettings, KafkaSettings

from .change_event import ChangeEvent, parse_change
from .publisher import OrderedPublisher
from .records import KafkaRecord

__all__ = ["BillingProcessor", "Usage", "UsageRecord", "UsageWindows", "usage_of"]

logger = logging.getLogger(__name__)

_COMPLETED = "COMPLETED"


@dataclass(frozen=True, slots=True)
class Usage:
    documents_uploaded: int = 0
    bytes_stored: int = 0
    chunks_indexed: int = 0
    chat_messages: int = 0

    def __bool__(self) -> bool:
        return any((self.documents_uploaded, self.bytes_stored, self.chunks_indexed, self.chat_messages))


def _completed(row: dict[str, object] | None) -> bool:
    return row is not None and str(row.get("parse_status", "")).upper() == _COMPLETED


def _int(row: dict[str, object] | None, name: str) -> int:
    return int(row.get(name) or 0) if row else 0  # type: ignore[call-overload]  # row values are object; this column is a count


def usage_of(event: ChangeEvent) -> Usage:
    """What one change adds to its tenant's usage. Snapshot reads (op r) add nothing."""
    table, before, after = event.source.table, event.before, event.after
    if table == "messages":
        return Usage(chat_messages=1) if event.op == "c" else Usage()
    if table != "knowledges":
        return Usage()
    if event.op == "c":
        return Usage(documents_uploaded=1, bytes_stored=_int(after, "file_size"),
                     chunks_indexed=_int(after, "chunk_count") if _completed(after) else 0)
    if event.op == "u":
        newly_indexed = _completed(after) and (
            not _completed(before) or _int(before, "version") != _int(after, "version"))
        return Usage(bytes_stored=_int(after, "file_size") - _int(before, "file_size"),
                     chunks_indexed=_int(after, "chunk_count") if newly_indexed else 0)
    if event.op == "d":
        return Usage(bytes_stored=-_int(before, "file_size"))
    return Usage()


class UsageRecord(BaseModel):
    """The value of a ``billing.usage`` record (key: tenant id)."""

    model_config = ConfigDict(frozen=True)

    schema_version: Literal[1] = 1
    tenant_id: str
    window_id: str
    window_start: str
    window_end: str
    window_start_ms: int
    window_end_ms: int
    documents_uploaded: int
    bytes_stored: int
    chunks_indexed: int
    chat_messages: int


@dataclass(slots=True)
class _Window:
    tenant_id: str
    start_ms: int
    totals: dict[str, int] = field(default_factory=lambda: dict.fromkeys(Usage.__slots__, 0))
    seen: set[str] = field(default_factory=set)
    first_offsets: dict[TopicPartition, int] = field(default_factory=dict)
    dirty: bool = True


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat()


class UsageWindows:
    """The windowing state; pure (no I/O), so it is tested directly."""

    def __init__(self, *, window_s: float, grace_s: float, retention_windows: int) -> None:
        self.window_ms = int(window_s * 1000)
        self.grace_ms = int(grace_s * 1000)
        self.retention_ms = retention_windows * self.window_ms
        self.watermark_ms = 0
        self._windows: dict[tuple[str, int], _Window] = {}
        self.dropped_late = 0

    def add(self, event: ChangeEvent, partition: TopicPartition, offset: int) -> bool:
        """Count one change; False when it adds nothing, was counted before, or is too late."""
        usage = usage_of(event)
        tenant_id = str(event.row.get("tenant_id") or "")
        if not usage or not tenant_id:
            return False
        at_ms = event.source.ts_ms or event.ts_ms
        start = at_ms - at_ms % self.window_ms
        self.watermark_ms = max(self.watermark_ms, at_ms)
        if start + self.window_ms + self.retention_ms < self.watermark_ms:
            self.dropped_late += 1
            logger.warning("dropping a change %d s older than the billing retention",
                           (self.watermark_ms - at_ms) // 1000)
            return False
        window = self._windows.setdefault((tenant_id, start), _Window(tenant_id, start))
        if event.identity in window.seen:
            return False
        window.seen.add(event.identity)
        window.first_offsets.setdefault(partition, offset)
        for name in Usage.__slots__:
            window.totals[name] += getattr(usage, name)
        window.dirty = True
        return True

    def due(self, now_ms: int, *, idle: bool) -> list[UsageRecord]:
        """Windows to emit now (closed and changed since their last emission); forgets expired ones.

        :param idle: the input had nothing new, so the wall clock may close windows.
        """
        clock = max(self.watermark_ms, now_ms) if idle else self.watermark_ms
        for key in [key for key, window in self._windows.items()
                    if not window.dirty and window.start_ms + self.window_ms + self.retention_ms < self.watermark_ms]:
            del self._windows[key]
        out = []
        for key in sorted(self._windows, key=lambda item: (item[1], item[0])):
            window = self._windows[key]
            end = window.start_ms + self.window_ms
            if window.dirty and end + self.grace_ms <= clock:
                window.dirty = False
                out.append(UsageRecord(
                    tenant_id=window.tenant_id, window_id=f"{window.tenant_id}/{window.start_ms}",
                    window_start=_iso(window.start_ms), window_end=_iso(end),
                    window_start_ms=window.start_ms, window_end_ms=end, **window.totals,
                ))
        return out

    def reopen(self, records: Sequence[UsageRecord]) -> None:
        """Mark windows whose emission failed as still to be emitted."""
        for record in records:
            window = self._windows.get((record.tenant_id, record.window_start_ms))
            if window is not None:
                window.dirty = True

    def safe_offsets(self, consumed: dict[TopicPartition, int]) -> dict[TopicPartition, int]:
        """Per partition, the offset to commit: the oldest kept window's first offset, else what was consumed."""
        offsets = dict(consumed)
        for window in self._windows.values():
            for partition, offset in window.first_offsets.items():
                offsets[partition] = min(offsets.get(partition, offset), offset)
        return offsets


class BillingProcessor:
    """db.knowledges + db.messages -> billing.usage."""

    name = "billing"

    def __init__(self, cdc: CdcSettings, kafka: KafkaSettings, bootstrap_servers: str | None = None) -> None:
        self.topics: tuple[str, ...] = (cdc_topic("knowledges"), cdc_topic("messages"))
        self.group_id = cdc.billing_group
        self.windows = UsageWindows(window_s=cdc.billing_window_s, grace_s=cdc.billing_grace_s,
                                    retention_windows=cdc.billing_retention_windows)
        self._publisher = OrderedPublisher(kafka, bootstrap_servers)
        self._consumed: dict[TopicPartition, int] = {}

    async def start(self) -> None:
        await self._publisher.start()

    async def stop(self) -> None:
        await self._publisher.stop()

    async def handle(self, records: Sequence[ConsumerRecord[bytes, bytes]]) -> dict[TopicPartition, int]:
        for record in records:
            partition = TopicPartition(record.topic, record.partition)
            try:
                event = parse_change(record)
            except (ValueError, ValidationError):
                logger.warning("skipping a malformed change event at %s@%d", record.topic, record.offset)
                event = None
            if event is not None:
                self.windows.add(event, partition, record.offset)
            self._consumed[partition] = record.offset + 1
        due = self.windows.due(int(time.time() * 1000), idle=not records)
        try:
            await self._publisher.send([
                KafkaRecord(Topic.BILLING_USAGE.value, usage.tenant_id.encode(), usage.model_dump_json().encode())
                for usage in due
            ])
        except BaseException:
            self.windows.reopen(due)
            raise
        return self.windows.safe_offsets(self._consumed)
