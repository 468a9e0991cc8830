"""Access-list propagation benchmark: from the COMMIT of a changed access list to search obeying it.

On the embedded PostgreSQL and Tansu broker, a real retriever server and the real cdc service
(relay -> db.knowledges -> index.meta -> SetKnowledgeAccess) with the default CDC settings:

* document: one document's own list toggled between ``[user:kim]`` and empty; seconds from the commit
  until a search as ``group:eng`` (not on the list) stops or starts returning it (polled every 5 ms);
* base: a knowledge base's list toggled for all its documents at once (``--documents`` of them);
  seconds until the search reflects every document;
* database check: the gateway's own check of the same change (the ``readable_by`` query its document,
  chunk, download and field routes and every search hit's title lookup run), which is what makes a
  revocation immediate for a user's next request while the index catches up.

Prints a table and writes bench/results/acl.json (cpu count, memory, load average before and after).
Run: .venv/bin/python bench/acl.py [--runs 20] [--documents 200]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# bench/ingest.py would shadow the ingest package the gateway imports.
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]

import numpy as np  # noqa: E402
from sqlalchemy import select  # noqa: E402
from sqlmodel import col  # noqa: E402

from bench.relay_timing import embedded_stack, machine, own_cdc_settings, poll_until, summary, write_results  # noqa: E402
from cdc.server import CdcService  # noqa: E402
from gateway.repositories.readable import readable_by  # noqa: E402
from gateway.services.access_lists import set_document_list, set_knowledge_base_list  # noqa: E402
from jisik.access import Access  # noqa: E402
from jisik.db.engine import create_engine, session_factory, transaction  # noqa: E402
from jisik.db.models import Knowledge, KnowledgeBase, Tenant  # noqa: E402
from jisik.grpc_server import grpc_channel  # noqa: E402
from jisik.proto import retriever_pb2, retriever_pb2_grpc  # noqa: E402
from jisik.settings import CdcSettings, Settings  # noqa: E402
from retriever.server import create_server  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "acl.json"
VECTOR = (np.ones(384, dtype=np.float32) / np.sqrt(384)).tolist()
OUTSIDER = Access(frozenset({"group:eng"}))


async def _until(check: Callable[[], Awaitable[bool]], timeout_s: float = 30.0) -> float:
    started = time.perf_counter()
    await poll_until(check, "the change showing", timeout_s)
    return time.perf_counter() - started


async def _bench(url: str, bootstrap: str, runs: int, documents: int) -> dict[str, Any]:
    settings = Settings.load().model_copy(update={"cdc": own_cdc_settings()})
    server, port, _, service = await create_server(settings, 0, url)
    await server.start()
    address = f"127.0.0.1:{port}"
    engine = create_engine(url, pool_size=2)
    sessions = session_factory(engine)
    async with transaction(sessions) as session:
        tenant = Tenant(name="bench", api_key_hash=uuid.uuid4().hex, api_key_prefix="sk-bench")
        session.add(tenant)
        await session.flush()
        base = KnowledgeBase(tenant_id=tenant.id, name="bench")
        session.add(base)
        await session.flush()
        rows = [Knowledge(tenant_id=tenant.id, knowledge_base_id=base.id, title=f"d{n}") for n in range(documents)]
        session.add_all(rows)
    ids = [row.id for row in rows]
    channel = grpc_channel(address, settings.endpoints)
    stub = retriever_pb2_grpc.RetrieverStub(channel)
    await stub.IndexChunks(retriever_pb2.IndexChunksRequest(chunks=[retriever_pb2.IndexedChunk(
        chunk_id=f"{kid}-0", tenant_id=tenant.id, knowledge_base_id=base.id, knowledge_id=kid, content="휴가 정책",
        embedding=VECTOR) for kid in ids]))

    async def visible() -> int:
        reply = await stub.Search(retriever_pb2.SearchRequest(
            tenant_id=tenant.id, query_text="휴가", top_k=documents, mode=retriever_pb2.SEARCH_MODE_KEYWORD,
            keyword_threshold=-1e9, acl_principals=sorted(OUTSIDER.principals)))
        return len({hit.knowledge_id for hit in reply.hits})

    async def readable_in_database() -> int:
        async with sessions() as session:
            found = await session.execute(select(col(Knowledge.id)).where(
                col(Knowledge.knowledge_base_id) == base.id, readable_by(OUTSIDER)))
            return len(found.all())

    cdc = CdcService(settings, database_url=url, bootstrap_servers=bootstrap, retriever_addr=address,
                     apply_to_retriever=True)
    stop = asyncio.Event()
    running = asyncio.create_task(cdc.run(stop))
    await asyncio.wait_for(cdc.relay.ready.wait(), 60)
    document_s, base_s, database_s = [], [], []
    try:
        for run in range(runs + 2):  # the first two (consumers joining their groups) are not counted
            closed = run % 2 == 0
            async with transaction(sessions) as session:
                kb = (await session.execute(select(KnowledgeBase).where(col(KnowledgeBase.id) == base.id))).scalar_one()
                doc = (await session.execute(select(Knowledge).where(col(Knowledge.id) == ids[0]))).scalar_one()
                await set_document_list(session, doc, kb, ["user:kim"] if closed else [])
            committed = time.perf_counter()
            wanted = documents - 1 if closed else documents
            checked = await _until(partial(_equals, readable_in_database, wanted))
            await _until(partial(_equals, visible, wanted), timeout_s=60)
            if run >= 2:
                document_s.append(time.perf_counter() - committed)
                database_s.append(checked)
        for run in range(runs):
            closed = run % 2 == 0
            async with transaction(sessions) as session:
                kb = (await session.execute(select(KnowledgeBase).where(
                    col(KnowledgeBase.id) == base.id).with_for_update())).scalar_one()
                await set_knowledge_base_list(session, kb, ["group:hr"] if closed else [])
            committed = time.perf_counter()
            await _until(partial(_equals, visible, 0 if closed else documents))
            base_s.append(time.perf_counter() - committed)
    finally:
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(running, 30)
        await channel.close()
        await engine.dispose()
        await server.stop(0)
        await service.close()
    return {
        "document_list": summary(document_s),
        "base_list": {**summary(base_s), "documents": documents},
        "database_check": summary(database_s),
        "within_1s": {"document_list": sum(s <= 1 for s in document_s) / len(document_s),
                      "base_list": sum(s <= 1 for s in base_s) / len(base_s)},
    }


async def _equals(count: Callable[[], Awaitable[int]], wanted: int) -> bool:
    return await count() == wanted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--documents", type=int, default=200)
    args = parser.parse_args()
    load_before = machine()["load_avg"]
    with embedded_stack("bench_acl") as (url, bootstrap):
        figures = asyncio.run(_bench(url, bootstrap, args.runs, args.documents))
    result = {
        "machine": machine() | {"load_avg_before": load_before},
        "settings": {"cdc_poll_interval_s": CdcSettings().poll_interval_s},
        "figures": figures,
    }
    write_results(RESULTS, result)
    print(f"{'change -> visible in search':<30} {'runs':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for key in ("document_list", "base_list", "database_check"):
        row = figures[key]
        print(f"{key:<30} {row['runs']:>5} {row['p50_ms']:>8} {row['p95_ms']:>8} {row['max_ms']:>8}")
    print(f"share within 1 s: {figures['within_1s']}")
    print(f"machine: {result['machine']}; written to {RESULTS}")


if __name__ == "__main__":
    main()
