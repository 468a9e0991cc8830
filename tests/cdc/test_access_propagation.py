"""Access lists reach search through CDC: a knowledge base's or a document's list set by the gateway's
writer becomes a knowledges change, index.meta carries the effective list, the retriever applies it.
(How fast is measured by bench/acl.py; here only that it takes effect, and takes the right effect.)"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import grpc
import numpy as np
import pytest
from cdc_helpers import seed
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select

from cdc.server import CdcService
from gateway.services.access_lists import set_document_list, set_knowledge_base_list
from jisik.db.engine import create_engine, session_factory, transaction
from jisik.db.models import Knowledge, KnowledgeBase
from jisik.grpc_server import grpc_channel
from jisik.proto import retriever_pb2, retriever_pb2_grpc
from jisik.runtime.tansu import EmbeddedTansu
from jisik.settings import CdcSettings, KafkaSettings, Settings

pytestmark = pytest.mark.integration

VECTOR = np.ones(384, dtype=np.float32) / np.sqrt(384)


@dataclass
class Deployment:
    tenant_id: str
    base_id: str
    documents: list[str]
    stub: retriever_pb2_grpc.RetrieverStub
    sessions: async_sessionmaker[AsyncSession]

    async def visible(self, *principals: str) -> set[str]:
        """The documents a search with ``principals`` returns."""
        reply = await self.stub.Search(retriever_pb2.SearchRequest(
            tenant_id=self.tenant_id, query_vector=VECTOR.tolist(), top_k=50,
            mode=retriever_pb2.SEARCH_MODE_VECTOR, acl_principals=list(principals)))
        return {hit.knowledge_id for hit in reply.hits}


async def _eventually(check: Callable[[], Awaitable[set[str]]], expected: set[str], timeout_s: float = 30) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while (got := await check()) != expected:
        assert asyncio.get_running_loop().time() < deadline, f"still {got!r}, wanted {expected!r}"
        await asyncio.sleep(0.05)


@pytest.fixture
async def deployment(
    fresh_database: str, kafka: EmbeddedTansu, cdc_settings: CdcSettings, kafka_settings: KafkaSettings,
    retriever_addr: str, slot_cleanup: None,
) -> AsyncIterator[Deployment]:
    """Three indexed documents in one knowledge base, and the cdc service (relay, index.meta, applier)."""
    tenant_id, base_id = await seed(fresh_database)
    engine = create_engine(fresh_database, pool_size=2)
    sessions = session_factory(engine)
    async with transaction(sessions) as session:
        documents = [Knowledge(tenant_id=tenant_id, knowledge_base_id=base_id, title=f"d{n}") for n in range(3)]
        session.add_all(documents)
    settings = Settings.load()
    channel = grpc_channel(retriever_addr, settings.endpoints)
    stub = retriever_pb2_grpc.RetrieverStub(channel)
    await stub.IndexChunks(retriever_pb2.IndexChunksRequest(chunks=[retriever_pb2.IndexedChunk(
        chunk_id=f"{document.id}-0", tenant_id=tenant_id, knowledge_base_id=base_id, knowledge_id=document.id,
        content="휴가 정책", embedding=VECTOR.tolist()) for document in documents]))
    service = CdcService(settings.model_copy(update={"cdc": cdc_settings, "kafka": kafka_settings}),
                         database_url=fresh_database, bootstrap_servers=kafka.bootstrap_servers,
                         retriever_addr=retriever_addr, apply_to_retriever=True)
    stop = asyncio.Event()
    running = asyncio.create_task(service.run(stop))
    await asyncio.wait_for(service.relay.ready.wait(), 30)
    try:
        yield Deployment(tenant_id, base_id, [document.id for document in documents], stub, sessions)
    finally:
        stop.set()
        with contextlib.suppress(grpc.aio.AioRpcError):
            await asyncio.wait_for(running, 30)
        await channel.close()
        await engine.dispose()


async def _set_base(deployment: Deployment, principals: list[str]) -> None:
    async with transaction(deployment.sessions) as session:
        base = (await session.execute(select(KnowledgeBase).where(
            col(KnowledgeBase.id) == deployment.base_id).with_for_update())).scalar_one()
        await set_knowledge_base_list(session, base, principals)


async def _set_document(deployment: Deployment, knowledge_id: str, principals: list[str]) -> None:
    async with transaction(deployment.sessions) as session:
        base = (await session.execute(select(KnowledgeBase).where(
            col(KnowledgeBase.id) == deployment.base_id).with_for_update())).scalar_one()
        document = (await session.execute(select(Knowledge).where(col(Knowledge.id) == knowledge_id))).scalar_one()
        await set_document_list(session, document, base, principals)


class TestAccessListsReachSearch:
    async def test_base_and_document_lists_take_effect_through_index_meta(self, deployment: Deployment) -> None:
        first, second, third = deployment.documents
        everything = {first, second, third}
        assert await deployment.visible("group:eng") == everything  # no lists: the whole tenant

        await _set_base(deployment, ["group:hr"])
        await _eventually(lambda: deployment.visible("group:eng"), set())
        assert await deployment.visible("group:hr") == everything

        await _set_document(deployment, first, ["user:kim"])  # its own list wins over the base's
        await _eventually(lambda: deployment.visible("user:kim"), {first})
        assert await deployment.visible("group:hr") == {second, third}
        assert await deployment.visible("group:hr", "user:kim") == everything

        await _set_base(deployment, [])  # the base opens up; the document keeps its own list
        await _eventually(lambda: deployment.visible("group:eng"), {second, third})
        assert await deployment.visible("user:kim") == everything

        await _set_document(deployment, first, [])  # back to the base's (empty) list
        await _eventually(lambda: deployment.visible("group:eng"), everything)
