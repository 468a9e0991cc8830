"""Helpers shared by the CDC tests (a relay task that can be killed, a topic reader)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord

from cdc.relay import Relay
from jisik.db.engine import create_engine, session_factory, transaction
from jisik.db.models import KnowledgeBase, Tenant
from jisik.kafka import ensure_topics
from jisik.settings import KafkaSettings


class RelayRunner:
    """Starts and stops a relay as a task (a stop is as abrupt as cancelling it)."""

    def __init__(self, make: Callable[[], Relay]) -> None:
        self._make = make
        self.relay: Relay | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self, *, wait: bool = True) -> Relay:
        self.relay = self._make()
        self._task = asyncio.create_task(self.relay.run())
        if wait:
            await asyncio.wait_for(self.relay.ready.wait(), 30)
        return self.relay

    async def kill(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def check(self) -> None:
        if self._task is not None and self._task.done():
            self._task.result()


async def read_topic(
    bootstrap: str, topic: str, *, until: Callable[[list[ConsumerRecord[bytes, bytes]]], bool],
    keep: Callable[[ConsumerRecord[bytes, bytes]], bool] = lambda _: True, timeout_s: float = 30.0,
    check: Callable[[], None] = lambda: None,
) -> list[ConsumerRecord[bytes, bytes]]:
    """Records of ``topic`` from the beginning that pass ``keep``, once ``until`` holds (or the timeout).

    The topic is created first (one partition, as the relay would): a consumer's metadata request must not
    auto-create it with the broker's default partition count.
    """
    await ensure_topics(KafkaSettings(), [topic], bootstrap_servers=bootstrap)
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                enable_auto_commit=False, group_id=None)
    await consumer.start()
    found: list[ConsumerRecord[bytes, bytes]] = []
    try:
        deadline = asyncio.get_running_loop().time() + timeout_s
        while not until(found) and asyncio.get_running_loop().time() < deadline:
            check()
            batches = await consumer.getmany(timeout_ms=300)
            for records in batches.values():
                found.extend(record for record in records if keep(record))
    finally:
        await consumer.stop()
    return found


def value(record: ConsumerRecord[bytes, bytes]) -> Any:
    return json.loads(record.value or b"null")


async def seed(url: str) -> tuple[str, str]:
    """A tenant and a knowledge base; returns their ids."""
    engine = create_engine(url, pool_size=1)
    try:
        async with transaction(session_factory(engine)) as session:
            tenant = Tenant(name="acme", api_key_hash=uuid.uuid4().hex, api_key_prefix="sk-")
            session.add(tenant)
            await session.flush()
            base = KnowledgeBase(tenant_id=tenant.id, name="handbook")
            session.add(base)
        return tenant.id, base.id
    finally:
        await engine.dispose()


INSERT_OUTBOX = (
    "INSERT INTO outbox (id, tenant_id, aggregate_type, aggregate_id, event_type, payload, headers, created_at) "
    "VALUES (%s, 't1', 'knowledge', %s, %s, %s, %s, now())"
)


def outbox_row(topic: str, doc: str, n: int) -> tuple[Any, ...]:
    traceparent = f"00-{uuid.uuid4().hex}-{uuid.uuid4().hex[:16]}-01"
    return (str(uuid.uuid4()), doc, topic, json.dumps({"knowledge_id": doc, "n": n}),
            json.dumps({"traceparent": traceparent}))
