"""The consumer loop every CDC processor runs: fetch, handle, commit; on failure rewind and retry.

A processor's ``handle`` must be idempotent: after a crash or a retry the records since the last
commit are handled again. It may return the offsets it wants committed; ``None`` means "everything
fetched so far".
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Protocol

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.structs import OffsetAndMetadata

from jisik.kafka import create_consumer, ensure_topics
from jisik.settings import KafkaSettings

__all__ = ["Processor", "run_processor"]

logger = logging.getLogger(__name__)

Offsets = dict[TopicPartition, int]


class Processor(Protocol):
    name: str
    topics: tuple[str, ...]
    group_id: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def handle(self, records: Sequence[ConsumerRecord[bytes, bytes]]) -> Offsets | None:
        """Apply a batch (in per-partition order); called with an empty batch when idle."""
        ...


async def run_processor(
    processor: Processor,
    kafka: KafkaSettings,
    stop: asyncio.Event,
    *,
    bootstrap_servers: str | None = None,
    poll_ms: int = 500,
    retry_s: float = 1.0,
    fetch_max_wait_ms: int = 500,
) -> None:
    """Run ``processor`` until ``stop`` is set."""
    await ensure_topics(kafka, processor.topics, bootstrap_servers=bootstrap_servers)
    consumer = create_consumer(kafka, processor.topics, group_id=processor.group_id,
                               bootstrap_servers=bootstrap_servers, max_poll_records=500,
                               fetch_max_wait_ms=fetch_max_wait_ms)
    await consumer.start()
    try:
        await processor.start()
        try:
            await _consume(processor, consumer, stop, poll_ms=poll_ms, retry_s=retry_s)
        finally:
            await processor.stop()
    finally:
        await consumer.stop()


async def _consume(
    processor: Processor, consumer: AIOKafkaConsumer, stop: asyncio.Event, *, poll_ms: int, retry_s: float
) -> None:
    while not stop.is_set():
        batches = await consumer.getmany(timeout_ms=poll_ms)
        records = [record for partition in sorted(batches) for record in batches[partition]]
        try:
            offsets = await processor.handle(records)
        except Exception:  # noqa: BLE001 - any failure: rewind, wait, retry; nothing is committed
            logger.exception("%s failed on a batch of %d records; retrying", processor.name, len(records))
            for partition, items in batches.items():
                if items:
                    consumer.seek(partition, items[0].offset)
            await asyncio.sleep(retry_s)
            continue
        if offsets is None:
            offsets = {partition: items[-1].offset + 1 for partition, items in batches.items() if items}
        if offsets:
            await consumer.commit({tp: OffsetAndMetadata(offset, "") for tp, offset in offsets.items()})
