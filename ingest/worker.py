"""Runs one stage as a Kafka consumer group member.

- Bounded in-flight work: at most ``settings.ingest.concurrency`` documents at once; when full the
  partitions are paused (the consumer keeps polling, so it stays in the group).
- Offsets are committed only up to the oldest record whose work is finished (exactly-once effect
  together with deterministic chunk ids and upserts).
- Retries with exponential backoff; permanent errors fail at once; after ``max_attempts`` the
  document is marked failed and a documents.failed dead letter says why. A dependency outage is
  waited out (``outage_budget_s``) instead of failing every document in flight. One bad document holds one
  slot only, never the others.
- Records of one document are handled one after another, never concurrently.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.errors import KafkaError
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from jisik.errors import Blocked, InvalidInput, JisikError, NotFound, ParseFailed, Unavailable
from jisik.events import DocumentEvent, DocumentFailed, event_model_for
from jisik.kafka import create_consumer, decode_value, record_context
from jisik.settings import IngestSettings
from jisik.telemetry import tracer

from .context import IngestContext, StageHandler
from .publishing import publish_event
from .repository import mark_failed, touch

__all__ = ["StageWorker"]

logger = logging.getLogger(__name__)

PERMANENT_ERRORS: tuple[type[JisikError], ...] = (InvalidInput, ParseFailed, Blocked, NotFound)


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
        while flags and next(iter(flags.values())):
            done, _ = flags.popitem(last=False)
            commit = done + 1
        return commit


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

    @property
    def _settings(self) -> IngestSettings:
        return self._context.settings.ingest

    async def run(self) -> None:
        """Consume until cancelled; in-flight documents are cancelled (their offsets stay uncommitted)."""
        concurrency = self._settings.concurrency
        consumer = create_consumer(self._context.settings.kafka, [self.stage.consumes], group_id=self.stage.group_id,
                                   bootstrap_servers=self._servers, max_poll_records=concurrency)
        self._consumer = consumer
        await consumer.start()
        logger.info("ingest stage %s consuming %s as %s", self.stage.name, self.stage.consumes, self.stage.group_id)
        try:
            while True:
                free = concurrency - len(self._tasks)
                assigned = consumer.assignment()
                if free <= 0:
                    consumer.pause(*assigned)
                else:
                    consumer.resume(*assigned)
                batches = await consumer.getmany(timeout_ms=500, max_records=max(free, 1))
                for tp, records in batches.items():
                    for record in records:
                        self._offsets.started(tp, record.offset)
                        task = asyncio.create_task(self._process(tp, record))
                        self._tasks.add(task)
                        task.add_done_callback(self._tasks.discard)
                if free <= 0 and self._tasks:
                    await asyncio.wait(self._tasks, timeout=0.5, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in self._tasks:
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            await consumer.stop()

    async def _process(self, tp: TopicPartition, record: ConsumerRecord[bytes, bytes]) -> None:
        try:
            event = self._decode(record)
            if event is not None:
                attributes = {"jisik.tenant_id": event.tenant_id, "jisik.knowledge_id": event.knowledge_id,
                              "jisik.version": event.version}
                with tracer(__name__).start_as_current_span(
                    f"ingest.{self.stage.name}", context=record_context(record), attributes=attributes
                ):
                    async with self._one_at_a_time(event.knowledge_id), self._heartbeat(event.knowledge_id):
                        await self._attempt(event)
        except Exception:
            # Nothing may stop the stage: the re-driver picks the document up again from its status.
            logger.exception("ingest stage %s could not finish record %s@%d", self.stage.name, tp, record.offset)
        commit = self._offsets.finished(tp, record.offset)
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

    async def _attempt(self, event: DocumentEvent) -> None:
        """Handle with retries. A dependency outage (Unavailable) is not the document's fault: it is
        retried for up to ``outage_budget_s`` without using up the document's ``max_attempts``."""
        settings = self._settings
        loop = asyncio.get_running_loop()
        attempt, tries, outage_since, reason = 0, 0, None, ""
        while True:
            try:
                outcome = await self.handler.handle(event)
            except PERMANENT_ERRORS as exc:
                await self._fail(event, exc.message, attempt + 1)
                return
            except Unavailable as exc:
                outage_since = outage_since if outage_since is not None else loop.time()
                reason = exc.message
                if loop.time() - outage_since >= settings.outage_budget_s:
                    await self._fail(event, f"{reason} (still unavailable after {settings.outage_budget_s:.0f} s)",
                                     attempt + 1)
                    return
                logger.warning("ingest stage %s: document %s waits for a dependency: %s", self.stage.name,
                               event.knowledge_id, exc.code)
            except JisikError as exc:
                attempt, reason = attempt + 1, exc.message
                logger.warning("ingest stage %s: document %s try %d/%d failed: %s", self.stage.name,
                               event.knowledge_id, attempt, settings.max_attempts, exc.code)
            except Exception:
                attempt, reason = attempt + 1, f"an internal error stopped the {self.stage.name} step"
                logger.exception("ingest stage %s: document %s try %d/%d failed", self.stage.name,
                                 event.knowledge_id, attempt, settings.max_attempts)
            else:
                if outcome is not None:
                    await publish_event(self._producer, outcome, self._context.settings, self._servers)
                return
            if attempt >= settings.max_attempts:
                await self._fail(event, f"{reason} (gave up after {attempt} tries)", attempt)
                return
            tries += 1
            await asyncio.sleep(min(settings.retry_backoff_max_s, settings.retry_backoff_s * 2 ** (tries - 1)))

    async def _fail(self, event: DocumentEvent, reason: str, attempts: int) -> None:
        async with self._context.sessions.begin() as session:
            current = await mark_failed(session, event, reason)
        if not current:
            return
        logger.info("ingest stage %s: document %s failed", self.stage.name, event.knowledge_id)
        dead = DocumentFailed(
            tenant_id=event.tenant_id, knowledge_base_id=event.knowledge_base_id, knowledge_id=event.knowledge_id,
            version=event.version, attempt=attempts, stage=self.stage.name, reason=reason,
            failed_topic=self.stage.consumes.value,
        )
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
