"""Runs one stage as a Kafka consumer group member.

- Bounded in-flight work: at most ``concurrency`` documents at once, shared fairly between tenants
  (round-robin, at most ``slots_per_tenant`` each; see :mod:`ingest.fairness`), with a bounded buffer of
  consumed records waiting for a slot.
- Offsets are committed only up to the oldest record whose work is finished (exactly-once effect
  together with deterministic chunk ids and upserts).
- Retries with exponential backoff, by whose fault a try failed (see :mod:`ingest.failures`): the
  document's own fails at once, a parser crash is retried once, a dependency outage is waited out
  (``outage_budget_s``), anything else gets ``max_attempts`` tries; a failed document is marked failed
  and a documents.failed dead letter says why. One bad document holds one slot only, never the others.
- Records of one document are handled one after another, never concurrently.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.errors import KafkaError
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from jisik.errors import JisikError
from jisik.events import DocumentEvent, DocumentFailed, event_model_for
from jisik.kafka import create_consumer, decode_value, record_context
from jisik.settings import IngestSettings
from jisik.telemetry import attached, tracer
from jisik.webhooks import EventType, stage_webhook_event
from jisik.webhooks.documents import failed_data

from .context import IngestContext, StageHandler
from .failures import TryLedger, classify
from .fairness import FairQueue
from .metrics import STAGE_FAILURES, STAGE_RECORDS, STAGE_SECONDS, TRY_FAILURES
from .publishing import publish_event
from .repository import mark_failed, touch

__all__ = ["StageWorker"]

logger = logging.getLogger(__name__)


class _OffsetTracker:
    """Offsets in flight per partition; the committable offset is the first one not finished."""

    def __init__(self) -> None:
        self._flags: dict[TopicPartition, OrderedDict[int, bool]] = {}

    def started(self, tp: TopicPartition, offset: int) -> None:
        flags = self._flags.setdefault(tp, OrderedDict())
        if flags and offset <= next(reversed(flags)):
            flags.clear()  # the partition restarted (a broker that lost its log, a reset): forget the old offsets
        flags[offset] = False

    def finished(self, tp: TopicPartition, offset: int) -> int | None:
        """The offset to commit now, if the finished work moved the low-water mark."""
        flags = self._flags.get(tp)
        if flags is None or offset not in flags:
            return None
        flags[offset] = True
        commit: int | None = None
        while flags and flags[next(iter(flags))]:
            done, _ = flags.popitem(last=False)
            commit = done + 1
        return commit


@dataclass(frozen=True)
class _Work:
    tp: TopicPartition
    record: ConsumerRecord[bytes, bytes]
    event: DocumentEvent


class StageWorker:
    def __init__(self, handler: StageHandler, context: IngestContext, producer: AIOKafkaProducer,
                 *, bootstrap_servers: str | None = None) -> None:
        self.handler = handler
        self.stage = handler.stage
        self._context = context
        self._producer = producer
        self._servers = bootstrap_servers
        self._offsets = _OffsetTracker()
        self._tasks: set[asyncio.Task[None]] = set()
        self._key_locks: dict[str, asyncio.Lock] = {}
        self._key_users: dict[str, int] = {}
        self._consumer: AIOKafkaConsumer | None = None
        settings = self._settings
        self._queue: FairQueue[_Work] = FairQueue(slots_per_tenant=settings.slots_per_tenant,
                                                  capacity=settings.buffer_records)

    @property
    def _settings(self) -> IngestSettings:
        return self._context.settings.ingest

    async def run(self) -> None:
        """Consume until cancelled; in-flight documents are cancelled (their offsets stay uncommitted)."""
        settings = self._settings
        consumer = create_consumer(self._context.settings.kafka, [self.stage.consumes], group_id=self.stage.group_id,
                                   bootstrap_servers=self._servers, max_poll_records=settings.concurrency)
        self._consumer = consumer
        await consumer.start()
        logger.info("ingest stage %s consuming %s as %s", self.stage.name, self.stage.consumes, self.stage.group_id)
        try:
            while True:
                self._start_ready()
                room = self._queue.capacity - len(self._queue)
                batches = await consumer.getmany(timeout_ms=500, max_records=max(room, settings.concurrency))
                for tp, records in batches.items():
                    for record in records:
                        await self._take(tp, record)
                self._start_ready()
                if len(self._queue) and self._tasks:  # what waits cannot start until a slot frees up
                    await asyncio.wait(self._tasks, timeout=0.5, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in self._tasks:
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            await consumer.stop()

    async def _take(self, tp: TopicPartition, record: ConsumerRecord[bytes, bytes]) -> None:
        """Queue a consumed record under its tenant; a malformed or shed record is released at once."""
        self._offsets.started(tp, record.offset)
        event = self._decode(record)
        if event is None:
            STAGE_RECORDS.labels(self.stage.name, "dropped").inc()
            await self._release(tp, record.offset)
            return
        shed = self._queue.add(event.tenant_id, _Work(tp, record, event))
        if shed is not None:
            STAGE_RECORDS.labels(self.stage.name, "shed").inc()
            logger.info("ingest stage %s: buffer full, document %s of the busiest tenant is re-driven later",
                        self.stage.name, shed.event.knowledge_id)
            await self._release(shed.tp, shed.record.offset)

    def _start_ready(self) -> None:
        while len(self._tasks) < self._settings.concurrency:
            picked = self._queue.next()
            if picked is None:
                return
            tenant, work = picked
            task = asyncio.create_task(self._process(work))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            task.add_done_callback(functools.partial(self._slot_freed, tenant))

    def _slot_freed(self, tenant: str, _task: asyncio.Task[None]) -> None:
        self._queue.finished(tenant)

    async def _process(self, work: _Work) -> None:
        event, record = work.event, work.record
        started, outcome = time.perf_counter(), "error"
        try:
            attributes: dict[str, str | int] = {"jisik.tenant_id": event.tenant_id, "jisik.knowledge_id": event.knowledge_id,
                                                "jisik.version": event.version}
            with attached(record_context(record)), tracer(__name__).start_as_current_span(
                f"ingest.{self.stage.name}", attributes=attributes
            ):
                async with self._one_at_a_time(event.knowledge_id), self._heartbeat(event.knowledge_id):
                    outcome = await self._attempt(event)
        except Exception:
            # Nothing may stop the stage: the re-driver picks the document up again from its status.
            logger.exception("ingest stage %s could not finish record %s@%d", self.stage.name, work.tp, record.offset)
        STAGE_RECORDS.labels(self.stage.name, outcome).inc()
        STAGE_SECONDS.labels(self.stage.name).observe(time.perf_counter() - started)
        await self._release(work.tp, record.offset)

    async def _release(self, tp: TopicPartition, offset: int) -> None:
        """The record needs no more work here: commit its offset once everything before it is done too."""
        commit = self._offsets.finished(tp, offset)
        if commit is not None and self._consumer is not None:
            try:
                await self._consumer.commit({tp: commit})
            except KafkaError as exc:
                logger.warning("ingest stage %s: offset commit failed (%s); work may be redone", self.stage.name, exc)

    def _decode(self, record: ConsumerRecord[bytes, bytes]) -> DocumentEvent | None:
        try:
            return event_model_for(self.stage.consumes).model_validate(decode_value(record))
        except (ValueError, ValidationError):
            logger.warning("ingest stage %s dropped a malformed record at %s@%d",
                           self.stage.name, record.topic, record.offset)
            return None

    async def _attempt(self, event: DocumentEvent) -> str:
        """Handle with retries; :class:`TryLedger` decides from whose fault a failure was when to give up.

        :returns: ``done`` or ``failed`` (the document was given up on).
        """
        loop = asyncio.get_running_loop()
        ledger = TryLedger(self._settings)
        while True:
            try:
                outcome = await self.handler.handle(event)
            except JisikError as exc:
                reason = exc.message
                logger.warning("ingest stage %s: document %s try failed: %s", self.stage.name, event.knowledge_id,
                               exc.code)
                verdict, fault = ledger.failed(exc, reason, loop.time()), classify(exc).value
            except Exception as exc:
                reason = f"an internal error stopped the {self.stage.name} step"
                logger.exception("ingest stage %s: document %s try failed", self.stage.name, event.knowledge_id)
                verdict, fault = ledger.failed(exc, reason, loop.time()), classify(exc).value
            else:
                if outcome is not None:
                    await publish_event(self._producer, outcome, self._context.settings, self._servers)
                return "done"
            TRY_FAILURES.labels(self.stage.name, fault).inc()
            if verdict is not None:
                STAGE_FAILURES.labels(self.stage.name, fault).inc()
                await self._fail(event, verdict, max(ledger.attempts, 1))
                return "failed"
            await asyncio.sleep(ledger.backoff_s())

    async def _fail(self, event: DocumentEvent, reason: str, attempts: int) -> None:
        dead = DocumentFailed(
            tenant_id=event.tenant_id, knowledge_base_id=event.knowledge_base_id, knowledge_id=event.knowledge_id,
            version=event.version, attempt=attempts, stage=self.stage.name, reason=reason,
            failed_topic=self.stage.consumes.value,
        )
        async with self._context.sessions.begin() as session:
            current = await mark_failed(session, event, reason)
            if current:
                await stage_webhook_event(session, event.tenant_id, EventType.DOCUMENT_FAILED, failed_data(dead))
        if not current:
            return
        logger.info("ingest stage %s: document %s failed", self.stage.name, event.knowledge_id)
        await publish_event(self._producer, dead, self._context.settings, self._servers)

    @contextlib.asynccontextmanager
    async def _one_at_a_time(self, key: str) -> AsyncIterator[None]:
        lock = self._key_locks.setdefault(key, asyncio.Lock())
        self._key_users[key] = self._key_users.get(key, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._key_users[key] -= 1
            if not self._key_users[key]:
                del self._key_users[key], self._key_locks[key]

    @contextlib.asynccontextmanager
    async def _heartbeat(self, knowledge_id: str) -> AsyncIterator[None]:
        """Keep the document's updated_at fresh while working so the re-driver leaves it alone."""
        interval = max(0.5, self._settings.redrive_stale_s / 3)

        async def beat() -> None:
            while True:
                await asyncio.sleep(interval)
                try:
                    async with self._context.sessions.begin() as session:
                        await touch(session, knowledge_id)
                except (SQLAlchemyError, OSError):  # a missed beat only risks a redundant re-drive
                    logger.warning("ingest heartbeat for %s failed", knowledge_id)

        task = asyncio.create_task(beat())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
