"""The whole pipeline with real processes: docreader, retriever, model service, cdc and ingest run as
children (``python -m jisik serve <svc>``) on the embedded PostgreSQL and a Tansu broker of this module.

Covers upload -> searchable, bad documents ending failed, republish swapping chunks, delete, and
kill -9 of the ingest worker and of the broker in the middle of a document.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
from ingest_helpers import Workspace, make_pdf, make_scanned_pdf, make_settings, tenant_with_base, wait_for
from pydantic import SecretStr
from sqlalchemy import func, select, text
from sqlmodel import col

from ingest import commands
from jisik.db.engine import create_engine, session_factory
from jisik.db.models import Chunk, Knowledge, ParseStatus, UsageRecord, WebhookMessage
from jisik.grpc_server import grpc_channel
from jisik.netguard import AddressPolicy
from jisik.proto import model_pb2, model_pb2_grpc, retriever_pb2, retriever_pb2_grpc
from jisik.runtime.supervisor import Stack
from jisik.runtime.tansu import EmbeddedTansu
from jisik.settings import EndpointSettings, RuntimeSettings, StorageSettings, WebhookSettings
from jisik.storage import open_store
from jisik.webhooks.endpoints import create_endpoint
from tests.conftest import free_port
from tests.webhooks.webhook_db import BOX

REQUIRED = ("docreader.server", "retriever.server", "ml.serving.server", "cdc.server")
MISSING = [name for name in REQUIRED if importlib.util.find_spec(name.rsplit(".", 1)[0]) is None
           or importlib.util.find_spec(name) is None]

pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.skipif(bool(MISSING), reason=f"services not landed yet: {', '.join(MISSING)}"),
]

TERMINAL = {ParseStatus.COMPLETED, ParseStatus.FAILED}
INGEST_ENV = {"JISIK_INGEST_REDRIVE_STALE_S": "4", "JISIK_INGEST_REDRIVE_INTERVAL_S": "1",
              "JISIK_INGEST_RETRY_BACKOFF_S": "0.5", "JISIK_INGEST_RETRY_BACKOFF_MAX_S": "2",
              "JISIK_KAFKA_SESSION_TIMEOUT_MS": "6000"}


class Deployment:
    def __init__(self, stack: Stack, broker: EmbeddedTansu, ws: Workspace) -> None:
        self.stack, self.broker, self.ws = stack, broker, ws
        self.store = open_store(ws.settings.storage)

    async def status(self, knowledge_id: str) -> Knowledge:
        async with self.ws.sessions() as session:
            row = await session.get(Knowledge, knowledge_id, populate_existing=True)
        assert row is not None
        return row

    async def settle(self, knowledge_id: str, *, timeout_s: float = 180.0) -> Knowledge:
        async def finished() -> bool:
            return (await self.status(knowledge_id)).parse_status in TERMINAL

        assert await wait_for(finished, timeout_s=timeout_s), (
            f"document stuck in {(await self.status(knowledge_id)).parse_status}")
        return await self.status(knowledge_id)

    async def upload(self, name: str, data: bytes, *, other_tenant: bool = False) -> Knowledge:
        ws = self.ws
        tenant_id, base = (ws.other_tenant_id, ws.other_knowledge_base) if other_tenant else (ws.tenant_id,
                                                                                             ws.knowledge_base)
        async with ws.sessions.begin() as session:
            return await commands.upload_file(session, self.store, tenant_id=tenant_id, knowledge_base=base,
                                              file_name=name, data=data, settings=ws.settings)

    async def import_url(self, url: str) -> Knowledge:
        async with self.ws.sessions.begin() as session:
            return await commands.import_url(session, tenant_id=self.ws.tenant_id,
                                             knowledge_base=self.ws.knowledge_base, url=url, title="",
                                             settings=self.ws.settings)

    async def search(self, query: str, knowledge_id: str) -> list[retriever_pb2.SearchHit]:
        """Hybrid search (query embedded by the model service) within one document."""
        endpoints = self.ws.settings.endpoints
        async with grpc_channel(endpoints.model_addr, endpoints) as channel:
            embedded = await model_pb2_grpc.ModelStub(channel).Embed(model_pb2.EmbedRequest(
                tenant_id=self.ws.tenant_id, texts=[query], role=model_pb2.EMBED_ROLE_QUERY))
        async with grpc_channel(endpoints.retriever_addr, endpoints) as channel:
            response = await retriever_pb2_grpc.RetrieverStub(channel).Search(retriever_pb2.SearchRequest(
                tenant_id=self.ws.tenant_id, query_text=query, query_vector=list(embedded.vectors[0].values),
                top_k=50, knowledge_ids=[knowledge_id], mode=retriever_pb2.SEARCH_MODE_HYBRID))
        return list(response.hits)

    async def subscribe(self) -> None:
        """An endpoint of the workspace's tenant for every document event (no worker runs here: the
        staged messages stay in the table for the test to read)."""
        async with self.ws.sessions.begin() as session:
            await create_endpoint(session, tenant_id=self.ws.tenant_id, url="https://example.com/hook",
                                  event_types=["document.validated", "document.indexed", "document.failed"],
                                  description="", enabled=True, policy=AddressPolicy(), settings=WebhookSettings(),
                                  box=BOX)

    async def webhooks(self, knowledge_id: str) -> dict[str, dict[str, Any]]:
        """The document's staged webhook events: type -> data."""
        async with self.ws.sessions() as session:
            rows = (await session.execute(select(WebhookMessage))).scalars()
            return {row.event_type: row.payload["data"] for row in rows
                    if row.payload["data"]["knowledge_id"] == knowledge_id}

    async def usage(self, knowledge_id: str) -> dict[str, int]:
        """The document's usage records (metric -> amount), keyed by its id and version."""
        async with self.ws.sessions() as session:
            rows = (await session.execute(select(UsageRecord).where(
                col(UsageRecord.id).like(f"%:{knowledge_id}:%")))).scalars()
            return {row.metric: row.quantity for row in rows}

    async def chunk_counts(self, knowledge_id: str) -> tuple[int, int, int]:
        """(rows in chunks, distinct chunk indexes, rows in the retriever index) of one document."""
        async with self.ws.sessions() as session:
            rows, distinct = (await session.execute(
                select(func.count(), func.count(func.distinct(col(Chunk.chunk_index)))).where(
                    col(Chunk.knowledge_id) == knowledge_id))).one()
            indexed = (await session.execute(text(
                "SELECT count(*) FROM retriever_chunks WHERE knowledge_id = :k"), {"k": knowledge_id})).scalar_one()
        return int(rows), int(distinct), int(indexed)


def _kill_a_parser_worker(stack: Stack) -> int:
    """SIGKILL one parser worker process of the docreader (as the kernel's OOM killer would); its pid."""
    for pid in stack.pids():
        process = psutil.Process(pid)
        if "docreader" not in " ".join(process.cmdline()):
            continue
        for child in process.children(recursive=True):
            if "spawn_main" in " ".join(child.cmdline()):
                child.kill()
                return child.pid
    return 0


@pytest.fixture(scope="module")
def broker() -> Iterator[EmbeddedTansu]:
    """This module's own broker, so killing it does not disturb other suites."""
    server = EmbeddedTansu(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def stack(module_database: str, broker: EmbeddedTansu) -> Iterator[Stack]:
    root = Path(tempfile.mkdtemp(prefix="jisik-ingest-e2e-"))
    settings = make_settings(module_database, broker.bootstrap_servers).model_copy(update={
        "endpoints": EndpointSettings(docreader_addr=f"127.0.0.1:{free_port()}",
                                      retriever_addr=f"127.0.0.1:{free_port()}",
                                      model_addr=f"127.0.0.1:{free_port()}", gateway_port=free_port(),
                                      service_token=SecretStr("pipeline-test-token")),
        "runtime": RuntimeSettings(data_dir=root / "var", ready_timeout_s=240),
        "storage": StorageSettings(local_dir=root / "objects"),
    })
    stack = Stack(settings, base_env={**os.environ, **INGEST_ENV},
                  services=["docreader", "retriever", "model", "cdc", "ingest"])
    stack.start()
    yield stack
    stack.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
async def deployment(stack: Stack, broker: EmbeddedTansu) -> AsyncIterator[Deployment]:
    engine = create_engine(stack.database_url, pool_size=3)
    sessions = session_factory(engine)
    tenant_id, base = await tenant_with_base(sessions, "e2e")
    other_id, other_base = await tenant_with_base(sessions, "e2e-other")
    yield Deployment(stack, broker, Workspace(stack.settings, engine, sessions, tenant_id, base, other_id, other_base))
    await engine.dispose()


class TestPipeline:
    async def test_upload_becomes_searchable_with_counts(self, deployment: Deployment) -> None:
        await deployment.subscribe()
        doc = await deployment.upload("kimchi.pdf", make_pdf(3, "kimchi"))
        done = await deployment.settle(doc.id)
        assert done.parse_status == ParseStatus.COMPLETED, done.error_message
        # Staged in the stages' status transactions: validated and indexed, once each.
        events = await deployment.webhooks(doc.id)
        assert set(events) == {"document.validated", "document.indexed"}
        assert events["document.validated"]["language"] == "en"
        assert events["document.indexed"]["chunk_count"] == done.chunk_count
        assert done.page_count == 3 and done.chunk_count > 0 and done.metadata_["language"] == "en"
        assert await deployment.chunk_counts(doc.id) == (done.chunk_count, done.chunk_count, done.chunk_count)
        # Metered in the same stage transactions, once per document version.
        usage = await deployment.usage(doc.id)
        assert usage == {"pages_parsed": 3, "chunks_embedded": done.chunk_count, "embedding_calls": usage["embedding_calls"]}
        assert 1 <= usage["embedding_calls"] <= done.chunk_count
        hits = await deployment.search("kimchi rule", doc.id)
        assert hits and all(hit.knowledge_id == doc.id for hit in hits)

    async def test_bad_documents_end_failed_with_a_reason(self, deployment: Deployment) -> None:
        await deployment.subscribe()
        blank = await deployment.upload("blank.txt", b"   \n\n  ")
        broken = await deployment.upload("broken.pdf", b"%PDF-1.7\n" + os.urandom(2048))
        good = await deployment.upload("ok.md", "# 연차\n\n연차는 15일입니다. 신청은 인사팀에.".encode())
        for doc in (blank, broken):
            failed = await deployment.settle(doc.id)
            assert failed.parse_status == ParseStatus.FAILED and failed.error_message
            event = (await deployment.webhooks(doc.id))["document.failed"]
            assert event["reason"] == failed.error_message and event["stage"] in {"parse", "validate"}
        ok = await deployment.settle(good.id)
        assert ok.parse_status == ParseStatus.COMPLETED and ok.metadata_["language"] == "ko"

    async def test_unresolvable_urls_fail_fast_and_leave_other_tenants_flowing(self, deployment: Deployment) -> None:
        # Before: "cannot resolve" was an outage, so both documents held both parse slots for the
        # 600 s outage budget while the other tenant's upload waited behind them.
        bad = [await deployment.import_url(f"http://jisik-missing-{n}.invalid/page") for n in range(2)]
        small = await deployment.upload("hello.txt", b"Tenant B says hello to the parking desk.\n", other_tenant=True)
        done = await deployment.settle(small.id, timeout_s=120)
        assert done.parse_status == ParseStatus.COMPLETED, done.error_message
        for doc in bad:
            failed = await deployment.settle(doc.id, timeout_s=120)
            assert failed.parse_status == ParseStatus.FAILED
            assert "cannot resolve host" in failed.error_message
            assert "still unavailable" not in failed.error_message

    async def test_a_killed_parser_worker_costs_a_retry_not_the_document(self, deployment: Deployment) -> None:
        # A parser worker killed from outside (the OOM killer, kill -9) is ParserCrashed: the documents it
        # was parsing get one more try. Before: they failed for good with "the parser process crashed".
        scans = [await deployment.upload(f"scan-{n}.pdf", make_scanned_pdf(4, f"scan{n}")) for n in range(2)]

        async def both_parsing() -> bool:
            return [(await deployment.status(doc.id)).parse_status for doc in scans] == [ParseStatus.PARSING] * 2

        assert await wait_for(both_parsing, timeout_s=60, interval_s=0.05)
        await asyncio.sleep(1.0)  # OCR is under way
        assert _kill_a_parser_worker(deployment.stack), "no parser worker process found"
        for doc in scans:
            ended = await deployment.settle(doc.id, timeout_s=240)
            assert ended.parse_status == ParseStatus.COMPLETED, ended.error_message
        after = await deployment.settle((await deployment.upload("after.txt", b"The docreader recovered.\n")).id)
        assert after.parse_status == ParseStatus.COMPLETED, after.error_message

    async def test_same_text_in_another_file_is_a_duplicate(self, deployment: Deployment) -> None:
        text_body = "Parking permits are issued by the facilities desk on floor 2.\n"
        first = await deployment.settle((await deployment.upload("parking.txt", text_body.encode())).id)
        # Different bytes (spacing, line ends), same text: caught by validation, not by the upload check.
        respaced = text_body.replace(" ", "  ").replace("\n", "\r\n\r\n")
        second = await deployment.settle((await deployment.upload("parking.md", respaced.encode())).id)
        assert first.parse_status == ParseStatus.COMPLETED
        assert second.parse_status == ParseStatus.FAILED and second.duplicate_of == first.id

    async def test_republish_replaces_chunks_and_delete_removes_everything(self, deployment: Deployment) -> None:
        ws = deployment.ws
        async with ws.sessions.begin() as session:
            doc = await commands.create_manual(session, tenant_id=ws.tenant_id, knowledge_base=ws.knowledge_base,
                                               title="Lunch", content="# Lunch\n\nLunch is served at noon in hall A.",
                                               publish=True)
        assert (await deployment.settle(doc.id)).parse_status == ParseStatus.COMPLETED
        async with ws.sessions.begin() as session:
            await commands.update_manual(session, tenant_id=ws.tenant_id, knowledge_id=doc.id, title="Lunch",
                                         content="# Lunch\n\nLunch moved to the rooftop garden.", publish=True)
        republished = await deployment.settle(doc.id)
        assert republished.parse_status == ParseStatus.COMPLETED and republished.version == 2
        async with ws.sessions() as session:
            rows = (await session.execute(text(
                "SELECT content, title FROM retriever_chunks WHERE knowledge_id = :k"), {"k": doc.id})).all()
        indexed = [row.content for row in rows]
        assert len(indexed) == 1 and "rooftop" in indexed[0] and "hall A" not in indexed[0]
        assert rows[0].title == "Lunch"  # the document's title travels with its chunks
        hits = await deployment.search("rooftop garden", doc.id)
        assert [hit.content for hit in hits] == list(indexed)
        async with ws.sessions.begin() as session:
            await commands.delete_knowledge(session, deployment.store, tenant_id=ws.tenant_id, knowledge_id=doc.id)

        async def gone() -> bool:  # the index follows the commit through CDC's index.meta
            return await deployment.chunk_counts(doc.id) == (0, 0, 0)

        assert await wait_for(gone, timeout_s=60)

    async def test_kill_the_worker_mid_document(self, deployment: Deployment) -> None:
        doc = await deployment.upload("long.pdf", make_pdf(20, "safety"))

        async def started() -> bool:
            return (await deployment.status(doc.id)).parse_status not in (ParseStatus.PENDING,)

        assert await wait_for(started, timeout_s=60, interval_s=0.05)
        await asyncio.to_thread(deployment.stack.kill, "ingest")
        assert (await deployment.status(doc.id)).parse_status not in TERMINAL  # killed mid-document
        await asyncio.to_thread(deployment.stack.restart, "ingest")
        done = await deployment.settle(doc.id, timeout_s=240)
        assert done.parse_status == ParseStatus.COMPLETED, done.error_message
        assert await deployment.chunk_counts(doc.id) == (done.chunk_count, done.chunk_count, done.chunk_count)

    async def test_kill_the_broker_mid_document(self, deployment: Deployment) -> None:
        doc = await deployment.upload("second.pdf", make_pdf(15, "travel"))

        async def started() -> bool:
            return (await deployment.status(doc.id)).parse_status != ParseStatus.PENDING

        assert await wait_for(started, timeout_s=60, interval_s=0.05)
        await asyncio.to_thread(deployment.broker.kill)
        assert (await deployment.status(doc.id)).parse_status not in TERMINAL  # killed mid-document
        await asyncio.to_thread(deployment.broker.start)
        done = await deployment.settle(doc.id, timeout_s=240)
        assert done.parse_status == ParseStatus.COMPLETED, done.error_message
        assert await deployment.chunk_counts(doc.id) == (done.chunk_count, done.chunk_count, done.chunk_count)
