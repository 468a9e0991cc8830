"""A Kafka producer that keeps the order it is given and returns only when every record is acked."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from aiokafka import AIOKafkaProducer

from jisik.kafka import create_producer, ensure_topics
from jisik.settings import KafkaSettings
from jisik.telemetry import inject_headers

from .records import KafkaRecord

__all__ = ["OrderedPublisher"]


class OrderedPublisher:
    """Records are enqueued one after another (per-partition order is the call order), then awaited together,
    which is much faster than one round trip per record. Missing topics are created on first use."""

    def __init__(self, kafka: KafkaSettings, bootstrap_servers: str | None = None) -> None:
        self.kafka = kafka
        self.bootstrap_servers = bootstrap_servers
        self._producer: AIOKafkaProducer | None = None
        self._topics: set[str] = set()

    async def start(self) -> None:
        self._producer = await create_producer(self.kafka, self.bootstrap_servers)

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    async def send(self, records: Sequence[KafkaRecord]) -> None:
        """Publish in order; raises (a KafkaError) unless the broker acked every record."""
        if not records:
            return
        if self._producer is None:
            raise RuntimeError("OrderedPublisher.send before start()")
        new_topics = {record.topic for record in records} - self._topics
        if new_topics:
            await ensure_topics(self.kafka, new_topics, bootstrap_servers=self.bootstrap_servers)
            self._topics |= new_topics
        trace_headers = inject_headers()
        pending = []
        for record in records:
            headers = list(record.headers)
            if not any(name == "traceparent" for name, _ in headers):
                headers += trace_headers
            pending.append(
                await self._producer.send(record.topic, record.value, key=record.key, headers=headers)
            )
        await asyncio.gather(*pending)
