"""Seconds lag on the real broker: a producer writes at a steady rate, a throttled consumer of the parse
stage's group falls behind, and the gateway's sampler (LagMonitor over partition_offsets, one sample a
second) estimates how long the oldest uncommitted record has waited. The truth is the time each record
was acknowledged by the broker, recorded by the producer; the estimate must be within ±20% of it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import OffsetAndMetadata
from ingest_helpers import make_settings
from prometheus_client import REGISTRY

from ingest.lag import partition_offsets
from ingest.lag_monitor import LagMonitor
from ingest.topology import STAGES
from jisik.kafka import create_producer, ensure_topics
from jisik.runtime.tansu import EmbeddedTansu
from tests.conftest import free_port

PARSE = STAGES[0]
PRODUCE_PER_S = 10.0
CONSUME_PER_S = 4.0
RUN_S = 24.0
CHECKS = 6  # the last samples, once the backlog is older than a few seconds


@pytest.fixture
def own_broker() -> Iterator[EmbeddedTansu]:
    """A broker of this test's own: the parse group's offsets here belong to nobody else."""
    broker = EmbeddedTansu(free_port())
    broker.start()
    yield broker
    broker.stop()


async def test_seconds_lag_of_a_throttled_consumer_is_within_twenty_percent(own_broker: EmbeddedTansu) -> None:
    settings = make_settings("postgresql://unused/unused", own_broker.bootstrap_servers)
    servers = own_broker.bootstrap_servers
    topic = str(PARSE.consumes)
    await ensure_topics(settings.kafka, [topic], bootstrap_servers=servers)
    partition = TopicPartition(topic, 0)
    acknowledged: dict[int, float] = {}  # offset -> when the broker acknowledged it (monotonic)
    done = asyncio.Event()

    async def produce() -> None:
        producer = await create_producer(settings.kafka, servers)
        try:
            started = time.monotonic()
            count = 0
            while time.monotonic() - started < RUN_S:
                meta = await producer.send_and_wait(topic, b"{}", partition=0)
                acknowledged[meta.offset] = time.monotonic()
                count += 1
                await asyncio.sleep(max(0.0, started + count / PRODUCE_PER_S - time.monotonic()))
        finally:
            await producer.stop()
            done.set()

    async def consume_slowly() -> None:
        consumer = AIOKafkaConsumer(bootstrap_servers=servers, group_id=PARSE.group_id, enable_auto_commit=False,
                                    auto_offset_reset="earliest", client_id="throttled")
        await consumer.start()
        consumer.assign([partition])
        try:
            while not done.is_set():
                batch = await consumer.getmany(partition, timeout_ms=200, max_records=1)
                for record in batch.get(partition, []):
                    await asyncio.sleep(1 / CONSUME_PER_S)
                    await consumer.commit({partition: OffsetAndMetadata(record.offset + 1, "")})
        finally:
            await consumer.stop()

    monitor = LagMonitor(window=10)
    errors: list[tuple[float, float]] = []  # (estimate, truth) at each sample with a backlog
    tasks = [asyncio.create_task(produce()), asyncio.create_task(consume_slowly())]
    try:
        for _ in range(int(RUN_S) - 1):
            await asyncio.sleep(1.0)
            # What LagMonitor.sample does, keeping the offsets and the moment to compare with the truth.
            [offsets] = [item for item in await partition_offsets(settings) if item.stage == PARSE.name]
            now = time.monotonic()
            monitor.record([offsets], now)
            estimate = REGISTRY.get_sample_value("jisik_ingest_consumer_lag_seconds",
                                                 {"group": PARSE.group_id, "partition": "0"})
            assert estimate is not None  # the gauge Prometheus scrapes
            if offsets.lag and offsets.committed in acknowledged:
                errors.append((estimate, now - acknowledged[offsets.committed]))
    finally:
        done.set()
        await asyncio.gather(*tasks)
    checked = errors[-CHECKS:]
    assert len(checked) == CHECKS and min(truth for _, truth in checked) > 5.0, errors
    for estimate, truth in checked:
        assert estimate == pytest.approx(truth, rel=0.2), checked
