"""StageWorker against the real Tansu broker and PostgreSQL, driving a scripted stage handler."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import inspect
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from ingest_helpers import Workspace, read_events, tenant_docs, wait_for
from sqlalchemy import update
from sqlmodel import col

from ingest import commands
from ingest.context import IngestContext
from ingest.redrive import Redriver
from ingest.topology import stage_named
from ingest.worker import StageWorker
from jisik.clients.bundle import ServiceClients
from jisik.db.models import Knowledge, ParseStatus
from jisik.errors import ParseFailed, ParserCrashed, Unavailable
from jisik.events import DocumentEvent, DocumentParsed, DocumentUploaded, Topic
from jisik.kafka import publish
from jisik.settings import IngestSettings

pytestmark = pytest.mark.integration

Behaviour = Callable[[DocumentUploaded, int], DocumentEvent | None]


class ScriptedStage:
    """A parse-stage stand-in whose outcome per document and attempt is scripted by the test."""

    def __init__(self, behaviour: Behaviour, ids: set[str]) -> None:
        self.stage = dataclasses.replace(stage_named("parse"), group_id=f"test-worker-{uuid.uuid4().hex[:8]}")
        self._behaviour = behaviour
        self._ids = ids
        self.calls: Counter[str] = Counter()
        self.running = 0
        self.peak = 0

    async def handle(self, event: DocumentEvent) -> DocumentEvent | None:
        assert isinstance(event, DocumentUploaded)
        if event.knowledge_id not in self._ids:  # records of other tests on the shared broker
            return None
        self.calls[event.knowledge_id] += 1
        self.running += 1
        self.peak = max(self.peak, self.running)
        try:
            await asyncio.sleep(0.2)
            return self._behaviour(event, self.calls[event.knowledge_id])
        finally:
            self.running -= 1


def parsed(event: DocumentUploaded) -> DocumentParsed:
    return DocumentParsed(tenant_id=event.tenant_id, knowledge_base_id=event.knowledge_base_id,
                          knowledge_id=event.knowledge_id, version=event.version, page_count=1, chunk_count=1,
                          content_hash="h")


async def _run(ws: Workspace, producer: AIOKafkaProducer, handler: ScriptedStage, docs: list[Knowledge],
               until: Callable[[], object], **ingest: object) -> StageWorker:
    settings = ws.settings.model_copy(update={"ingest": IngestSettings(
        **{**ws.settings.ingest.model_dump(), **ingest})})
    context = IngestContext(settings, ws.sessions, ServiceClients.open(settings, timeout_s=5))
    worker = StageWorker(handler, context, producer)
    task = asyncio.create_task(worker.run())
    try:
        for doc in docs:
            event = DocumentUploaded(tenant_id=doc.tenant_id, knowledge_base_id=doc.knowledge_base_id,
                                     knowledge_id=doc.id, version=doc.version)
            await publish(producer, Topic.DOCUMENTS_UPLOADED, key=event.key, value=event)

        async def done() -> bool:
            result = until()
            return await result if inspect.isawaitable(result) else bool(result)

        assert await wait_for(done, timeout_s=60), f"worker did not finish: calls={dict(handler.calls)}"
        await asyncio.sleep(0.5)  # let the last offsets commit
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    return worker


async def _status(ws: Workspace, knowledge_id: str) -> Knowledge:
    async with ws.sessions() as session:
        row = await session.get(Knowledge, knowledge_id)
    assert row is not None
    return row


class TestStageWorker:
    async def test_an_outage_is_waited_out_without_using_up_attempts(
        self, workspace: Workspace, producer: AIOKafkaProducer
    ) -> None:
        [doc] = await tenant_docs(workspace.sessions, workspace, 1)

        def flaky(event: DocumentUploaded, attempt: int) -> DocumentEvent | None:
            if attempt < 3:
                raise Unavailable("model service is unavailable")
            return parsed(event)

        handler = ScriptedStage(flaky, {doc.id})
        await _run(workspace, producer, handler, [doc], lambda: handler.calls[doc.id] >= 3, max_attempts=1)
        [event] = await read_events(workspace.settings.kafka.bootstrap_servers, Topic.DOCUMENTS_PARSED, {doc.id},
                                    want=1)
        assert event["version"] == 1 and event["tenant_id"] == workspace.tenant_id
        assert handler.calls[doc.id] == 3
        assert (await _status(workspace, doc.id)).parse_status == ParseStatus.PENDING  # the handler owns status

    async def test_bad_document_is_dead_lettered_without_blocking_others(
        self, workspace: Workspace, producer: AIOKafkaProducer
    ) -> None:
        bad, flaky, good = await tenant_docs(workspace.sessions, workspace, 3)

        def behaviour(event: DocumentUploaded, attempt: int) -> DocumentEvent | None:
            if event.knowledge_id == bad.id:
                raise ParseFailed("the PDF is encrypted")
            if event.knowledge_id == flaky.id:
                raise RuntimeError("a bug in the handler")  # not the document's fault: max_attempts tries
            return parsed(event)

        handler = ScriptedStage(behaviour, {bad.id, flaky.id, good.id})
        await _run(workspace, producer, handler, [bad, flaky, good],
                   lambda: handler.calls[flaky.id] >= 3 and handler.calls[good.id] >= 1 and handler.calls[bad.id] >= 1)
        assert handler.calls[bad.id] == 1  # permanent: no retries
        servers = workspace.settings.kafka.bootstrap_servers
        dead = await read_events(servers, Topic.DOCUMENTS_FAILED, {bad.id, flaky.id}, want=2)
        reasons = {event["knowledge_id"]: event for event in dead}
        assert reasons[bad.id]["stage"] == "parse" and "encrypted" in reasons[bad.id]["reason"]
        assert reasons[flaky.id]["failed_topic"] == "documents.uploaded"
        assert reasons[flaky.id]["reason"] == "an internal error stopped the parse step (gave up after 3 tries)"
        assert "encrypted" in (await _status(workspace, bad.id)).error_message
        assert (await _status(workspace, flaky.id)).parse_status == ParseStatus.FAILED
        assert await read_events(servers, Topic.DOCUMENTS_PARSED, {good.id}, want=1)

    async def test_a_long_outage_fails_the_document_in_words(
        self, workspace: Workspace, producer: AIOKafkaProducer
    ) -> None:
        [doc] = await tenant_docs(workspace.sessions, workspace, 1)

        def down(event: DocumentUploaded, attempt: int) -> DocumentEvent | None:
            raise Unavailable("model service is unavailable")

        handler = ScriptedStage(down, {doc.id})

        async def failed() -> bool:
            return (await _status(workspace, doc.id)).parse_status == ParseStatus.FAILED

        await _run(workspace, producer, handler, [doc], failed, outage_budget_s=0.5)
        assert handler.calls[doc.id] >= 2
        assert "still unavailable" in (await _status(workspace, doc.id)).error_message

    async def test_in_flight_work_is_bounded_and_malformed_records_are_skipped(
        self, workspace: Workspace, producer: AIOKafkaProducer
    ) -> None:
        docs = await tenant_docs(workspace.sessions, workspace, 6)
        await publish(producer, Topic.DOCUMENTS_UPLOADED, key=b"junk", value={"not": "an event"})
        handler = ScriptedStage(lambda event, attempt: parsed(event), {doc.id for doc in docs})
        await _run(workspace, producer, handler, docs, lambda: len(handler.calls) == 6, concurrency=2,
                   tenant_slots=5)
        assert handler.peak == 2  # the stage's bound holds even where the tenant's would allow more
        assert set(handler.calls.values()) == {1}
        # Everything finished, so the group committed up to the end of the topic (the junk record included).
        admin = AIOKafkaAdminClient(bootstrap_servers=workspace.settings.kafka.bootstrap_servers)
        probe = AIOKafkaConsumer(bootstrap_servers=workspace.settings.kafka.bootstrap_servers)
        await admin.start()
        await probe.start()
        try:
            tp = TopicPartition(Topic.DOCUMENTS_UPLOADED.value, 0)
            committed = await admin.list_consumer_group_offsets(handler.stage.group_id, partitions=[tp])
            assert committed[tp].offset == (await probe.end_offsets([tp]))[tp]
        finally:
            await probe.stop()
            await admin.close()

    async def test_a_crash_is_retried_once_and_a_bystander_recovers(
        self, workspace: Workspace, producer: AIOKafkaProducer
    ) -> None:
        culprit, bystander = await tenant_docs(workspace.sessions, workspace, 2)

        def behaviour(event: DocumentUploaded, attempt: int) -> DocumentEvent | None:
            if event.knowledge_id == culprit.id or attempt == 1:  # the bystander shared the crashed pool once
                raise ParserCrashed("docreader: the parser process crashed")
            return parsed(event)

        handler = ScriptedStage(behaviour, {culprit.id, bystander.id})

        async def settled() -> bool:
            return (await _status(workspace, culprit.id)).parse_status == ParseStatus.FAILED and bool(
                handler.calls[bystander.id] >= 2)

        await _run(workspace, producer, handler, [culprit, bystander], settled, max_attempts=5)
        assert handler.calls[culprit.id] == 2  # one retry, not max_attempts, not an outage budget
        assert "gave up after 2 tries" in (await _status(workspace, culprit.id)).error_message
        assert await read_events(workspace.settings.kafka.bootstrap_servers, Topic.DOCUMENTS_PARSED, {bystander.id},
                                 want=1)

    async def test_one_tenants_stuck_documents_leave_a_slot_for_another_tenant(
        self, workspace: Workspace, producer: AIOKafkaProducer
    ) -> None:
        stuck, small, handler = await _held_and_small(workspace, 4)

        async def a_runs_two() -> bool:
            return handler.running_by_tenant[workspace.tenant_id] == 2

        async def all_of_a_handled() -> bool:
            return all(handler.calls[doc.id] == 1 for doc in stuck)

        async with _worker(workspace, producer, handler, concurrency=3):
            await _publish_uploaded(producer, [*stuck, small])  # tenant A's records come first in the partition
            assert await _parsed_event(workspace, small)
            assert await wait_for(a_runs_two, timeout_s=30)
            await asyncio.sleep(1.0)  # time for a third document of A to start, were it allowed to
            assert handler.peak_by_tenant[workspace.tenant_id] == 2  # concurrency 3 - 1: A never holds every slot
            assert sum(handler.calls[doc.id] for doc in stuck) == 2
            handler.release.set()
            assert await wait_for(all_of_a_handled, timeout_s=30)

    async def test_a_full_buffer_sheds_the_busiest_tenants_records_to_the_redriver(
        self, workspace: Workspace, producer: AIOKafkaProducer
    ) -> None:
        flood, small, handler = await _held_and_small(workspace, 6)

        async with _worker(workspace, producer, handler, concurrency=2, tenant_slots=1, buffer_records=2) as context:
            async def redriven_until_every_document_handled() -> bool:
                # The shed documents are still pending in the database: the re-driver publishes them again
                # (and again, should the small buffer shed them once more). Aged so that only they are stale.
                waiting = [doc.id for doc in flood if not handler.calls[doc.id]]
                async with workspace.sessions.begin() as session:
                    await session.execute(update(Knowledge).where(col(Knowledge.id).in_(waiting)).values(
                        updated_at=datetime.now(UTC) - timedelta(days=1)))
                await Redriver(handler.stage, context, producer).redrive_once(older_than_s=3600)
                return not waiting

            await _publish_uploaded(producer, [*flood, small])
            assert await _parsed_event(workspace, small)
            await asyncio.sleep(1.0)
            shed = [doc for doc in flood if not handler.calls[doc.id]]
            assert handler.running_by_tenant[workspace.tenant_id] == 1
            assert len(shed) >= 6 - 1 - 2  # one runs, two wait in the buffer
            handler.release.set()
            assert await wait_for(redriven_until_every_document_handled, timeout_s=60, interval_s=1.0)


class GatedStage(ScriptedStage):
    """Documents of ``held_tenant`` hang until ``release`` is set; counts what runs per tenant."""

    def __init__(self, held_tenant: str, ids: set[str]) -> None:
        super().__init__(lambda event, attempt: parsed(event), ids)
        self.held_tenant = held_tenant
        self.release = asyncio.Event()
        self.running_by_tenant: Counter[str] = Counter()
        self.peak_by_tenant: Counter[str] = Counter()

    async def handle(self, event: DocumentEvent) -> DocumentEvent | None:
        assert isinstance(event, DocumentUploaded)
        if event.knowledge_id not in self._ids:
            return None
        self.calls[event.knowledge_id] += 1
        self.running_by_tenant[event.tenant_id] += 1
        self.peak_by_tenant[event.tenant_id] = max(self.peak_by_tenant[event.tenant_id],
                                                   self.running_by_tenant[event.tenant_id])
        try:
            if event.tenant_id == self.held_tenant:
                await self.release.wait()  # a slow host, a huge file
            return parsed(event)
        finally:
            self.running_by_tenant[event.tenant_id] -= 1


async def _held_and_small(ws: Workspace, held: int) -> tuple[list[Knowledge], Knowledge, GatedStage]:
    """``held`` documents of tenant A that hang until released, one small document of tenant B, the stage."""
    docs = await tenant_docs(ws.sessions, ws, held)
    async with ws.sessions.begin() as session:
        small = await commands.create_manual(
            session, tenant_id=ws.other_tenant_id, knowledge_base=ws.other_knowledge_base, title="small",
            content="# small\n\nsmall", publish=True)
    return docs, small, GatedStage(ws.tenant_id, {doc.id for doc in docs} | {small.id})


async def _parsed_event(ws: Workspace, doc: Knowledge) -> bool:
    return bool(await read_events(ws.settings.kafka.bootstrap_servers, Topic.DOCUMENTS_PARSED, {doc.id}, want=1,
                                  timeout_s=30))


async def _publish_uploaded(producer: AIOKafkaProducer, docs: list[Knowledge]) -> None:
    for doc in docs:
        event = DocumentUploaded(tenant_id=doc.tenant_id, knowledge_base_id=doc.knowledge_base_id,
                                 knowledge_id=doc.id, version=doc.version)
        await publish(producer, Topic.DOCUMENTS_UPLOADED, key=event.key, value=event)


@contextlib.asynccontextmanager
async def _worker(ws: Workspace, producer: AIOKafkaProducer, handler: GatedStage,
                  **ingest: object) -> AsyncIterator[IngestContext]:
    settings = ws.settings.model_copy(update={"ingest": IngestSettings(**{**ws.settings.ingest.model_dump(), **ingest})})
    context = IngestContext(settings, ws.sessions, ServiceClients.open(settings, timeout_s=5))
    task = asyncio.create_task(StageWorker(handler, context, producer).run())
    try:
        yield context
    finally:
        handler.release.set()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
