"""The tenant's own models (/ml): feedback on answers and citations, labelled training data, training
jobs, the registry of versions, the canary rollout (promote, rollback) and each knowledge base's field
tagger (promote, rollback)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, File, UploadFile
from sqlalchemy import func, select
from sqlmodel import col

from fields.store import current_schema
from fields.tagger_store import tagger_aliases
from jisik.db.models import (
    AnswerFeedback,
    FieldReview,
    FieldSchemaVersion,
    KnowledgeBase,
    LabelledPair,
    ModelVersion,
    Tenant,
    TrainingJob,
)
from jisik.errors import Conflict, InvalidInput, NotFound, TooLarge
from ml.training import jobs, reembed, registry
from ml.training.cross_encoder import CROSS_ENCODER
from ml.training.feedback import record_feedback
from ml.training.pairs import parse_labelled_jsonl
from ml.training.reembed import REEMBED
from ml.training.rollout import signals_since
from ml.training.snapshots import require_consent
from ml.training.tagger_registry import FIELD_TAGGER, promote_tagger, rollback_tagger
from ml.training.version_vectors import generation, is_complete

from ..deps import SessionDep, SettingsDep, TenantDep, require_scope
from ..schemas.common import Envelope
from ..schemas.training import (
    FeedbackCreate,
    FeedbackPublic,
    JobCreate,
    JobPublic,
    ModelsPublic,
    RollbackBody,
)

router = APIRouter(prefix="/ml", tags=["models"])

MAX_UPLOAD_PAIRS = 50_000
SERVED_KINDS = (registry.MODEL_NAME, CROSS_ENCODER)  # the versions chat sessions are routed to


@router.post("/feedback", response_model=Envelope[FeedbackPublic], dependencies=[require_scope("read")])
async def feedback(body: FeedbackCreate, tenant: TenantDep, session: SessionDep) -> dict[str, Any]:
    """Thumbs up or down on an answer (``citation`` 0) or on its citation ``[n]``; the latest rating counts."""
    row = await record_feedback(session, tenant_id=tenant.id, message_id=body.message_id, citation=body.citation,
                                rating=1 if body.rating == "up" else -1)
    data = {"message_id": row.message_id, "citation": row.citation, "rating": body.rating,
            "model_version_id": row.model_version_id}
    return {"success": True, "data": data}


@router.post("/training-data", status_code=201, response_model=Envelope[dict[str, int]], dependencies=[require_scope("write")])
async def upload_pairs(
    tenant: TenantDep, session: SessionDep, settings: SettingsDep,
    file: Annotated[UploadFile, File(description='JSON lines: {"query", "passage", "label": 1|0}')],
) -> dict[str, Any]:
    """Add labelled question-passage pairs (kept for the tenant's next training snapshot)."""
    await require_consent(session, tenant.id)
    data = await file.read(settings.training.max_upload_bytes + 1)
    if len(data) > settings.training.max_upload_bytes:
        raise TooLarge(f"the upload is larger than {settings.training.max_upload_bytes} bytes", field="file")
    pairs = parse_labelled_jsonl(data, max_lines=MAX_UPLOAD_PAIRS)
    session.add_all(LabelledPair(tenant_id=tenant.id, query=p.query, passage=p.passage, label=p.label) for p in pairs)
    return {"success": True, "data": {"pairs": len(pairs)}}


def _job(row: TrainingJob) -> dict[str, Any]:
    return JobPublic.model_validate(row, from_attributes=True).model_dump()


@router.post("/training-jobs", status_code=201, response_model=Envelope[JobPublic], dependencies=[require_scope("write")])
async def start_job(tenant: TenantDep, session: SessionDep, body: JobCreate | None = None) -> dict[str, Any]:
    """Queue a training job (needs the tenant's training consent; one job at a time per tenant): the
    retrieval models, with ``kind: cross_encoder`` a cross-encoder reranker, or with ``kind: field_tagger``
    the field tagger of a knowledge base with a schema."""
    body = body or JobCreate()
    await require_consent(session, tenant.id)
    parameters: dict[str, Any] = {}
    if body.kind == FIELD_TAGGER:
        if not body.knowledge_base_id:
            raise InvalidInput("a field_tagger job needs knowledge_base_id", field="knowledge_base_id")
        await _schema_of(session, tenant.id, body.knowledge_base_id)
        parameters = {"kind": FIELD_TAGGER, "knowledge_base_id": body.knowledge_base_id}
    elif body.kind == CROSS_ENCODER:
        parameters = {"kind": CROSS_ENCODER}
    active = await session.scalar(select(col(TrainingJob.id)).where(
        col(TrainingJob.tenant_id) == tenant.id, col(TrainingJob.status).in_(("queued", "running"))
    ).with_for_update())
    if active:
        raise Conflict(f"training job {active} is still queued or running", field="job_id")
    job = await jobs.create_job(session, tenant.id, parameters)
    return {"success": True, "data": _job(job)}


@router.get("/training-jobs", response_model=Envelope[list[JobPublic]], dependencies=[require_scope("read")])
async def list_jobs(tenant: TenantDep, session: SessionDep) -> dict[str, Any]:
    """The tenant's 20 latest jobs, newest first."""
    rows = await session.scalars(select(TrainingJob).where(col(TrainingJob.tenant_id) == tenant.id)
                                 .order_by(col(TrainingJob.created_at).desc()).limit(20))
    return {"success": True, "data": [_job(row) for row in rows]}


@router.get("/training-jobs/{job_id}", response_model=Envelope[JobPublic], dependencies=[require_scope("read")])
async def get_job(job_id: str, tenant: TenantDep, session: SessionDep) -> dict[str, Any]:
    return {"success": True, "data": _job(await jobs.get_job(session, tenant.id, job_id))}


@router.post("/training-jobs/{job_id}/cancel", response_model=Envelope[JobPublic], dependencies=[require_scope("write")])
async def cancel_job(job_id: str, tenant: TenantDep, session: SessionDep) -> dict[str, Any]:
    """Cancel a queued job at once, a running one at its next step."""
    return {"success": True, "data": _job(await jobs.request_cancel(session, tenant.id, job_id))}


async def _schema_of(session: SessionDep, tenant_id: str, knowledge_base_id: str) -> None:
    """:raises NotFound: no such knowledge base of the tenant, or it has no field schema."""
    knowledge_base = await session.get(KnowledgeBase, knowledge_base_id)
    if knowledge_base is None or knowledge_base.tenant_id != tenant_id:
        raise NotFound(f"knowledge base {knowledge_base_id} not found", field="knowledge_base_id")
    if await current_schema(session, tenant_id, knowledge_base_id) is None:
        raise NotFound("the knowledge base has no field schema", field="knowledge_base_id")


_VERSION_KEYS = ("id", "version", "snapshot_id", "job_id", "metrics", "champion_metrics", "artifact_sha256",
                 "training_s", "created_at")


async def _taggers(session: SessionDep, tenant_id: str) -> list[dict[str, Any]]:
    """Every knowledge base with a field schema, its reviewed documents and its tagger versions."""
    bases = (await session.execute(
        select(col(KnowledgeBase.id), col(KnowledgeBase.name))
        .where(col(KnowledgeBase.tenant_id) == tenant_id,
               col(KnowledgeBase.id).in_(select(col(FieldSchemaVersion.knowledge_base_id))))
        .order_by(col(KnowledgeBase.name))
    )).all()
    out = []
    for knowledge_base_id, name in bases:
        named = await tagger_aliases(session, tenant_id, knowledge_base_id)
        rows = await session.scalars(select(ModelVersion).where(
            col(ModelVersion.tenant_id) == tenant_id, col(ModelVersion.kind) == FIELD_TAGGER,
            col(ModelVersion.knowledge_base_id) == knowledge_base_id).order_by(col(ModelVersion.version).desc()).limit(10))
        reviewed = await session.scalar(select(func.count(func.distinct(col(FieldReview.knowledge_id)))).where(
            col(FieldReview.tenant_id) == tenant_id, col(FieldReview.knowledge_base_id) == knowledge_base_id))
        out.append({
            "knowledge_base_id": knowledge_base_id, "name": name, "reviewed_documents": reviewed or 0,
            "versions": [{**{key: getattr(row, key) for key in _VERSION_KEYS},
                          "aliases": sorted(alias for alias, held in named.items() if held == row.id)} for row in rows],
        })
    return out


async def _reembed_progress(session: SessionDep, tenant_id: str) -> dict[str, float]:
    """Each bi-encoder version's latest re-embed job's progress."""
    rows = await session.scalars(select(TrainingJob).where(col(TrainingJob.tenant_id) == tenant_id)
                                 .order_by(col(TrainingJob.created_at).desc()).limit(50))
    progress: dict[str, float] = {}
    for job in rows:
        if job.parameters.get("kind") == REEMBED:
            progress.setdefault(str(job.parameters.get("version_id", "")), job.progress)
    return progress


async def _models(session: SessionDep, tenant_id: str, window_s: float) -> dict[str, Any]:
    tenant = await session.get(Tenant, tenant_id)
    state = await registry.serving_state(session, tenant_id, artifacts=False)
    since = datetime.now(UTC) - timedelta(seconds=window_s)
    versions = []
    index_generation = await generation(session, tenant_id)
    progress = await _reembed_progress(session, tenant_id)
    rows = await session.scalars(select(ModelVersion).where(col(ModelVersion.tenant_id) == tenant_id,
                                                            col(ModelVersion.kind).in_(SERVED_KINDS))
                                 .options(registry.WITHOUT_ARTIFACT)
                                 .order_by(col(ModelVersion.version).desc()).limit(20))
    for row in rows:
        names = [name for name, held in ((registry.CHAMPION, state.champion), (registry.CHALLENGER, state.challenger))
                 if held is not None and held.id == row.id]
        versions.append({
            **{key: getattr(row, key) for key in _VERSION_KEYS},
            "kind": row.kind,
            "aliases": names,
            "signals": (await signals_since(session, tenant_id, row.id, since)).to_dict(),
            "vectors_state": "stale" if row.vectors_state == "ready" and not is_complete(row, index_generation)
            else row.vectors_state,
            "vectors_progress": 1.0 if is_complete(row, index_generation) else progress.get(row.id, 0.0),
        })
    rollout = state.rollout
    counts = {
        "feedback": await session.scalar(select(func.count()).where(col(AnswerFeedback.tenant_id) == tenant_id)) or 0,
        "labelled_pairs": await session.scalar(select(func.count()).where(col(LabelledPair.tenant_id) == tenant_id)) or 0,
    }
    return {
        "versions": versions,
        "taggers": await _taggers(session, tenant_id),
        "champion": state.champion.id if state.champion else None,
        "challenger": state.challenger.id if state.challenger else None,
        "rollout": {"percent": state.percent, "state": rollout.state if rollout else "none",
                    "reason": rollout.reason if rollout else ""},
        "base_signals": (await signals_since(session, tenant_id, "", since)).to_dict(),
        "training_consent": bool(tenant and tenant.training_consent),
        "data": counts,
    }


@router.get("/models", response_model=Envelope[ModelsPublic], dependencies=[require_scope("read")])
async def models(tenant: TenantDep, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    """Versions with held-out metrics and online signals, the aliases, the rollout and the data at hand."""
    return {"success": True, "data": await _models(session, tenant.id, settings.training.rollback_window_s)}


@router.post("/models/promote", response_model=Envelope[ModelsPublic], dependencies=[require_scope("admin")])
async def promote(tenant: TenantDep, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    """Step the challenger's canary (10% -> 50% -> champion at 100%)."""
    steps = tuple(int(step) for step in settings.training.canary_steps.split(",") if step.strip())
    await registry.promote(session, tenant.id, steps)
    return {"success": True, "data": await _models(session, tenant.id, settings.training.rollback_window_s)}


@router.post("/models/{version_id}/challenger", response_model=Envelope[ModelsPublic],
             dependencies=[require_scope("admin")])
async def make_challenger(version_id: str, tenant: TenantDep, session: SessionDep,
                          settings: SettingsDep) -> dict[str, Any]:
    """Make a fine-tuned bi-encoder version the challenger at 0%: a re-embed job embeds the knowledge
    base's chunks with it (progress on the job); promote is refused until its vectors are complete."""
    await reembed.make_challenger(session, tenant.id, version_id)
    return {"success": True, "data": await _models(session, tenant.id, settings.training.rollback_window_s)}


@router.post("/models/rollback", response_model=Envelope[ModelsPublic], dependencies=[require_scope("admin")])
async def rollback(body: RollbackBody, tenant: TenantDep, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    """Stop the challenger, or give the champion's place back to the one before it."""
    await registry.rollback(session, tenant.id, body.reason)
    return {"success": True, "data": await _models(session, tenant.id, settings.training.rollback_window_s)}


@router.post("/taggers/{knowledge_base_id}/promote", response_model=Envelope[ModelsPublic],
             dependencies=[require_scope("admin")])
async def promote_field_tagger(knowledge_base_id: str, tenant: TenantDep, session: SessionDep,
                               settings: SettingsDep) -> dict[str, Any]:
    """Make the knowledge base's challenger tagger its champion (the extractor uses it from the next
    document on)."""
    await _schema_of(session, tenant.id, knowledge_base_id)
    await promote_tagger(session, tenant.id, knowledge_base_id)
    return {"success": True, "data": await _models(session, tenant.id, settings.training.rollback_window_s)}


@router.post("/taggers/{knowledge_base_id}/rollback", response_model=Envelope[ModelsPublic],
             dependencies=[require_scope("admin")])
async def rollback_field_tagger(knowledge_base_id: str, tenant: TenantDep, session: SessionDep,
                                settings: SettingsDep) -> dict[str, Any]:
    """Drop the challenger tagger, or give the champion's place back to the previous one (or none)."""
    await _schema_of(session, tenant.id, knowledge_base_id)
    await rollback_tagger(session, tenant.id, knowledge_base_id)
    return {"success": True, "data": await _models(session, tenant.id, settings.training.rollback_window_s)}
