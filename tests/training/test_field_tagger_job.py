"""The field tagger's path on real parts (embedded PostgreSQL): reviewers correct a field the schema's
labels miss, a ``field_tagger`` job turns the corrections into a masked snapshot, trains, measures
entity F1 against the champion on held-out documents and registers a challenger; promoted, the ingest
field check uses it on a new document in a layout the reviewed ones never had; rolled back, it does not.
Without consent nothing is stored."""

from __future__ import annotations

import random

import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from fields.evaluate import evaluate
from fields.extract import extract_fields
from fields.layout import layout_from_text
from fields.store import save_outcome
from fields.tag_features import tokens_of
from fields.tagger_store import tagger_aliases
from ingest.checks import DocumentText
from ingest.field_check import FieldsCheck
from jisik.db.models import (
    ModelVersion,
    OutboxEvent,
    TrainingJob,
    TrainingSnapshot,
)
from jisik.events import Topic
from jisik.settings import Settings
from ml.training import jobs
from ml.training.field_labels import decode_blocks
from ml.training.tagger_registry import promote_tagger, rollback_tagger
from ml.training.worker import TrainerWorker
from tests.fields.tagger_docs import SCHEMA, Invoice, invoice

from .registration import assert_cancelled_too_late, cancel_while_registering
from .reviewed_invoices import add_invoice, approve_supply, schema_base

pytestmark = pytest.mark.integration


def _no_embedder(texts: list[str]) -> np.ndarray:
    raise AssertionError("a field-tagger job embeds nothing")


async def _reviewed_tenant(sessions: async_sessionmaker[AsyncSession], *, consent: bool, count: int = 30
                           ) -> tuple[str, str, list[Invoice]]:
    """A tenant whose reviewers approved ``count`` invoices, typing the supply amount the labels missed."""
    rng = random.Random(21)
    docs = [invoice(rng, ("lines", "header")[i % 2]) for i in range(count)]
    async with sessions() as session, session.begin():
        tenant_id, base_id, version = await schema_base(session, consent=consent)
        for doc in docs:
            knowledge = await add_invoice(session, tenant_id, base_id, doc)
            outcome = evaluate(SCHEMA, extract_fields(layout_from_text(doc.text), SCHEMA))
            await save_outcome(session, knowledge, outcome, schema_version=version, file_hash=knowledge.file_hash)
            await approve_supply(session, knowledge, doc)
        return tenant_id, base_id, docs


async def _run(sessions: async_sessionmaker[AsyncSession], tenant_id: str, base_id: str) -> TrainingJob:
    settings = Settings.load()
    async with sessions() as session, session.begin():
        job = await jobs.create_job(session, tenant_id, {"kind": "field_tagger", "knowledge_base_id": base_id})
    await TrainerWorker(settings, sessions, _no_embedder).run_job(job.id)
    async with sessions() as session:
        done = await session.get(TrainingJob, job.id)
    assert done is not None
    return done


async def test_corrections_train_a_tagger_that_the_field_check_uses_once_promoted(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    tenant_id, base_id, docs = await _reviewed_tenant(sessions, consent=True)
    done = await _run(sessions, tenant_id, base_id)
    assert done.status == "succeeded", done.logs
    async with sessions() as session:
        version = await session.get(ModelVersion, done.version_id)
        snapshot = await session.get(TrainingSnapshot, done.snapshot_id)
        named = await tagger_aliases(session, tenant_id, base_id)
        registered = await session.scalar(select(OutboxEvent).where(
            col(OutboxEvent.event_type) == Topic.ML_MODELS_REGISTERED, col(OutboxEvent.aggregate_id) == done.version_id))
    assert version is not None and snapshot is not None and registered is not None
    assert version.kind == "field_tagger" and version.knowledge_base_id == base_id
    assert version.metrics["entity"]["f1"] >= 0.9 and version.metrics["entity"]["per_field"]["supply"] >= 0.9
    assert version.metrics["held_out"] >= 1 and version.champion_metrics == {
        "name": "none", "entity": {**version.champion_metrics["entity"], "f1": 0.0}}
    assert named == {"challenger": version.id}
    # the snapshot: token-labelled lines from the reviews, registration and phone numbers masked in shape
    content = snapshot.content.decode()
    assert snapshot.counts["kind"] == "field_labels" and snapshot.counts["fields"]["supply"] == len(docs)
    assert not any(doc.normalized["supplier_brn"] in content for doc in docs) and "kim@example.com" not in content
    blocks = decode_blocks(snapshot.content)
    assert all(len(tokens_of(line)) == len(labels) for b in blocks for line, labels in zip(b.lines, b.labels, strict=True))
    assert all(b.review["decision"] == "approve" and b.review["review_id"] for b in blocks)

    unseen = invoice(random.Random(99), "grid")
    check = FieldsCheck(None)
    async with sessions() as session, session.begin():
        knowledge = await add_invoice(session, tenant_id, base_id, unseen)
        document = DocumentText(knowledge, [unseen.text], "hash-1")
        await check.run(session, document)  # a challenger is not used
        assert document.fields is not None and "supply" not in document.fields.validated_data
        await promote_tagger(session, tenant_id, base_id)
        await check.run(session, document)
        assert document.fields.validated_data["supply"] == unseen.normalized["supply"]
        await rollback_tagger(session, tenant_id, base_id)
        await check.run(session, document)
        assert "supply" not in document.fields.validated_data
        assert await tagger_aliases(session, tenant_id, base_id) == {}


async def test_without_consent_the_tagger_job_fails_and_stores_nothing(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    tenant_id, base_id, _ = await _reviewed_tenant(sessions, consent=False, count=6)
    done = await _run(sessions, tenant_id, base_id)
    assert done.status == "failed" and "consent" in done.error
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(TrainingSnapshot)
                                    .where(col(TrainingSnapshot.tenant_id) == tenant_id)) == 0
        assert await session.scalar(select(func.count()).select_from(ModelVersion)
                                    .where(col(ModelVersion.tenant_id) == tenant_id)) == 0


async def test_a_cancel_that_arrives_while_the_tagger_is_registered_keeps_the_job_succeeded(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    tenant_id, base_id, _ = await _reviewed_tenant(sessions, consent=True, count=12)
    base = Settings.load()
    settings = base.model_copy(update={"training": base.training.model_copy(update={"heartbeat_s": 0.2})})
    async with sessions() as session, session.begin():
        job = await jobs.create_job(session, tenant_id, {"kind": "field_tagger", "knowledge_base_id": base_id})
    worker = TrainerWorker(settings, sessions, _no_embedder)
    await cancel_while_registering(sessions, tenant_id=tenant_id, job_id=job.id, run=worker.run_job(job.id),
                                   heartbeat_s=settings.training.heartbeat_s)
    await assert_cancelled_too_late(sessions, job.id)
