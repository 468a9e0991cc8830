"""Training and serving of each tenant's own models: feedback on answers, uploaded labelled pairs,
training snapshots, training jobs, registered model versions, their aliases and the canary rollout."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from ._common import id_field, json_field, tenant_field, timestamp_field


class AnswerFeedback(SQLModel, table=True):
    """A thumbs up (+1) or down (-1) on an answer (``citation`` 0) or on one of its citations (1-based)."""

    __tablename__ = "ml_feedback"
    __table_args__ = (UniqueConstraint("message_id", "citation", name="uq_ml_feedback_message_citation"),)

    id: str = id_field()
    tenant_id: str = tenant_field()
    message_id: str = Field(foreign_key="messages.id", max_length=36, ondelete="CASCADE")
    session_id: str = Field(max_length=36)
    citation: int = 0
    rating: int
    query: str = ""
    chunk_id: str = Field(default="", max_length=64)
    passage: str = ""
    # The tuned model version that served the answer ('' = the base models).
    model_version_id: str = Field(default="", max_length=36)
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field(onupdate=True)


class LabelledPair(SQLModel, table=True):
    """A question-passage pair a tenant uploaded (labelled JSONL); ``label`` 1 relevant, 0 not."""

    __tablename__ = "ml_labelled_pairs"

    id: str = id_field()
    tenant_id: str = tenant_field()
    query: str
    passage: str
    label: int = 1
    created_at: datetime = timestamp_field()


class TrainingSnapshot(SQLModel, table=True):
    """A versioned, PII-masked set of training pairs; the id is the sha256 of its JSONL content."""

    __tablename__ = "ml_snapshots"

    id: str = Field(primary_key=True, max_length=64)
    tenant_id: str = tenant_field()
    counts: dict[str, Any] = json_field()
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = timestamp_field()


class TrainingJob(SQLModel, table=True):
    """One training run: queued, running, succeeded, failed or cancelled, with progress and log lines."""

    __tablename__ = "ml_training_jobs"
    __table_args__ = (Index("ix_ml_training_jobs_status", "status", "heartbeat_at"),)

    id: str = id_field()
    tenant_id: str = tenant_field()
    status: str = Field(default="queued", max_length=16)
    progress: float = 0.0
    logs: list[str] = json_field(default=list)
    error: str = ""
    parameters: dict[str, Any] = json_field()
    snapshot_id: str = Field(default="", max_length=64)
    version_id: str = Field(default="", max_length=36)
    attempts: int = 0
    cancel_requested: bool = False
    heartbeat_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field(onupdate=True)


class ModelVersion(SQLModel, table=True):
    """A registered tuned model, its held-out metrics and those of the champion it was measured against,
    the snapshot it learned from and its artifact's checksum. ``kind``: ``retrieval`` (query adapter +
    feature reranker, for the whole tenant) or ``field_tagger`` (a CRF for one knowledge base's schema)."""

    __tablename__ = "ml_model_versions"
    __table_args__ = (UniqueConstraint("tenant_id", "version", name="uq_ml_model_versions_tenant_version"),)

    id: str = id_field()
    tenant_id: str = tenant_field()
    version: int
    kind: str = Field(default="retrieval", max_length=32)
    # The knowledge base a field tagger reads ('' for retrieval models).
    knowledge_base_id: str = Field(default="", max_length=36)
    snapshot_id: str = Field(max_length=64)
    job_id: str = Field(default="", max_length=36)
    metrics: dict[str, Any] = json_field()
    champion_metrics: dict[str, Any] = json_field()
    artifact: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    artifact_sha256: str = Field(max_length=64)
    training_s: float = 0.0
    # A fine-tuned bi-encoder's vectors of the tenant's chunks: '' (not a bi-encoder, or never asked),
    # queued | embedding | ready | failed; and the index generation they were complete at.
    vectors_state: str = Field(default="", max_length=16)
    vectors_generation: int = Field(default=-1, sa_type=BigInteger)
    created_at: datetime = timestamp_field()


class ModelAlias(SQLModel, table=True):
    """``champion`` / ``challenger`` -> a version of the tenant."""

    __tablename__ = "ml_model_aliases"

    tenant_id: str = Field(foreign_key="tenants.id", primary_key=True, max_length=36, ondelete="CASCADE")
    alias: str = Field(primary_key=True, max_length=16)
    version_id: str = Field(foreign_key="ml_model_versions.id", max_length=36, ondelete="CASCADE")
    updated_at: datetime = timestamp_field(onupdate=True)


class TaggerAlias(SQLModel, table=True):
    """A knowledge base's field taggers: ``champion`` (what the extractor uses), ``challenger`` (trained,
    better on held-out documents, waiting for a promote) and ``previous`` (what a rollback restores)."""

    __tablename__ = "ml_tagger_aliases"

    tenant_id: str = Field(foreign_key="tenants.id", primary_key=True, max_length=36, ondelete="CASCADE")
    knowledge_base_id: str = Field(foreign_key="knowledge_bases.id", primary_key=True, max_length=36,
                                   ondelete="CASCADE")
    alias: str = Field(primary_key=True, max_length=16)
    version_id: str = Field(foreign_key="ml_model_versions.id", max_length=36, ondelete="CASCADE")
    updated_at: datetime = timestamp_field(onupdate=True)


class Rollout(SQLModel, table=True):
    """The tenant's canary: the share of sessions (0-100) the challenger serves, and how it ended."""

    __tablename__ = "ml_rollouts"

    tenant_id: str = Field(foreign_key="tenants.id", primary_key=True, max_length=36, ondelete="CASCADE")
    percent: int = 0
    # canary | promoted | rolled_back
    state: str = Field(default="canary", max_length=16)
    reason: str = ""
    # The champion before the last promotion, so a rollback after it restores that one.
    previous_version_id: str = Field(default="", max_length=36)
    breach_since: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    updated_at: datetime = timestamp_field(onupdate=True)


class ServingSignal(SQLModel, table=True):
    """One answered question: which version served it, how long the answer took, whether it had one."""

    __tablename__ = "ml_serving_signals"
    __table_args__ = (Index("ix_ml_serving_signals_tenant_time", "tenant_id", "created_at"),)

    id: str = id_field()
    tenant_id: str = tenant_field()
    version_id: str = Field(default="", max_length=36)
    latency_ms: float
    no_answer: bool
    created_at: datetime = timestamp_field()
