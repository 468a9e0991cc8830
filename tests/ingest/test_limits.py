"""Compute caps against real parts: a docreader serving on a free port, the broker and PostgreSQL.

A document with more chunks than ``max_chunks_per_document`` and a tenant over its embedding budget
both end failed with an error naming the limit; another tenant is not affected.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from aiokafka import AIOKafkaProducer
from ingest_helpers import Workspace, tenant_docs, wait_for
from sqlalchemy import update

from docreader.server import create_server
from ingest import commands
from ingest.context import IngestContext
from ingest.keys import chunk_id
from ingest.limits import check_embed_budget
from ingest.repository import replace_chunks
from ingest.stages import IndexStage, ParseStage
from ingest.worker import StageWorker
from jisik.clients.bundle import ServiceClients
from jisik.db.models import Knowledge, ParseStatus
from jisik.errors import QuotaExceeded
from jisik.events import DocumentUploaded, DocumentValidated, Topic
from jisik.kafka import publish
from jisik.settings import DocreaderSettings, EndpointSettings, IngestSettings, Settings

pytestmark = pytest.mark.integration


def _with(ws: Workspace, **ingest: object) -> Settings:
    return ws.settings.model_copy(update={"ingest": IngestSettings(**{**ws.settings.ingest.model_dump(), **ingest})})


@pytest.fixture
async def docreader(workspace: Workspace) -> AsyncIterator[str]:
    settings = workspace.settings.model_copy(update={"docreader": DocreaderSettings(worker_processes=1)})
    server, port, _, service = await create_server(settings, 0)
    await server.start()
    yield f"127.0.0.1:{port}"
    await server.stop(1)
    await service.close()


async def _status(ws: Workspace, knowledge_id: str) -> Knowledge:
    async with ws.sessions() as session:
        row = await session.get(Knowledge, knowledge_id, populate_existing=True)
    assert row is not None
    return row


class TestChunkCap:
    async def test_a_document_over_the_chunk_cap_fails_naming_the_limit(
        self, workspace: Workspace, docreader: str, producer: AIOKafkaProducer
    ) -> None:
        paragraphs = "\n\n".join(f"Paragraph {n}: " + "the parking rules of floor two apply. " * 30 for n in range(40))
        async with workspace.sessions.begin() as session:
            doc = await commands.create_manual(session, tenant_id=workspace.tenant_id,
                                               knowledge_base=workspace.knowledge_base, title="long",
                                               content=f"# long\n\n{paragraphs}", publish=True)
        settings = _with(workspace, max_chunks_per_document=3).model_copy(update={
            "endpoints": EndpointSettings(docreader_addr=docreader)})
        context = IngestContext(settings, workspace.sessions, ServiceClients.open(settings, timeout_s=5))
        worker = StageWorker(ParseStage(context), context, producer)
        task = asyncio.create_task(worker.run())
        try:
            event = DocumentUploaded(tenant_id=doc.tenant_id, knowledge_base_id=doc.knowledge_base_id,
                                     knowledge_id=doc.id, version=doc.version)
            await publish(producer, Topic.DOCUMENTS_UPLOADED, key=event.key, value=event)

            async def failed() -> bool:
                return (await _status(workspace, doc.id)).parse_status == ParseStatus.FAILED

            assert await wait_for(failed, timeout_s=60)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await context.clients.close()
        row = await _status(workspace, doc.id)
        assert "more than 3 chunks" in row.error_message and "max_chunks_per_document" in row.error_message
        assert row.chunk_count == 0  # nothing of it was stored


class TestEmbedBudget:
    async def test_a_tenant_over_its_budget_fails_its_next_document_only(self, workspace: Workspace) -> None:
        done, waiting = await tenant_docs(workspace.sessions, workspace, 2)
        async with workspace.sessions.begin() as session:
            await session.execute(update(Knowledge).where(Knowledge.id == done.id).values(
                parse_status=ParseStatus.COMPLETED, chunk_count=8, processed_at=datetime.now(UTC)))
            await session.execute(update(Knowledge).where(Knowledge.id == waiting.id).values(
                parse_status=ParseStatus.EMBEDDING))
            await replace_chunks(session, waiting.id, [{
                "id": chunk_id(waiting.id, 1, 0), "tenant_id": waiting.tenant_id,
                "knowledge_base_id": waiting.knowledge_base_id, "knowledge_id": waiting.id, "content": "one more",
                "chunk_index": 0, "start_at": 0, "end_at": 8, "pages": [], "chunk_type": "text", "image_info": [],
                "is_enabled": True}])
        settings = _with(workspace, tenant_embed_budget=8, tenant_embed_window_s=600)
        stage = IndexStage(IngestContext(settings, workspace.sessions, ServiceClients.open(settings, timeout_s=5)))
        event = DocumentValidated(tenant_id=waiting.tenant_id, knowledge_base_id=waiting.knowledge_base_id,
                                  knowledge_id=waiting.id, version=waiting.version, language="en", chunk_count=1)
        with pytest.raises(QuotaExceeded, match=r"8 of 8 chunks embedded in the last 600 s and this document needs 1"):
            await stage.handle(event)
        async with workspace.sessions() as session:
            await check_embed_budget(session, workspace.other_tenant_id, 8, settings.ingest)  # another tenant: fine
            await check_embed_budget(session, workspace.tenant_id, 1, _with(  # the window moved on
                workspace, tenant_embed_budget=8, tenant_embed_window_s=0.001).ingest)
