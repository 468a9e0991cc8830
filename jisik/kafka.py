"""Kafka clients for jisik: JSON values, trace context in headers, topics created on demand.

Producers are not idempotent on purpose: the embedded Tansu broker does not support aiokafka's
idempotent producer. Exactly-once *effect* comes from deterministic ids and upserts downstream.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from opentelemetry.context import Context
from pydantic import BaseModel

from jisik.settings import KafkaSettings
from jisik.telemetry import context_from_headers, inject_headers

__all__ = [
    "create_consumer",
    "create_producer",
    "decode_value",
    "ensure_topics",
    "publish",
    "record_context",
]

logger = logging.getLogger(__name__)


async def create_producer(settings: KafkaSettings, bootstrap_servers: str | None = None) -> AIOKafkaProducer:
    """A started producer (acks=all, waits for the leader to persist)."""
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers or settings.brokers,
        client_id=settings.client_id,
        acks="all",
        linger_ms=5,
    )
    await producer.start()
    return producer


def create_consumer(
    settings: KafkaSettings,
    topics: Sequence[str],
    *,
    group_id: str,
    bootstrap_servers: str | None = None,
    max_poll_records: int = 50,
    fetch_max_wait_ms: int = 500,
) -> AIOKafkaConsumer:
    """An unstarted consumer with manual commits: commit only after the work is done. A lower
    ``fetch_max_wait_ms`` trades idle fetch requests for a shorter delay per hop."""
    return AIOKafkaConsumer(
        *topics,
        bootstrap_servers=bootstrap_servers or settings.brokers,
        client_id=settings.client_id,
        group_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        session_timeout_ms=settings.session_timeout_ms,
        heartbeat_interval_ms=max(1000, settings.session_timeout_ms // 3),
        max_poll_records=max_poll_records,
        fetch_max_wait_ms=fetch_max_wait_ms,
    )


async def ensure_topics(
    settings: KafkaSettings, topics: Iterable[str], *, bootstrap_servers: str | None = None, partitions: int = 1
) -> None:
    """Create the topics that do not exist yet."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers or settings.brokers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [NewTopic(name, num_partitions=partitions, replication_factor=1) for name in topics
                   if name not in existing]
        if missing:
            try:
                await admin.create_topics(missing)
            except TopicAlreadyExistsError:
                logger.debug("topics created concurrently")
    finally:
        await admin.close()


def _encode(value: BaseModel | dict[str, Any]) -> bytes:
    if isinstance(value, BaseModel):
        return value.model_dump_json().encode()
    return json.dumps(value, separators=(",", ":"), default=str).encode()


async def publish(
    producer: AIOKafkaProducer,
    topic: str,
    *,
    key: bytes | str,
    value: BaseModel | dict[str, Any],
    headers: Sequence[tuple[str, bytes]] | None = None,
) -> None:
    """Send and wait for the broker's ack. The current trace context is added unless headers carry one."""
    outgoing = list(headers or ())
    if not any(name == "traceparent" for name, _ in outgoing):
        outgoing += inject_headers()
    await producer.send_and_wait(
        topic, _encode(value), key=key.encode() if isinstance(key, str) else key, headers=outgoing
    )


def decode_value(record: ConsumerRecord[bytes, bytes]) -> dict[str, Any]:
    """The JSON object a record carries; ValueError when it is not one."""
    value = json.loads(record.value or b"null")
    if not isinstance(value, dict):
        raise ValueError(f"record at {record.topic}/{record.partition}@{record.offset} is not a JSON object")
    return value


def record_context(record: ConsumerRecord[bytes, bytes]) -> Context:
    """The trace context the producer attached to a record."""
    return context_from_headers(list(record.headers or ()))
