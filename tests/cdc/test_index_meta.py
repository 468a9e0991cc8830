"""index.meta: from knowledge change events to the real retriever's access rules."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import grpc
import numpy as np
import pytest
from cdc_helpers import RelayRunner, read_topic, seed, value
from sqlalchemy import text
from sqlmodel import select

from cdc.change_event import ChangeEvent
from cdc.index_meta import IndexMetaMaterializer, RetrieverAccessApplier, meta_change
from cdc.processor import run_processor
from jisik.db.engine import create_engine, session_factory, transaction
from jisik.db.models import Knowledge
from jisik.events import Topic
from jisik.grpc_server import grpc_channel
from jisik.proto import retriever_pb2, retriever_pb2_grpc
from jisik.runtime.tansu import EmbeddedTansu
from jisik.settings import CdcSettings, KafkaSettings, Settings


def _event(op: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> ChangeEvent:
    return ChangeEvent.model_validate(
        {"op": op, "before": before, "after": after, "source": {"table": "knowledges", "ts_ms": 1}})


VECTOR = np.ones(384, dtype=np.float32) / np.sqrt(384)
ROW = {"id": "k1", "tenant_id": "t1", "knowledge_base_id": "kb1", "parse_status": "INDEXING",
       "enable_status": "enabled", "acl_principals": [], "version": 1, "title": "x"}


class TestMetaChange:
    def test_full_state_on_create_and_relevant_updates_only(self) -> None:
        created = meta_change(_event("c", None, ROW))
        assert created is not None and created.parse_status == "indexing" and created.enabled
        assert meta_change(_event("u", ROW, {**ROW, "title": "renamed"})) is None
        acl = meta_change(_event("u", ROW, {**ROW, "acl_principals": ["group:hr"]}))
        assert acl is not None and acl.acl_principals == ["group:hr"]
        disabled = meta_change(_event("u", ROW, {**ROW, "enable_status": "disabled"}))
        assert disabled is not None and not disabled.enabled
        deleted = meta_change(_event("d", ROW, None))
        assert deleted is not None and deleted.deleted and not deleted.enabled
        assert meta_change(_event("t", None, None)) is None


async def _search(stub: retriever_pb2_grpc.RetrieverStub, tenant_id: str, principals: list[str]) -> int:
    response = await stub.Search(retriever_pb2.SearchRequest(
        tenant_id=tenant_id, query_vector=VECTOR.tolist(), top_k=5, mode=retriever_pb2.SEARCH_MODE_VECTOR,
        acl_principals=principals))
    return len(response.hits)


async def _indexed(factory: Any, knowledge_id: str) -> int:
    """Rows of one document in the retriever's table (disabled ones included)."""
    async with factory() as session:
        found = await session.execute(
            text("SELECT count(*) FROM retriever_chunks WHERE knowledge_id = :k"), {"k": knowledge_id})
        return int(found.scalar_one())


async def _eventually(check: Any, expected: Any, timeout_s: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while (got := await check()) != expected:
        assert asyncio.get_running_loop().time() < deadline, f"still {got!r}, wanted {expected!r}"
        await asyncio.sleep(0.2)


@pytest.mark.integration
class TestIndexMetaToRetriever:
    async def test_acl_and_enable_changes_reach_search(
        self, fresh_database: str, relay_runner: RelayRunner, kafka: EmbeddedTansu, cdc_settings: CdcSettings,
        kafka_settings: KafkaSettings, retriever_addr: str,
    ) -> None:
        tenant_id, base_id = await seed(fresh_database)
        engine = create_engine(fresh_database, pool_size=1)
        factory = session_factory(engine)
        channel = grpc_channel(retriever_addr, Settings.load().endpoints)
        stub = retriever_pb2_grpc.RetrieverStub(channel)
        stop = asyncio.Event()
        tasks: list[asyncio.Task[None]] = []
        try:
            async with transaction(factory) as session:
                doc = Knowledge(tenant_id=tenant_id, knowledge_base_id=base_id, title="handbook")
                session.add(doc)
            await stub.IndexChunks(retriever_pb2.IndexChunksRequest(chunks=[retriever_pb2.IndexedChunk(
                chunk_id=f"{doc.id}-0", tenant_id=tenant_id, knowledge_base_id=base_id, knowledge_id=doc.id,
                content="The vacation policy grants 25 days.", embedding=VECTOR.tolist())]))
            assert await _search(stub, tenant_id, ["group:eng"]) == 1

            await relay_runner.start()
            for processor in (IndexMetaMaterializer(cdc_settings, kafka_settings, kafka.bootstrap_servers),
                              RetrieverAccessApplier(cdc_settings, Settings.load().endpoints, retriever_addr)):
                tasks.append(asyncio.create_task(run_processor(
                    processor, kafka_settings, stop, bootstrap_servers=kafka.bootstrap_servers, poll_ms=200)))

            async with transaction(factory) as session:
                row = (await session.execute(select(Knowledge).where(Knowledge.id == doc.id))).scalar_one()
                row.acl_principals = ["group:hr"]
            await _eventually(lambda: _search(stub, tenant_id, ["group:eng"]), 0)
            assert await _search(stub, tenant_id, ["group:hr"]) == 1

            async with transaction(factory) as session:
                row = (await session.execute(select(Knowledge).where(Knowledge.id == doc.id))).scalar_one()
                row.enable_status = "disabled"
            await _eventually(lambda: _search(stub, tenant_id, ["group:hr"]), 0)

            records = await read_topic(kafka.bootstrap_servers, Topic.INDEX_META.value,
                                       keep=lambda r: r.key == doc.id.encode(), until=lambda found: len(found) >= 2)
            metas = [value(r) for r in records]
            assert metas[-1]["acl_principals"] == ["group:hr"] and metas[-1]["enabled"] is False
            assert metas[-1]["tenant_id"] == tenant_id and metas[-1]["knowledge_base_id"] == base_id

            async with transaction(factory) as session:  # deleting the row takes its chunks out of the index
                await session.delete((await session.execute(select(Knowledge).where(Knowledge.id == doc.id))).scalar_one())
            await _eventually(lambda: _indexed(factory, doc.id), 0)
        finally:
            stop.set()
            for task in tasks:
                with contextlib.suppress(grpc.aio.AioRpcError):
                    await task
            await channel.close()
            await engine.dispose()
