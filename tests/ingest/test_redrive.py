"""Re-driver and consumer lag against the real PostgreSQL and Tansu."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from aiokafka import AIOKafkaProducer
from ingest_helpers import Workspace, free_endpoint, read_events, tenant_docs
from sqlalchemy import update
from sqlmodel import col

from ingest.context import IngestContext
from ingest.lag import consumer_lag
from ingest.publishing import DOCUMENT_TOPICS
from ingest.redrive import Redriver
from ingest.topology import STAGES, stage_named
from jisik.clients.bundle import ServiceClients
from jisik.db.models import Knowledge, ParseStatus
from jisik.errors import Unavailable
from jisik.events import Topic
from jisik.kafka import create_producer, ensure_topics
from jisik.settings import KafkaSettings

pytestmark = pytest.mark.integration


@pytest.fixture
async def producer(workspace: Workspace) -> AsyncIterator[AIOKafkaProducer]:
    servers = workspace.settings.kafka.bootstrap_servers
    await ensure_topics(workspace.settings.kafka, DOCUMENT_TOPICS, bootstrap_servers=servers)
    producer = await create_producer(workspace.settings.kafka, servers)
    yield producer
    await producer.stop()


async def _age(ws: Workspace, knowledge_id: str, status: ParseStatus, seconds: float, **values: object) -> None:
    async with ws.sessions.begin() as session:
        await session.execute(update(Knowledge).where(col(Knowledge.id) == knowledge_id).values(
            parse_status=status, updated_at=datetime.now(UTC) - timedelta(seconds=seconds), **values))


class TestRedriver:
    async def test_stuck_documents_get_their_next_event_again(self, workspace: Workspace,
                                                             producer: AIOKafkaProducer) -> None:
        pending, validating, embedding, fresh, done = await tenant_docs(workspace.sessions, workspace, 5)
        await _age(workspace, pending.id, ParseStatus.PARSING, 600)
        await _age(workspace, validating.id, ParseStatus.VALIDATING, 600, page_count=3, chunk_count=7,
                   metadata_={"content_hash": "abc"})
        await _age(workspace, embedding.id, ParseStatus.INDEXING, 600, chunk_count=7)
        await _age(workspace, fresh.id, ParseStatus.PARSING, 1)
        await _age(workspace, done.id, ParseStatus.COMPLETED, 600)
        context = IngestContext(workspace.settings, workspace.sessions, ServiceClients.open(workspace.settings, timeout_s=5))
        sent = {stage.name: await Redriver(stage, context, producer).redrive_once(older_than_s=60) for stage in STAGES}
        assert sent["parse"] >= 1 and sent["validate"] >= 1 and sent["index"] >= 1
        servers = workspace.settings.kafka.bootstrap_servers
        ids = {pending.id, validating.id, embedding.id, fresh.id, done.id}
        uploaded = await read_events(servers, Topic.DOCUMENTS_UPLOADED, ids, want=1, timeout_s=5)
        parsed = await read_events(servers, Topic.DOCUMENTS_PARSED, ids, want=1, timeout_s=5)
        validated = await read_events(servers, Topic.DOCUMENTS_VALIDATED, ids, want=1, timeout_s=5)
        assert [e["knowledge_id"] for e in uploaded] == [pending.id]
        assert [(e["knowledge_id"], e["chunk_count"], e["content_hash"]) for e in parsed] == [(validating.id, 7, "abc")]
        assert [e["knowledge_id"] for e in validated] == [embedding.id]
        # Re-driven documents count as touched: the next pass leaves them alone.
        assert await Redriver(stage_named("parse"), context, producer).redrive_once(older_than_s=60) == 0


class TestConsumerLag:
    async def test_reports_every_stage(self, workspace: Workspace, producer: AIOKafkaProducer) -> None:
        before = await consumer_lag(workspace.settings)
        assert set(before) == {"parse", "validate", "index"}
        for doc in await tenant_docs(workspace.sessions, workspace, 2):
            await _age(workspace, doc.id, ParseStatus.PENDING, 600)
        context = IngestContext(workspace.settings, workspace.sessions, ServiceClients.open(workspace.settings, timeout_s=5))
        assert await Redriver(stage_named("parse"), context, producer).redrive_once(older_than_s=60) >= 2
        after = await consumer_lag(workspace.settings)
        assert after["parse"] >= before["parse"] + 2  # nobody consumes documents.uploaded in this test

    async def test_unreachable_broker_is_unavailable(self, workspace: Workspace) -> None:
        host, _, port = free_endpoint().rpartition(":")
        settings = workspace.settings.model_copy(update={"kafka": KafkaSettings(bootstrap_servers=f"{host}:{port}")})
        with pytest.raises(Unavailable):
            await consumer_lag(settings)
